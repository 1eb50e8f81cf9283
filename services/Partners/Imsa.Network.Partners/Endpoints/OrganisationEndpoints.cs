using Imsa.Network.Operations;
using Imsa.Network.Reference;
using System.Security.Claims;
using Imsa.Network.Contracts.Partners;
using Imsa.Network.Access;
using Imsa.Network.ServiceDefaults;
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
/// <param name="ExternalRegistryId">Optional: its id in an official register of its country, e.g. "VR 12345 Mainz".</param>
/// <param name="ContactEmail">
/// The organisation's own address for its credentials: the invitation to create its first API client goes there, and
/// only the organisation can change it once it has had a client.
/// </param>
public sealed record RegisterOrganisationRequest(string? Name, string? Country, string? Kind, string? ExternalRegistryId = null, string? ContactEmail = null);

public sealed record OrganisationResponse(
    Guid Id,
    string Name,
    string Country,
    OrganisationKind Kind,
    string? ExternalRegistryId,
    OrganisationStatus Status,
    DateTimeOffset RegisteredAt,
    DateTimeOffset StatusChangedAt,
    OrganisationProfile Profile,
    string? ContactEmail);

internal static class OrganisationEndpoints
{
    public static IEndpointRouteBuilder MapOrganisationEndpoints(this IEndpointRouteBuilder app)
    {
        var organisations = app.MapGroup("/organisations").WithTags("Organisations");

        organisations.MapPost("/", RegisterAsync)
            .RequireAuthorization(NetworkRoles.Coordinator)
            .WithTags("Admin: organisations")
            .WithSummary("Register an organisation (coordinators)")
            .WithDescription("Registers an organisation; it is pending until a coordinator verifies it. Announces OrganisationRegistered.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status409Conflict);

        organisations.MapGet("/{id:guid}", GetAsync)
            .WithName("GetOrganisation")
            .WithSummary("Read an organisation")
            .WithDescription("Coordinators read any organisation; an organisation reads its own. Anyone else gets 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/admin/organisations/verification-queue", VerificationQueueAsync)
            .WithTags("Admin: organisations")
            .RequireAuthorization(NetworkRoles.Coordinator)
            .WithSummary("Organisations waiting for verification, oldest first (coordinators)")
            .WithDescription("Check each against its registry id, then verify it (POST /organisations/{id}/verify).");

        MapTransition(organisations, "verify", OrganisationTransition.Verify, "Verify a pending organisation; it becomes active. Announces OrganisationVerified.");
        MapTransition(organisations, "suspend", OrganisationTransition.Suspend, "Suspend an active organisation; its tokens are refused network-wide within seconds. Announces OrganisationSuspended.");
        MapTransition(organisations, "reinstate", OrganisationTransition.Reinstate, "Reinstate a suspended organisation; it is active again. Announces OrganisationReinstated.");
        MapTransition(organisations, "retire", OrganisationTransition.Retire, "Retire an organisation for good; its tokens are refused network-wide. Announces OrganisationRetired.");
        return app;
    }

    /// <summary>Coordinators see every organisation; an organisation sees only itself.</summary>
    public static bool MaySee(this ClaimsPrincipal user, Guid organisationId) =>
        user.IsInRole(NetworkRoles.Coordinator) || user.OrganisationId() == organisationId;

    private static void MapTransition(RouteGroupBuilder organisations, string action, OrganisationTransition transition, string description) =>
        organisations.MapPost($"/{{id:guid}}/{action}", (Guid id, string? reason, ClaimsPrincipal user, PartnersDbContext db, DirectoryCatalog catalog, TimeProvider time,
                CancellationToken cancellationToken) =>
                TransitionAsync(id, transition, reason, user, db, catalog, time, cancellationToken))
            .RequireAuthorization(NetworkRoles.Coordinator)
            .WithTags("Admin: organisations")
            .WithSummary($"{char.ToUpperInvariant(action[0])}{action[1..]} an organisation (coordinators)")
            .WithDescription(description)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Results<Created<OrganisationResponse>, ProblemHttpResult>> RegisterAsync(
        RegisterOrganisationRequest request, ClaimsPrincipal user, PartnersDbContext db, TimeProvider time, CancellationToken cancellationToken,
        string? reason = null)
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

        if (request.ExternalRegistryId is { Length: > 100 })
        {
            errors["externalRegistryId"] = ["At most 100 characters."];
        }

        if (request.ContactEmail is not null && !ContactEmails.IsValid(request.ContactEmail))
        {
            errors["contactEmail"] = [ContactEmails.Rule];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var organisation = Organisation.Register(request.Name!, request.Country!, kind, time.GetUtcNow(), request.ExternalRegistryId, request.ContactEmail);
        if (await db.Organisations.AnyAsync(
                o => o.Country == organisation.Country
                    && (o.NormalizedName == organisation.NormalizedName
                        || (organisation.ExternalRegistryId != null && o.ExternalRegistryId == organisation.ExternalRegistryId)),
                cancellationToken))
        {
            return DuplicateRegistration();
        }

        db.Organisations.Add(organisation);
        db.AddEvent(
            new OrganisationRegistered(
                organisation.Id,
                EnumCodes.Of(organisation.Kind),
                organisation.Country,
                EnumCodes.Of(organisation.Status),
                organisation.RegisteredAt),
            time);
        db.AddEvent(ProfileEndpoints.ContactFields(organisation, organisation.RegisteredAt), time);
        db.Record(user, "organisation.register", organisation.Id.ToString(), reason, time);
        if (organisation.ContactEmail is not null)
        {
            // Where its first invitation will go, and who chose it: the organisation sees both in its trail.
            var actor = InvitationEndpoints.Actor(user);
            db.CredentialEvents.Add(CredentialEvent.Of(organisation.Id, "contact-email-set", organisation.RegisteredAt, actor));
        }

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
        Guid id, ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken)
    {
        var organisation = user.MaySee(id)
            ? await db.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, cancellationToken)
            : null;
        return organisation is null ? Problems.NotFound("Organisation") : TypedResults.Ok(ToResponse(organisation));
    }

    private static async Task<Results<Ok<OrganisationResponse>, ProblemHttpResult>> TransitionAsync(
        Guid id, OrganisationTransition transition, string? reason, ClaimsPrincipal user, PartnersDbContext db, DirectoryCatalog catalog,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var organisation = await db.Organisations.FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organisation is null)
        {
            return Problems.NotFound("Organisation");
        }

        if (organisation.IsAlready(transition))
        {
            // Asked again (an answer lost on the way): the organisation is as asked; nothing changes, nothing is announced.
            return TypedResults.Ok(ToResponse(organisation));
        }

        if (!organisation.Allows(transition))
        {
            return Problems.Conflict(
                $"An organisation that is {EnumCodes.Of(organisation.Status)} cannot be {Past(transition)}.");
        }

        db.AddEvent(organisation.Apply(transition, time.GetUtcNow()), time);
        db.Record(user, $"organisation.{transition.ToString().ToLowerInvariant()}", id.ToString(), reason, time);
        try
        {
            await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            if (organisation.Kind == OrganisationKind.ReceivingService)
            {
                // This instance rebuilds once it commits: the coordinator's next match here shows the change.
                await catalog.BumpAsync(db, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another coordinator changed the status meanwhile.
            return Problems.Conflict("The organisation's status changed meanwhile; read it and try again.");
        }

        return TypedResults.Ok(ToResponse(organisation));
    }

    private static async Task<Ok<List<OrganisationResponse>>> VerificationQueueAsync(PartnersDbContext db, CancellationToken cancellationToken)
    {
        var pending = await db.Organisations.AsNoTracking()
            .Where(o => o.Status == OrganisationStatus.PendingVerification)
            .OrderBy(o => o.RegisteredAt)
            .Take(1000)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(pending.Select(ToResponse).ToList());
    }

    private static string Past(OrganisationTransition transition) => transition switch
    {
        OrganisationTransition.Verify => "verified",
        OrganisationTransition.Suspend => "suspended",
        OrganisationTransition.Reinstate => "reinstated",
        _ => "retired",
    };

    private static ProblemHttpResult DuplicateRegistration() =>
        Problems.Conflict("This organisation is already registered: same name, or same registry id, in this country.");

    public static OrganisationResponse ToResponse(Organisation o) =>
        new(o.Id, o.Name, o.Country, o.Kind, o.ExternalRegistryId, o.Status, o.RegisteredAt, o.StatusChangedAt, o.Profile, o.ContactEmail);
}
