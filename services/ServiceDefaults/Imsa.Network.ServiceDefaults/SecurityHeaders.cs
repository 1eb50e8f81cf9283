using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Imsa.Network.ServiceDefaults;

/// <summary>
/// Headers on every response a service sends — API, problem, health, Swagger UI: no content sniffing
/// (<c>X-Content-Type-Options: nosniff</c>), no framing (<c>Content-Security-Policy: frame-ancestors 'none'</c>, and
/// <c>X-Frame-Options: DENY</c> for older browsers), no referrer, and <c>Cache-Control: no-store</c> on everything
/// but an anonymous GET of an endpoint open to anyone (public reference data, health). Everything else is for a
/// caller with a token, or is the token endpoint or the consent withdrawal by code: personal data, receipts,
/// withdrawal codes and secrets, which no cache may keep — nor a refusal of them. (Kestrel's Server header is
/// switched off in <see cref="ServiceDefaultsExtensions.AddServiceDefaults"/>.)
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// Only framing is restricted: a fuller policy (default-src, script-src) would stop the Swagger UI's own scripts
    /// and styles, and an API answer is not rendered anyway (nosniff).
    /// </summary>
    public const string ContentSecurityPolicy = "frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // Set as the answer starts, not now: the exception handler clears the headers of a failed request.
            context.Response.OnStarting(Apply, context);
            return next(context);
        });

    private static Task Apply(object state)
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // A page may set a stricter policy of its own (the token server's sign-in pages do).
        if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
        }
        headers["Referrer-Policy"] = "no-referrer";
        if (!IsPublic(context))
        {
            headers.CacheControl = "no-store";
        }

        return Task.CompletedTask;
    }

    private static bool IsPublic(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null;
}
