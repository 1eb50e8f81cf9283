using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Antiforgery;

namespace Imsa.Network.Partners.Identity;

/// <summary>
/// The token server's own pages for people — sign-in, enrolment, their account — as plain HTML: forms with an
/// antiforgery token, one stylesheet, and one small script of its own (passkeys) that the pages work without.
/// Never cached, never framed, no script but the token server's own file.
/// </summary>
internal static class PersonPages
{
    public const string StylePath = "/sign-in/style.css";

    public const string ScriptPath = "/sign-in/passkey.js";

    /// <summary>Letters of every script as they are (Arabic stays readable, and small); whatever HTML gives a meaning to is encoded.</summary>
    public static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static IEndpointRouteBuilder MapPersonPageAssets(this IEndpointRouteBuilder app)
    {
        var assets = app.MapGroup("").AllowAnonymous().ExcludeFromDescription();
        assets.MapGet(StylePath, (HttpContext http) => Asset(http, Style, "text/css"));
        assets.MapGet(ScriptPath, (HttpContext http) => Asset(http, Script, "text/javascript"));
        return app;
    }

    private static IResult Asset(HttpContext http, string text, string type)
    {
        http.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Text(text, type);
    }

    /// <summary>A page with a form posting to <paramref name="action"/>: the antiforgery token and the return address go with it.</summary>
    public static IResult Form(
        HttpContext http, IAntiforgery antiforgery, string title, string action, string? returnUrl, string? error, string fields,
        int? status = null, string? after = null, PersonLanguage? language = null)
    {
        var encode = Encoder;
        var alert = error is null ? "" : $"""<p id="error" class="error" role="alert">{encode.Encode(error)}</p>""";
        var body = $"""
            {alert}
            <form method="post" action="{encode.Encode($"{http.Request.PathBase}{action}")}">
            {Hidden(http, antiforgery)}
            <input type="hidden" name="returnUrl" value="{encode.Encode(returnUrl ?? "")}">
            {fields}
            </form>
            {after}
            """;
        return Html(http, title, body, status ?? (error is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity), language);
    }

    /// <summary>The antiforgery token as a hidden field, for a form of a page's own.</summary>
    public static string Hidden(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var encode = Encoder;
        return $"""<input type="hidden" name="{encode.Encode(tokens.FormFieldName)}" value="{encode.Encode(tokens.RequestToken ?? "")}">""";
    }

    /// <summary>aria-invalid and the error's id on a field the message names.</summary>
    public static string Invalid(string? error, string errorId = "error") =>
        error is null ? "" : $""" aria-invalid="true" aria-describedby="{errorId}" """.TrimEnd();

    /// <summary>A page with a message only (no form).</summary>
    public static IResult Message(HttpContext http, string title, string text, int status, PersonLanguage? language = null) =>
        Html(http, title, $"<p>{Encoder.Encode(text)}</p>", status, language);

    /// <summary>The page in <paramref name="language"/> (its lang and direction; English when not given).</summary>
    public static IResult Html(HttpContext http, string title, string body, int status = StatusCodes.Status200OK, PersonLanguage? language = null)
    {
        language ??= PersonLanguage.English;
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        // The token server's own script and style only; images only as data (an authenticator's QR code); fetch only
        // here (a passkey's challenge). No form-action: after sign-in the answer redirects to the application.
        headers.ContentSecurityPolicy =
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src data:; base-uri 'none'; frame-ancestors 'none'";
        var encode = Encoder;
        return Results.Content(
            $"""
            <!doctype html>
            <html lang="{language.Code}" dir="{language.Direction}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{encode.Encode(title)} — IMSA Network</title>
            <link rel="stylesheet" href="{encode.Encode($"{http.Request.PathBase}{StylePath}")}">
            <script src="{encode.Encode($"{http.Request.PathBase}{ScriptPath}")}" defer></script>
            </head>
            <body>
            <main>
            <h1>{encode.Encode(title)}</h1>
            {body}
            </main>
            </body>
            </html>
            """,
            "text/html; charset=utf-8",
            statusCode: status);
    }

    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 0; background: #f4f6f8; color: #1b1f24; }
        main { max-width: 30rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: .5rem; box-shadow: 0 1px 3px #0002; }
        h1 { font-size: 1.4rem; margin-top: 0; }
        h2 { font-size: 1.1rem; margin-top: 2rem; }
        label { display: block; margin-top: 1rem; font-weight: 600; }
        input { box-sizing: border-box; width: 100%; padding: .6rem; margin-top: .3rem; font-size: 1rem; border: 1px solid #57606a; border-radius: .3rem; }
        button { margin-top: 1.5rem; padding: .7rem 1.4rem; font-size: 1rem; background: #0b5394; color: #fff; border: 0; border-radius: .3rem; cursor: pointer; }
        button.secondary { background: #fff; color: #0b5394; border: 2px solid #0b5394; }
        button:focus, input:focus, a:focus { outline: 3px solid #f0b400; outline-offset: 2px; }
        a { color: #0b5394; }
        .error { padding: .8rem; background: #fdecea; border-inline-start: 4px solid #b3261e; color: #5c0f0b; }
        .field-error { color: #8c1d18; margin: .3rem 0 0; }
        .hint { color: #424a53; margin: .3rem 0 0; }
        .key { font-family: ui-monospace, monospace; font-size: 1.1rem; letter-spacing: .05rem; word-break: break-all; }
        .codes { font-family: ui-monospace, monospace; font-size: 1.1rem; columns: 2; padding-inline-start: 1.5rem; }
        .qr { display: block; width: 12rem; height: 12rem; image-rendering: pixelated; margin: 1rem 0; }
        .or { margin: 2rem 0 0; padding-top: 1rem; border-top: 1px solid #d0d7de; }
        table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
        th, td { text-align: start; padding: .4rem; border-bottom: 1px solid #d0d7de; }
        td form button { margin: 0; padding: .3rem .8rem; }
        [hidden] { display: none !important; }
        @media print { main { box-shadow: none; margin: 0; } button, form { display: none; } }
        """;

    /// <summary>
    /// Passkeys (WebAuthn), for a form marked data-passkey="get" (sign in) or "create" (add one): asks the token server
    /// for the ceremony's options, lets the browser and the authenticator answer, and posts the answer with the form.
    /// Without a browser that can, the form stays hidden and the password and code remain.
    /// </summary>
    private const string Script = """
        "use strict";
        (() => {
          const supported = typeof PublicKeyCredential === "function"
            && typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function"
            && typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function";
          for (const form of document.querySelectorAll("form[data-passkey]")) {
            if (!supported) continue;
            form.hidden = false;
            const status = form.querySelector("[data-passkey-status]");
            form.addEventListener("submit", async (event) => {
              event.preventDefault();
              status.textContent = "";
              try {
                const token = form.querySelector("input[name='__RequestVerificationToken']").value;
                const answer = await fetch(form.dataset.options, { method: "POST", headers: { "RequestVerificationToken": token }, credentials: "same-origin" });
                if (!answer.ok) throw new Error("options");
                const options = await answer.json();
                const credential = form.dataset.passkey === "create"
                  ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
                  : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
                form.querySelector("input[name='credential']").value = JSON.stringify(credential);
                form.submit();
              } catch {
                status.textContent = form.dataset.failed;
              }
            });
          }
        })();
        """;
}
