using System.Text.Encodings.Web;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using QRCoder;

namespace Imsa.Network.Partners.Identity;

/// <param name="Code">The invitation code (from the mail's link, or typed).</param>
/// <param name="DisplayName">How colleagues see the person.</param>
/// <param name="Password">The password chosen.</param>
/// <param name="Repeat">The same again: there is no other way to notice a typing mistake in a field that shows dots.</param>
public sealed record EnrolmentForm(string? Code = null, string? DisplayName = null, string? Password = null, string? Repeat = null);

/// <param name="Totp">The authenticator's current code.</param>
public sealed record EnrolmentCodeForm(string? Code = null, string? Totp = null);

/// <summary>
/// Where the invitation mail's link leads (`/enrol?code=…`): the person chooses a password, adds the authenticator
/// (a QR code, or the key typed in), confirms it with a code and keeps their recovery codes — the same steps as the
/// API's `/people/enrolment`, in a browser. The code in the link is the proof; the pages carry it in their forms.
/// Unknown, used or expired codes all get the same answer (404), and count towards the address's guess limit.
/// </summary>
internal static class EnrolmentPages
{
    public const string Path = "/enrol";

    private const string NoInvitation = "This invitation cannot be used: it was used already, has expired or was replaced by a newer one. Ask your organisation to invite you again.";

    public static IEndpointRouteBuilder MapEnrolmentPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup(Path).AllowAnonymous().ExcludeFromDescription().WithoutIdempotencyKey();
        pages.MapGet("/", async (HttpContext http, IAntiforgery antiforgery, Enrolment enrolment, string? code, CancellationToken cancellationToken) =>
            code is null
                ? PasswordPage(http, antiforgery, null, null, null, null)
                : await enrolment.OrganisationNameAsync(code, cancellationToken) is { } organisation
                    ? PasswordPage(http, antiforgery, code, organisation, null, null)
                    : PersonPages.Message(http, "Invitation", NoInvitation, StatusCodes.Status404NotFound))
            // Opening a link with a wrong code is a guess like posting one.
            .WithGuessLimit(PartnersServices.InvitationRedemptions);
        pages.MapPost("/", StartAsync).WithGuessLimit(PartnersServices.InvitationRedemptions);
        pages.MapPost("/confirm", ConfirmAsync).WithGuessLimit(PartnersServices.InvitationRedemptions);
        return app;
    }

    private static async Task<IResult> StartAsync([FromForm] EnrolmentForm form, HttpContext http, IAntiforgery antiforgery, Enrolment enrolment, CancellationToken cancellationToken)
    {
        if (form.Password is { Length: > 0 } && form.Password != form.Repeat)
        {
            return PasswordPage(http, antiforgery, form.Code, null, form.DisplayName, new Dictionary<string, string[]> { ["repeat"] = ["The two passwords differ: type the same password twice."] });
        }

        var (key, refusal) = await enrolment.StartAsync(form.Code, form.DisplayName, form.Password, cancellationToken);
        return refusal switch
        {
            null => AuthenticatorPage(http, antiforgery, form.Code!, key!, error: null),
            { Status: StatusCodes.Status404NotFound } => PersonPages.Message(http, "Invitation", NoInvitation, StatusCodes.Status404NotFound),
            { Status: StatusCodes.Status409Conflict } => PersonPages.Message(http, "Invitation", "A person with this address has an account already: sign in instead.", StatusCodes.Status409Conflict),
            _ => PasswordPage(http, antiforgery, form.Code, null, form.DisplayName, refusal.Errors),
        };
    }

    private static async Task<IResult> ConfirmAsync([FromForm] EnrolmentCodeForm form, HttpContext http, IAntiforgery antiforgery, Enrolment enrolment, CancellationToken cancellationToken)
    {
        var (recoveryCodes, _, refusal) = await enrolment.ConfirmAsync(form.Code, form.Totp, cancellationToken);
        if (recoveryCodes is not null)
        {
            return RecoveryCodesPage(http, recoveryCodes);
        }

        if (refusal!.Status is StatusCodes.Status422UnprocessableEntity or StatusCodes.Status429TooManyRequests
            && await enrolment.KeyAsync(form.Code, cancellationToken) is { } key)
        {
            var error = refusal.Status == StatusCodes.Status429TooManyRequests
                ? "Too many wrong codes: wait 15 minutes, then enter the code your authenticator shows then."
                : refusal.Errors!.Values.First()[0];
            return AuthenticatorPage(http, antiforgery, form.Code!, key, error, refusal.Status);
        }

        return PersonPages.Message(http, "Invitation", NoInvitation, StatusCodes.Status404NotFound);
    }

    private static IResult PasswordPage(
        HttpContext http, IAntiforgery antiforgery, string? code, string? organisation, string? displayName, IReadOnlyDictionary<string, string[]>? errors)
    {
        var encode = HtmlEncoder.Default;
        var intro = organisation is null
            ? "<p>Enter the invitation code from your mail, your name and a password.</p>"
            : $"<p>{encode.Encode(organisation)} invites you to IMSA Network. Choose your password; next, you add an authenticator app.</p>";
        return PersonPages.Form(
            http, antiforgery, "Join IMSA Network", Path, returnUrl: null, Summary(errors), $"""
            {intro}
            {Field("code", "Invitation code", "text", code, errors, "autocomplete=\"off\" maxlength=\"100\"")}
            {Field("displayName", "Your name, as colleagues should see it", "text", displayName, errors, "autocomplete=\"name\" maxlength=\"200\"")}
            {Field("password", "Password", "password", null, errors, "autocomplete=\"new-password\" minlength=\"15\" maxlength=\"128\"", Enrolment.PasswordRule)}
            {Field("repeat", "The password again", "password", null, errors, "autocomplete=\"new-password\" maxlength=\"128\"")}
            <button type="submit">Continue</button>
            """);
    }

    private static IResult AuthenticatorPage(HttpContext http, IAntiforgery antiforgery, string code, EnrolmentKey key, string? error, int? status = null)
    {
        var encode = HtmlEncoder.Default;
        var grouped = string.Join(' ', key.Key.Chunk(4).Select(c => new string(c)));
        var qr = Convert.ToBase64String(PngByteQRCodeHelper.GetQRCode(key.Uri, QRCodeGenerator.ECCLevel.M, 8));
        var errors = error is null ? null : new Dictionary<string, string[]> { ["totp"] = [error] };
        return PersonPages.Form(
            http, antiforgery, "Add your authenticator", $"{Path}/confirm", returnUrl: null, Summary(errors), $"""
            <p>Open your authenticator app (for example FreeOTP, Aegis, Google or Microsoft Authenticator) and scan this code:</p>
            <img class="qr" src="data:image/png;base64,{qr}" alt="QR code for your authenticator app">
            <p>Or type this key into the app:</p>
            <p class="key" id="key">{encode.Encode(grouped)}</p>
            <input type="hidden" name="code" value="{encode.Encode(code)}">
            {Field("totp", "The six-digit code the app shows now", "text", null, errors, "autocomplete=\"one-time-code\" inputmode=\"numeric\" maxlength=\"10\"")}
            <button type="submit">Confirm</button>
            """,
            status: status);
    }

    private static IResult RecoveryCodesPage(HttpContext http, IReadOnlyList<string> recoveryCodes)
    {
        var encode = HtmlEncoder.Default;
        var items = string.Concat(recoveryCodes.Select(c => $"<li>{encode.Encode(c)}</li>"));
        return PersonPages.Html(http, "You are enrolled", $"""
            <p>Your account is ready. If you ever lose your authenticator, each of these recovery codes signs you in once
            instead of a code from the app. Print them or write them down now, and keep them apart from your devices:
            they are not shown again.</p>
            <ol class="codes">{items}</ol>
            <p><a href="{encode.Encode($"{http.Request.PathBase}{AccountPages.Path}")}">Sign in to your account</a> to add a passkey, which
            signs you in without password and code, or go to the application your organisation uses.</p>
            """);
    }

    /// <summary>A label, the input, its hint and its messages, tied together for screen readers.</summary>
    private static string Field(
        string name, string label, string type, string? value, IReadOnlyDictionary<string, string[]>? errors, string attributes, string? hint = null)
    {
        var encode = HtmlEncoder.Default;
        var messages = errors?.GetValueOrDefault(name);
        var described = string.Join(' ', new[] { hint is null ? null : $"{name}-hint", messages is null ? null : $"{name}-error" }.OfType<string>());
        return $"""
            <label for="{name}">{encode.Encode(label)}</label>
            {(hint is null ? "" : $"""<p class="hint" id="{name}-hint">{encode.Encode(hint)}</p>""")}
            <input id="{name}" name="{name}" type="{type}" required {attributes}{(value is null ? "" : $" value=\"{encode.Encode(value)}\"")}{(described.Length > 0 ? $" aria-describedby=\"{described}\"" : "")}{(messages is null ? "" : " aria-invalid=\"true\"")}>
            {(messages is null ? "" : $"""<p class="field-error" id="{name}-error">{encode.Encode(string.Join(" ", messages))}</p>""")}
            """;
    }

    private static string? Summary(IReadOnlyDictionary<string, string[]>? errors) =>
        errors is null ? null : errors.Count == 1 ? "Please correct the field marked below." : "Please correct the fields marked below.";
}
