using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Imsa.Network.Partners.Identity;

/// <summary>The token request, form-encoded (RFC 6749 sections 4.4 and 4.1.3).</summary>
/// <param name="grant_type">"client_credentials" for a system; "authorization_code" for an application exchanging a person's code (then also code, redirect_uri and code_verifier).</param>
/// <param name="client_id">The API client's id.</param>
/// <param name="client_secret">The API client's secret (or send both in an HTTP Basic Authorization header).</param>
/// <param name="code">authorization_code only: the code the redirect brought.</param>
/// <param name="redirect_uri">authorization_code only: the redirect URI of the authorization request.</param>
/// <param name="code_verifier">authorization_code only: the PKCE verifier whose S256 hash was the code_challenge.</param>
public sealed record TokenRequestForm(
    string grant_type, string client_id, string client_secret, string? code = null, string? redirect_uri = null, string? code_verifier = null);

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
            .WithSummary("Get an access token (OAuth 2.0 client credentials, or a person's authorization code)")
            .WithDescription("Form-encoded: grant_type=client_credentials, client_id, client_secret (or HTTP Basic). "
                + "An application that signed a person in sends grant_type=authorization_code, code, redirect_uri and code_verifier (PKCE) with its "
                + "client_id and secret; a code works once, for a few minutes. "
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
        HttpContext context, PartnersDbContext db, IOptions<NetworkIdentityOptions> identity, PartnersMetrics metrics, CancellationToken cancellationToken)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request is missing.");
        if (request.IsAuthorizationCodeGrantType())
        {
            return await ExchangeCodeAsync(context, request, db, identity.Value, metrics, cancellationToken);
        }

        var client = await db.ApiClients.AsNoTracking()
            .FirstOrDefaultAsync(c => c.ClientId == request.ClientId && c.RevokedAt == null, cancellationToken);
        var organisation = client is null
            ? null
            : await db.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == client.OrganisationId, cancellationToken);
        if (client is null || organisation is null || !organisation.MayAuthenticate)
        {
            return AuthorizationEndpoint.Refuse(Errors.InvalidClient, "The client is not allowed to obtain tokens.");
        }

        var kind = EnumCodes.Of(organisation.Kind);
        // An API client's token: its organisation is the subject.
        var caller = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, Claims.Role);
        caller.SetClaim(Claims.Subject, organisation.Id.ToString());
        caller.SetClaim(NetworkClaims.Organisation, organisation.Id.ToString());
        caller.SetClaim(NetworkClaims.OrganisationKind, kind);
        caller.SetClaim(Claims.Role, NetworkRoles.ForKind(kind));
        caller.SetClaim(Claims.ClientId, client.ClientId);
        caller.SetResources(identity.Value.Audience);
        caller.SetDestinations(_ => [Destinations.AccessToken]);
        metrics.TokenIssued(GrantTypes.ClientCredentials, kind);
        return Results.SignIn(new ClaimsPrincipal(caller), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// A person's code, which OpenIddict has checked (the client's secret, the redirect URI, the PKCE verifier, once
    /// only): the token is issued only if the person and their organisation may still sign in, with their current role.
    /// </summary>
    private static async Task<IResult> ExchangeCodeAsync(
        HttpContext context, OpenIddictRequest request, PartnersDbContext db, NetworkIdentityOptions identity, PartnersMetrics metrics,
        CancellationToken cancellationToken)
    {
        var code = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var active = Guid.TryParse(code.Principal?.GetClaim(Claims.Subject), out var personId)
            ? await PersonTokens.ActiveAsync(db, personId, cancellationToken)
            : null;
        if (active is not { } found || !await PersonTokens.MayUseAsync(db, found.Person, request.ClientId, cancellationToken))
        {
            return AuthorizationEndpoint.Refuse(Errors.InvalidGrant, "The person can no longer sign in.");
        }

        metrics.TokenIssued(GrantTypes.AuthorizationCode, EnumCodes.Of(found.Organisation.Kind));
        return Results.SignIn(
            PersonTokens.Principal(found.Person, found.Organisation, code.Principal!.GetClaims(NetworkClaims.AuthenticationMethods), request.ClientId!, identity.Audience),
            properties: null,
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
