using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Partners.Data;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Imsa.Network.Partners.Identity;

/// <summary>The token request, form-encoded (RFC 6749 section 4.4).</summary>
/// <param name="grant_type">Always "client_credentials".</param>
/// <param name="client_id">The API client's id.</param>
/// <param name="client_secret">The API client's secret (or send both in an HTTP Basic Authorization header).</param>
public sealed record TokenRequestForm(string grant_type, string client_id, string client_secret);

/// <summary>The token response (RFC 6749 section 5.1).</summary>
public sealed record TokenResponse(string access_token, string token_type, int expires_in);

/// <summary>An OAuth 2.0 error (RFC 6749 section 5.2), e.g. invalid_client.</summary>
public sealed record TokenError(string error, string? error_description);

internal static class TokenEndpoint
{
    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder app)
    {
        // OpenIddict has already authenticated the client (id and hashed secret) when this runs.
        app.MapPost("/connect/token", IssueAsync)
            .AllowAnonymous()
            .WithoutIdempotencyKey()
            .WithTags("Identity")
            .WithSummary("Get an access token (OAuth 2.0 client credentials)")
            .WithDescription("Form-encoded: grant_type=client_credentials, client_id, client_secret (or HTTP Basic). "
                + "Returns a short-lived JWT access token for every IMSA service. A wrong, unknown or revoked client, "
                + "or one of a suspended or retired organisation, gets 401 invalid_client without saying which. Repeated failures "
                + "for a client id or from an address slow it down and then lock it out: 429 with Retry-After, even for the right secret.")
            .Accepts<TokenRequestForm>("application/x-www-form-urlencoded")
            .Produces<TokenResponse>()
            .Produces<TokenError>(StatusCodes.Status400BadRequest)
            .Produces<TokenError>(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<IResult> IssueAsync(
        HttpContext context, PartnersDbContext db, IOptions<NetworkIdentityOptions> identity, CancellationToken cancellationToken)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request is missing.");

        var client = await db.ApiClients.AsNoTracking()
            .FirstOrDefaultAsync(c => c.ClientId == request.ClientId && c.RevokedAt == null, cancellationToken);
        var organisation = client is null
            ? null
            : await db.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == client.OrganisationId, cancellationToken);
        if (client is null || organisation is null || !organisation.MayAuthenticate)
        {
            return Results.Forbid(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidClient,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The client is not allowed to obtain tokens.",
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var kind = EnumCodes.Of(organisation.Kind);
        var caller = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, Claims.Role);
        caller.SetClaim(Claims.Subject, organisation.Id.ToString());
        caller.SetClaim(NetworkClaims.Organisation, organisation.Id.ToString());
        caller.SetClaim(NetworkClaims.OrganisationKind, kind);
        caller.SetClaim(Claims.Role, NetworkRoles.ForKind(kind));
        caller.SetClaim(Claims.ClientId, client.ClientId);
        caller.SetResources(identity.Value.Audience);
        caller.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(caller), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
