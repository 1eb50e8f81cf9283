using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Web.SignIn;

/// <summary>
/// Who the browser is: the session its cookie names. Pages behind sign-in challenge a browser without a live
/// session by sending it through /sign-in, which comes back to the page it asked for.
/// </summary>
internal sealed class SessionAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    WebSessions sessions, IOptions<WebOptions> web)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "session";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var id = Request.Cookies[SessionCookie.Name(web.Value)];
        if (string.IsNullOrEmpty(id) || sessions.Find(id) is not { } session)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        Context.Features.Set(session);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(session.Person, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Redirect(SessionCookie.SignInPath(Request.PathBase + Request.Path + Request.QueryString));
        return Task.CompletedTask;
    }
}

/// <summary>The browser's one cookie for its session, holding the session's id and nothing else.</summary>
internal static class SessionCookie
{
    public static string Name(WebOptions web) => web.Https ? "__Host-imsa-session" : "imsa-session";

    public static CookieOptions Options(WebOptions web) => new()
    {
        HttpOnly = true,
        Secure = web.Https,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        IsEssential = true,
    };

    public static string SignInPath(string returnUrl) => "/sign-in?returnUrl=" + Uri.EscapeDataString(returnUrl);

    /// <summary>The session of this request, once authentication found it.</summary>
    public static WebSession? WebSession(this HttpContext http) => http.Features.Get<WebSession>();

    /// <summary>Forgets the session of this request, at the server and in the browser.</summary>
    public static void EndSession(this HttpContext http)
    {
        var web = http.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value;
        var name = Name(web);
        if (http.Request.Cookies[name] is { Length: > 0 } id)
        {
            http.RequestServices.GetRequiredService<WebSessions>().End(id);
        }

        http.Response.Cookies.Delete(name, Options(web));
        http.Features.Set<WebSession?>(null);
    }

    /// <summary>A path on this application only ("/cases?status=open"), never another site ("//evil", "/\evil", "https://…").</summary>
    public static bool IsLocalPath(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && url.All(c => c is > ' ' and < (char)127);
}
