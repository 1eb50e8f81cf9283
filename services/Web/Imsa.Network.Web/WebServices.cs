using Imsa.Network.Web.Api;
using Imsa.Network.Web.Localization;
using Imsa.Network.Web.Pages.Notifications;
using Imsa.Network.Web.SignIn;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.WebEncoders;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Web;

/// <summary>
/// The web application: Razor Pages rendered on the server, signing people in through Partners and calling the
/// network's APIs with their own token, which never leaves the server (ADR 0010). It has no database.
/// </summary>
internal static class WebServices
{
    /// <summary>No inline script or style anywhere: one stylesheet of the application's own, no script at all yet.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self' ";

    public static WebApplicationBuilder AddWebServices(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options => options.UseUtcTimestamp = true);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // Built (not published) output serves wwwroot from the project through the static web assets manifest.
        builder.WebHost.UseStaticWebAssets();

        builder.Services.AddOptions<WebOptions>().BindConfiguration("Web")
            .Validate(web => web.SignIn.ClientSecret.Length >= 32, "Web:SignIn:ClientSecret must be at least 32 characters.")
            .Validate(web => web.PublicUrl.AbsolutePath.EndsWith('/'), "Web:PublicUrl must end in \"/\".")
            .Validate(web => web.Counselling.Url is not null && web.Handovers.Url is not null, "Web:Counselling:Url and Web:Handovers:Url are needed.")
            .ValidateOnStart();
        var web = builder.Configuration.GetSection("Web").Get<WebOptions>() ?? new WebOptions();

        // Arabic, French and German as they are, not as numeric character references: a third of the page's weight.
        builder.Services.Configure<WebEncoderOptions>(options => options.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<WebSessions>();
        builder.Services.AddSingleton<Texts>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<NetworkApi>();
        builder.Services.AddScoped<NotificationBadge>();
        AddApi(builder, SignInEndpoints.PartnersClient, web => web.Partners.Url);
        AddApi(builder, NetworkApi.Counselling, web => web.Counselling.Url);
        AddApi(builder, NetworkApi.Handovers, web => web.Handovers.Url);

        builder.Services.AddAuthentication(SessionAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthentication>(SessionAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = web.Https ? "__Host-imsa-antiforgery" : "imsa-antiforgery";
            options.Cookie.SecurePolicy = web.Https ? CookieSecurePolicy.Always : CookieSecurePolicy.None;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        builder.Services.AddRazorPages(options =>
        {
            // Every page is behind sign-in unless it says otherwise here.
            options.Conventions.AuthorizeFolder("/");
            options.Conventions.AllowAnonymousToPage("/Index");
            options.Conventions.AllowAnonymousToPage("/Error");
            options.Conventions.AllowAnonymousToPage("/SignInFailed");
            options.Conventions.AllowAnonymousToPage("/Language");
            options.Conventions.AllowAnonymousToPage("/SignOut");
            // The person withdrawing consent has no account: the receipt's code is all they hold.
            options.Conventions.AllowAnonymousToPage("/Withdraw");
        });
        builder.Services.AddHealthChecks();
        return builder;
    }

    public static WebApplication MapWeb(this WebApplication app)
    {
        app.UseExceptionHandler("/error");
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.UseSecurityHeaders();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "public, max-age=86400",
        });
        app.UseLanguages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseSignInAgain();
        app.MapHealthChecks("/health/live").AllowAnonymous();
        app.MapHealthChecks("/health/ready").AllowAnonymous();
        app.MapSignIn();
        app.MapRazorPages();
        return app;
    }

    private static void AddApi(WebApplicationBuilder builder, string name, Func<WebOptions, Uri?> address) =>
        builder.Services.AddHttpClient(name, (services, client) =>
        {
            var web = services.GetRequiredService<IOptions<WebOptions>>().Value;
            client.BaseAddress = SignInEndpoints.Below(address(web) ?? throw new InvalidOperationException($"Web: no address for {name}."), "");
            client.Timeout = TimeSpan.FromSeconds(15);
        });

    /// <summary>
    /// Headers on every answer: the policy above, no sniffing, no referrer; and <c>Cache-Control: no-store</c> on
    /// everything but the static files (they run before this), since a page may show a person's data.
    /// </summary>
    private static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var partners = app.ApplicationServices.GetRequiredService<IOptions<WebOptions>>().Value.Partners.PublicUrl;
        // The sign-out form posts here and is redirected to the token server's end-session page.
        var policy = ContentSecurityPolicy + partners.GetLeftPart(UriPartial.Authority);
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                // Only a static file (answered before routing, so without an endpoint) may be kept by a cache.
                if (context.GetEndpoint() is not null || !headers.CacheControl.ToString().StartsWith("public", StringComparison.Ordinal))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    /// <summary>An API refused the person's token: forget the session and sign in again, back to the same page.</summary>
    private static IApplicationBuilder UseSignInAgain(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (SignInAgainException) when (!context.Response.HasStarted)
            {
                context.EndSession();
                var back = HttpMethods.IsGet(context.Request.Method) ? context.Request.Path + context.Request.QueryString : "/";
                context.Response.Redirect(SessionCookie.SignInPath(back));
            }
        });
}
