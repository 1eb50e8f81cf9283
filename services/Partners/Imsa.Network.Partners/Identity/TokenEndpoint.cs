using System.Security.Claims;
using Imsa.Network.Messaging.Access;
using Imsa.Network.Messaging.Hosting;
using Imsa.Network.Partners.Data;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Imsa.Network.Partners.Identity;

internal static class TokenEndpoint
{
    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder app)
    {
        // OpenIddict has already authenticated the client (id and hashed secret) when this runs.
        app.MapPost("/connect/token", IssueAsync)
            .AllowAnonymous()
            .WithTags("Identity")
            .WithSummary("Get an access token (OAuth 2.0 client credentials)")
            .WithDescription("Form-encoded: grant_type=client_credentials, client_id, client_secret (or HTTP Basic). "
                + "Returns a short-lived JWT access token for every IMSA service. A wrong, unknown or revoked client, "
                + "or one of a suspended or retired organisation, gets 401 invalid_client without saying which.");
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
        caller.SetClaim(NetworkClaims.OrganisationKind, kind);
        caller.SetClaim(Claims.Role, NetworkRoles.ForKind(kind));
        caller.SetClaim(Claims.ClientId, client.ClientId);
        caller.SetResources(identity.Value.Audience);
        caller.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(caller), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
