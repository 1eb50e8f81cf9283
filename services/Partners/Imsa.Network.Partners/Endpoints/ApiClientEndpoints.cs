using Imsa.Network.Access;
using Imsa.Network.Operations;
using System.Security.Claims;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Endpoints;

/// <param name="Name">A label of 1 to 200 characters ("case system production").</param>
/// <param name="RedirectUris">
/// Only for a system that signs the organisation's people in (authorization code with PKCE): where it receives their
/// codes, at most 10 absolute https addresses (http only on the loopback address, for an app on the person's own
/// computer, RFC 8252), without fragment or user info, compared exactly.
/// </param>
public sealed record CreateApiClientRequest(string? Name, List<string?>? RedirectUris = null);

public sealed record ApiClientResponse(
    string ClientId, string Name, DateTimeOffset CreatedAt, DateTimeOffset SecretRotatedAt, DateTimeOffset? RevokedAt, IReadOnlyList<string> RedirectUris);

internal static class ApiClientEndpoints
{
    public static IEndpointRouteBuilder MapApiClientEndpoints(this IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/organisations/{id:guid}/clients").WithTags("API clients").ForAdministrators();

        clients.MapGet("/", ListAsync)
            .WithSummary("List an organisation's API clients")
            .WithDescription("The organisation itself or a coordinator. Secrets are never shown again.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        clients.MapPost("/", CreateAsync)
            .WithQuota(PartnersServices.ApiClients)
            .WithSummary("Create an API client")
            .WithDescription("The organisation itself: returns the client id and its secret, shown this once and stored only as a hash. "
                + "With redirectUris, the system may also sign the organisation's own people in (authorization code with PKCE; docs/api.md). "
                + "A coordinator never creates another organisation's credentials (403): it invites the organisation (POST /organisations/{id}/invitations).")
            .KeepsNoAnswer()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        clients.MapPost("/{clientId}/rotate", RotateAsync)
            .WithQuota(PartnersServices.ApiClients)
            .WithSummary("Rotate an API client's secret")
            .WithDescription("The organisation itself: returns a new secret, shown this once; the old one stops working at once. A coordinator: 403.")
            .KeepsNoAnswer()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        clients.MapDelete("/{clientId}", RevokeAsync)
            .WithSummary("Revoke an API client")
            .WithDescription("The organisation itself or a coordinator (audited, with the reason). No new tokens for it, and its current tokens are refused network-wide within seconds. Announces ApiClientRevoked.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<List<ApiClientResponse>>, ProblemHttpResult>> ListAsync(
        Guid id, ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken)
    {
        if (!await ExistsForAsync(user, id, db, cancellationToken))
        {
            return Problems.NotFound("Organisation");
        }

        var clients = await db.ApiClients.AsNoTracking()
            .Where(c => c.OrganisationId == id)
            .OrderBy(c => c.CreatedAt)
            .Select(c => new ApiClientResponse(c.ClientId, c.Name, c.CreatedAt, c.SecretRotatedAt, c.RevokedAt, c.RedirectUris))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(clients);
    }

    private static async Task<Results<Created<ClientCredentials>, ProblemHttpResult>> CreateAsync(
        Guid id, CreateApiClientRequest request, ClaimsPrincipal user, PartnersDbContext db, ApiClients clients, CancellationToken cancellationToken)
    {
        if (!await ExistsForAsync(user, id, db, cancellationToken))
        {
            return Problems.NotFound("Organisation");
        }

        if (user.OrganisationId() != id)
        {
            return NeverMint();
        }

        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 200)
        {
            errors["name"] = ["A name of 1 to 200 characters is required."];
        }

        var redirectUris = (request.RedirectUris ?? []).Select(RedirectUriOrNull).ToList();
        if (redirectUris.Count > 10 || redirectUris.Any(u => u is null))
        {
            errors["redirectUris"] = ["At most 10 absolute https addresses (http only on 127.0.0.1, [::1] or localhost), without fragment or user info."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var credentials = await clients.CreateAsync(
            id, request.Name!.Trim(), InvitationEndpoints.Actor(user), cancellationToken, redirectUris: [.. redirectUris.OfType<Uri>()]);
        return TypedResults.Created($"/organisations/{id}/clients", credentials);
    }

    /// <summary>An address a code may be sent to: https, or http on the loopback address only (RFC 8252 section 7.3).</summary>
    private static Uri? RedirectUriOrNull(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && value!.Length <= 2000
        && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            ? uri
            : null;

    private static async Task<Results<Ok<ClientCredentials>, ProblemHttpResult>> RotateAsync(
        Guid id, string clientId, ClaimsPrincipal user, PartnersDbContext db, ApiClients clients, CancellationToken cancellationToken)
    {
        var client = user.MaySee(id)
            ? await db.ApiClients.FirstOrDefaultAsync(c => c.OrganisationId == id && c.ClientId == clientId && c.RevokedAt == null, cancellationToken)
            : null;
        if (client is not null && user.OrganisationId() != id)
        {
            return NeverMint();
        }

        var rotated = client is null ? null : await clients.RotateAsync(client, InvitationEndpoints.Actor(user), cancellationToken);
        return rotated is null ? Problems.NotFound("API client") : TypedResults.Ok(rotated);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, string clientId, ClaimsPrincipal user, PartnersDbContext db, ApiClients clients, TimeProvider time, CancellationToken cancellationToken,
        string? reason = null)
    {
        var client = user.MaySee(id)
            ? await db.ApiClients.FirstOrDefaultAsync(c => c.OrganisationId == id && c.ClientId == clientId && c.RevokedAt == null, cancellationToken)
            : null;
        if (client is null)
        {
            return Problems.NotFound("API client");
        }

        if (user.OrganisationId() != id)
        {
            // A coordinator revoking another organisation's client: written with the revocation.
            db.Record(user, "api-client.revoke", $"{id}/{clientId}", reason, time);
        }

        await clients.RevokeAsync(client, InvitationEndpoints.Actor(user), reason, cancellationToken);
        return TypedResults.NoContent();
    }

    // Professional secrecy: no coordinator action yields a credential that can act as an organisation.
    private static ProblemHttpResult NeverMint() => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Only the organisation creates or rotates its own API clients.",
        detail: "A coordinator invites an organisation instead: POST /organisations/{id}/invitations sends a one-time code to its contact address.");

    private static async Task<bool> ExistsForAsync(ClaimsPrincipal user, Guid id, PartnersDbContext db, CancellationToken cancellationToken) =>
        user.MaySee(id) && await db.Organisations.AnyAsync(o => o.Id == id, cancellationToken);
}
