using Imsa.Network.Contracts.Partners;
using Imsa.Network.Messaging.Hosting;
using Imsa.Network.Messaging.Outbox;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imsa.Network.Partners.Endpoints;

/// <summary>Registration of an organisation.</summary>
/// <param name="Name">The organisation's legal or public name.</param>
/// <param name="Country">ISO 3166-1 alpha-2 code of the country it works in, e.g. "MA".</param>
/// <param name="Kind">origin-partner, transit-partner, receiving-service or coordinator.</param>
public sealed record RegisterOrganisationRequest(string? Name, string? Country, string? Kind);

public sealed record OrganisationResponse(
    Guid Id,
    string Name,
    string Country,
    OrganisationKind Kind,
    OrganisationStatus Status,
    DateTimeOffset RegisteredAt);

internal static class OrganisationEndpoints
{
    public static IEndpointRouteBuilder MapOrganisationEndpoints(this IEndpointRouteBuilder app)
    {
        var organisations = app.MapGroup("/organisations").WithTags("Organisations");

        organisations.MapPost("/", RegisterAsync)
            .WithSummary("Register an organisation")
            .WithDescription("Registers an organisation; it waits for a coordinator's verification. Announces OrganisationRegistered.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status409Conflict);

        organisations.MapGet("/{id:guid}", GetAsync)
            .WithName("GetOrganisation")
            .WithSummary("Read an organisation")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Created<OrganisationResponse>, ProblemHttpResult>> RegisterAsync(
        RegisterOrganisationRequest request, PartnersDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 300)
        {
            errors["name"] = ["A name of 1 to 300 characters is required."];
        }

        if (request.Country is null || !Countries.Codes.Contains(request.Country))
        {
            errors["country"] = ["An ISO 3166-1 alpha-2 country code in capitals is required, e.g. \"MA\"."];
        }

        if (!EnumCodes.TryParse<OrganisationKind>(request.Kind, out var kind))
        {
            errors["kind"] = ["One of origin-partner, transit-partner, receiving-service, coordinator is required."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var organisation = Organisation.Register(request.Name!, request.Country!, kind, time.GetUtcNow());
        if (await db.Organisations.AnyAsync(
                o => o.NormalizedName == organisation.NormalizedName && o.Country == organisation.Country, cancellationToken))
        {
            return DuplicateRegistration();
        }

        db.Organisations.Add(organisation);
        db.AddEvent(new OrganisationRegistered(
            organisation.Id,
            EnumCodes.Of(organisation.Kind),
            organisation.Country,
            EnumCodes.Of(organisation.Status),
            organisation.RegisteredAt));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent registration of the same organisation won the race.
            return DuplicateRegistration();
        }

        return TypedResults.Created($"/organisations/{organisation.Id}", ToResponse(organisation));
    }

    private static async Task<Results<Ok<OrganisationResponse>, ProblemHttpResult>> GetAsync(
        Guid id, PartnersDbContext db, CancellationToken cancellationToken)
    {
        var organisation = await db.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        return organisation is null ? Problems.NotFound("Organisation") : TypedResults.Ok(ToResponse(organisation));
    }

    private static ProblemHttpResult DuplicateRegistration() =>
        Problems.Conflict("An organisation with this name is already registered in this country.");

    private static OrganisationResponse ToResponse(Organisation o) =>
        new(o.Id, o.Name, o.Country, o.Kind, o.Status, o.RegisteredAt);
}
