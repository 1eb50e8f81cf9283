using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Imsa.Network.Web.Localization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Web.SignIn;

/// <summary>
/// Sign-in through Partners, the token server: authorization code with PKCE (S256) and state, the code exchanged
/// server-to-server with the application's secret. The browser holds the state and verifier for ten minutes in a
/// data-protected cookie, and afterwards only the session's id; the access token stays in <see cref="WebSessions"/>.
/// </summary>
internal static class SignInEndpoints
{
    public const string PartnersClient = "partners";

    private static readonly TimeSpan AttemptLifetime = TimeSpan.FromMinutes(10);

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/sign-in", SignIn).AllowAnonymous();
        app.MapGet("/signed-in", SignedInAsync).AllowAnonymous();
        return app;
    }

    private static IResult SignIn(HttpContext http, IOptions<WebOptions> options, IDataProtectionProvider protection, string? returnUrl = null)
    {
        var web = options.Value;
        var state = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var challenge = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var attempt = new SignInAttempt(state, verifier, SessionCookie.IsLocalPath(returnUrl) ? returnUrl! : "/");
        http.Response.Cookies.Append(AttemptCookie(web), Protector(protection).Protect(JsonSerializer.Serialize(attempt), AttemptLifetime),
            new CookieOptions { HttpOnly = true, Secure = web.Https, SameSite = SameSiteMode.Lax, Path = "/", MaxAge = AttemptLifetime, IsEssential = true });

        var authorize = QueryHelpers.AddQueryString(Below(web.Partners.PublicUrl, "connect/authorize").ToString(), new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = web.SignIn.ClientId,
            ["redirect_uri"] = web.RedirectUri.ToString(),
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            // The sign-in pages in the person's language (OpenID Connect's ui_locales).
            ["ui_locales"] = Languages.Current.Code,
        });
        return Results.Redirect(authorize);
    }

    private static async Task<IResult> SignedInAsync(
        HttpContext http, IOptions<WebOptions> options, IDataProtectionProvider protection, IHttpClientFactory clients,
        WebSessions sessions, ILoggerFactory loggers, string? code = null, string? state = null)
    {
        var web = options.Value;
        var attempt = ReadAttempt(http, web, protection);
        http.Response.Cookies.Delete(AttemptCookie(web), new CookieOptions { Secure = web.Https, Path = "/" });
        if (attempt is null || string.IsNullOrEmpty(code) || state is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(state), Encoding.ASCII.GetBytes(attempt.State)))
        {
            return Results.Redirect("/sign-in-failed");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = web.RedirectUri.ToString(),
                ["code_verifier"] = attempt.Verifier,
                ["client_id"] = web.SignIn.ClientId,
                ["client_secret"] = web.SignIn.ClientSecret,
            }),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        string? token = null;
        try
        {
            using var response = await clients.CreateClient(PartnersClient).SendAsync(request, http.RequestAborted);
            if (response.IsSuccessStatusCode)
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(http.RequestAborted));
                token = body.RootElement.TryGetProperty("access_token", out var value) ? value.GetString() : null;
            }
            else
            {
                // The status only: the answer may name the code.
                loggers.CreateLogger(typeof(SignInEndpoints)).ExchangeRefused((int)response.StatusCode);
            }
        }
        catch (HttpRequestException exception)
        {
            loggers.CreateLogger(typeof(SignInEndpoints)).ExchangeFailed(exception);
        }

        if (token is null)
        {
            return Results.Redirect("/sign-in-failed");
        }

        http.Response.Cookies.Append(SessionCookie.Name(web), sessions.Start(token), SessionCookie.Options(web));
        return Results.Redirect(attempt.ReturnUrl);
    }

    /// <summary>Where the browser ends its session at the token server, and comes back to the start page.</summary>
    public static Uri EndSessionUrl(WebOptions web) => new(QueryHelpers.AddQueryString(Below(web.Partners.PublicUrl, "connect/logout").ToString(), new Dictionary<string, string?>
    {
        ["post_logout_redirect_uri"] = web.PublicUrl.ToString(),
        ["client_id"] = web.SignIn.ClientId,
    }));

    /// <summary>A path below a base address, whether or not the base ends in "/" ("…/partners" + "connect/token").</summary>
    public static Uri Below(Uri baseAddress, string relative) =>
        new(new Uri(baseAddress.ToString().TrimEnd('/') + "/"), relative);

    private static SignInAttempt? ReadAttempt(HttpContext http, WebOptions web, IDataProtectionProvider protection)
    {
        if (http.Request.Cookies[AttemptCookie(web)] is not { Length: > 0 } sealedAttempt)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<SignInAttempt>(Protector(protection).Unprotect(sealedAttempt));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static ITimeLimitedDataProtector Protector(IDataProtectionProvider protection) =>
        protection.CreateProtector("Imsa.Network.Web.SignIn.Attempt").ToTimeLimitedDataProtector();

    private static string AttemptCookie(WebOptions web) => web.Https ? "__Host-imsa-sign-in" : "imsa-sign-in";

    private sealed record SignInAttempt(string State, string Verifier, string ReturnUrl);
}
