using Imsa.Network.Access;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Imsa.Network.Partners.Identity;

/// <summary>
/// Sign-in for people (OAuth 2.0 authorization code with PKCE, RFC 6749 section 4.1 and RFC 7636). OpenIddict has
/// checked the client, its registered redirect URI, the PKCE challenge and the state before this runs; here the
/// person is sent to the sign-in pages until they have a session (password and second factor), and the code is
/// issued for them. The application exchanges it at /connect/token with its secret and the PKCE verifier.
/// </summary>
internal static class AuthorizationEndpoint
{
    public static IEndpointRouteBuilder MapAuthorizationEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync)
            .AllowAnonymous()
            .WithoutIdempotencyKey()
            .WithTags("Identity")
            .WithSummary("Sign a person in (OAuth 2.0 authorization code with PKCE)")
            .WithDescription("For a browser, not an API call: response_type=code, client_id, redirect_uri (registered), state, "
                + "code_challenge and code_challenge_method=S256 are required. Shows the sign-in pages (password, then the authenticator's code) "
                + "unless the person has a session; then redirects to redirect_uri with a one-time code to exchange at /connect/token. "
                + "prompt=login asks for the password and code again; prompt=none answers login_required instead of showing a page.")
            .ExcludeFromDescription();

        app.MapMethods("/connect/logout", [HttpMethods.Get, HttpMethods.Post], LogoutAsync)
            .AllowAnonymous()
            .WithoutIdempotencyKey()
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> AuthorizeAsync(
        HttpContext http, PartnersDbContext db, IOptions<NetworkIdentityOptions> identity, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The OpenIddict server request is missing.");
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var active = session.Succeeded && Guid.TryParse(session.Principal?.FindFirst(PersonClaims.Id)?.Value, out var personId)
            ? await PersonTokens.ActiveAsync(db, personId, cancellationToken)
            : null;
        // Measured from when the password and code were typed, not from the session cookie's last renewal.
        var fresh = long.TryParse(session.Principal?.FindFirst(PersonTokens.AuthenticationTime)?.Value, out var authenticatedAt)
            && (request.MaxAge is not { } maxAge || time.GetUtcNow().ToUnixTimeSeconds() - authenticatedAt <= maxAge);
        if (active is null || !fresh || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Refuse(Errors.LoginRequired, "The person is not signed in.");
            }

            if (session.Succeeded)
            {
                await http.SignOutAsync(IdentityConstants.ApplicationScheme);
            }

            return Results.Redirect(SignInPages.SignInUrl(http, ReturnUrl(http, request)));
        }

        if (!await PersonTokens.MayUseAsync(db, active.Value.Person, request.ClientId, cancellationToken))
        {
            // Signed in, but this application is another organisation's system: it learns nothing (not even that
            // someone is signed in), and the browser is not sent back to it.
            return request.HasPromptValue(PromptValues.None)
                ? Refuse(Errors.LoginRequired, "The person is not signed in.")
                : SignInPages.Message(http, "Not for your organisation", "This application signs in only its own organisation's people. Go back to the application your organisation uses.", StatusCodes.Status403Forbidden);
        }

        var (person, organisation) = active.Value;
        var methods = session.Principal!.FindAll(PersonTokens.MethodsClaim).Select(c => c.Value);
        return Results.SignIn(
            PersonTokens.Principal(person, organisation, methods, request.ClientId!, identity.Value.Audience),
            properties: null,
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Ends the person's session at the token server and sends them to the application's registered post-logout address.</summary>
    private static async Task<IResult> LogoutAsync(HttpContext http, CancellationToken cancellationToken)
    {
        await http.SignOutAsync(IdentityConstants.ApplicationScheme);
        cancellationToken.ThrowIfCancellationRequested();
        return Results.SignOut(
            new AuthenticationProperties { RedirectUri = $"{http.Request.PathBase}{SignInPages.Path}" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    /// <summary>The same authorization request as a GET, without prompt and max_age (so signing in does not ask to sign in again).</summary>
    private static string ReturnUrl(HttpContext http, OpenIddictRequest request)
    {
        var parameters = request.GetParameters()
            .Where(p => p.Key != Parameters.Prompt && p.Key != Parameters.MaxAge)
            .Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString()));
        return $"{http.Request.PathBase}/connect/authorize{QueryString.Create(parameters)}";
    }

    /// <summary>An OAuth 2.0 error answer from OpenIddict (a redirect with error=… or a 400/401 body, as the endpoint calls for).</summary>
    public static IResult Refuse(string error, string description) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}

/// <summary>The claims of a person's sign-in session at the token server (Identity's defaults).</summary>
internal static class PersonClaims
{
    /// <summary>The person's id, as Identity's claims factory writes it.</summary>
    public const string Id = System.Security.Claims.ClaimTypes.NameIdentifier;
}
