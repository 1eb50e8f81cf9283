using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Identity;

/// <param name="Name">What the person calls the device or password manager holding it ("work laptop").</param>
/// <param name="Credential">The browser's answer (navigator.credentials.create, as JSON).</param>
public sealed record NewPasskeyForm(string? Name = null, string? Credential = null);

/// <param name="Id">The passkey's credential id (base64url).</param>
public sealed record PasskeyChoice(string? Id = null);

/// <summary>
/// A person's own account at the token server (`/account`, behind the sign-in session): who they are signed in
/// as, their passkeys — add one (phishing-resistant: it works only on this site), remove one — and sign-out. Adding
/// a passkey needs a sign-in of the last 10 minutes: a session left open on a shared computer cannot add one.
/// </summary>
internal static class AccountPages
{
    public const string Path = "/account";

    private static readonly TimeSpan Recent = TimeSpan.FromMinutes(10);

    public static IEndpointRouteBuilder MapAccountPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup(Path).AllowAnonymous().ExcludeFromDescription().WithoutIdempotencyKey();
        pages.MapGet("/", async (HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, PartnersDbContext db, TimeProvider time) =>
            await SignedInAsync(http, signIn) is { } session
                ? await AccountPage(http, antiforgery, signIn, db, time, session, message: null, error: null)
                : ToSignIn(http));
        pages.MapPost("/passkeys/options", PasskeyOptionsAsync);
        pages.MapPost("/passkeys", AddPasskeyAsync).AcceptsFreeText("credential");
        pages.MapPost("/passkeys/remove", RemovePasskeyAsync);
        pages.MapPost("/sign-out", async (HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn) =>
        {
            // A form without fields of its own: the antiforgery token is checked here (a foreign page cannot sign anyone out).
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return PersonPages.Message(http, "Sign out", "The page was out of date: go back, load it again and sign out.", StatusCodes.Status400BadRequest);
            }

            await signIn.SignOutAsync();
            return PersonPages.Message(http, "Signed out", "You are signed out of IMSA Network on this browser.", StatusCodes.Status200OK);
        });
        return app;
    }

    /// <summary>The person of this browser's sign-in session, if they may still sign in, and when they signed in.</summary>
    private static async Task<(Person Person, DateTimeOffset SignedInAt)?> SignedInAsync(HttpContext http, SignInManager<Person> signIn)
    {
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!session.Succeeded || await signIn.UserManager.GetUserAsync(session.Principal!) is not { } person
            || !await signIn.CanSignInAsync(person) || await signIn.UserManager.IsLockedOutAsync(person))
        {
            return null;
        }

        var at = long.TryParse(session.Principal!.FindFirstValue(PersonTokens.AuthenticationTime), out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MinValue;
        return (person, at);
    }

    private static IResult ToSignIn(HttpContext http) =>
        Results.Redirect($"{http.Request.PathBase}{SignInPages.Path}?returnUrl={Uri.EscapeDataString($"{http.Request.PathBase}{Path}")}");

    private static async Task<IResult> PasskeyOptionsAsync(HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, TimeProvider time)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The page is out of date: load it again.");
        }

        if (await SignedInAsync(http, signIn) is not { } session || time.GetUtcNow() - session.SignedInAt > Recent)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Sign in again to add a passkey.");
        }

        var person = session.Person;
        http.Response.Headers.CacheControl = "no-store";
        return Results.Content(
            await signIn.MakePasskeyCreationOptionsAsync(new PasskeyUserEntity { Id = person.Id.ToString(), Name = person.Email!, DisplayName = person.DisplayName }),
            "application/json");
    }

    private static async Task<IResult> AddPasskeyAsync(
        [FromForm] NewPasskeyForm form, HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, PartnersDbContext db, TimeProvider time)
    {
        if (await SignedInAsync(http, signIn) is not { } session)
        {
            return ToSignIn(http);
        }

        var person = session.Person;
        var name = string.IsNullOrWhiteSpace(form.Name) ? "Passkey" : form.Name.Trim();
        if (name.Length > 100)
        {
            return await AccountPage(http, antiforgery, signIn, db, time, session, null, "A passkey's name has at most 100 characters.");
        }

        if (time.GetUtcNow() - session.SignedInAt > Recent)
        {
            return await AccountPage(http, antiforgery, signIn, db, time, session, null, "Sign in again to add a passkey: your sign-in is more than 10 minutes old.");
        }

        if ((await signIn.UserManager.GetPasskeysAsync(person)).Count >= Passkeys.MaximumPerPerson)
        {
            return await AccountPage(http, antiforgery, signIn, db, time, session, null, $"At most {Passkeys.MaximumPerPerson} passkeys: remove one first.");
        }

        var passkey = await Passkeys.AttestAsync(signIn, form.Credential);
        if (passkey is null)
        {
            return await AccountPage(http, antiforgery, signIn, db, time, session, null, "The passkey was not added: the browser's answer did not check out. Try again.");
        }

        passkey.Name = name;
        var added = await signIn.UserManager.AddOrUpdatePasskeyAsync(person, passkey);
        if (!added.Succeeded)
        {
            return await AccountPage(http, antiforgery, signIn, db, time, session, null, "The passkey was not added: try again.");
        }

        db.CredentialEvents.Add(CredentialEvent.Of(
            person.OrganisationId, "passkey-added", time.GetUtcNow(), new CredentialActor(person.OrganisationId, null, person.Id), personId: person.Id));
        await db.SaveChangesAsync();
        return await AccountPage(http, antiforgery, signIn, db, time, session, $"Passkey “{name}” added. Next time, choose “Sign in with a passkey”.", null);
    }

    private static async Task<IResult> RemovePasskeyAsync(
        [FromForm] PasskeyChoice form, HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, PartnersDbContext db, TimeProvider time)
    {
        if (await SignedInAsync(http, signIn) is not { } session)
        {
            return ToSignIn(http);
        }

        var person = session.Person;
        byte[] id;
        try
        {
            id = WebEncoders.Base64UrlDecode(form.Id ?? "");
        }
        catch (FormatException)
        {
            id = [];
        }

        if (id.Length == 0 || await signIn.UserManager.GetPasskeyAsync(person, id) is null)
        {
            return await AccountPage(http, antiforgery, signIn, db, time, session, null, "There is no such passkey.", StatusCodes.Status404NotFound);
        }

        await signIn.UserManager.RemovePasskeyAsync(person, id);
        db.CredentialEvents.Add(CredentialEvent.Of(
            person.OrganisationId, "passkey-removed", time.GetUtcNow(), new CredentialActor(person.OrganisationId, null, person.Id), personId: person.Id));
        await db.SaveChangesAsync();
        return await AccountPage(http, antiforgery, signIn, db, time, session, "Passkey removed.", null);
    }

    private static async Task<IResult> AccountPage(
        HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, PartnersDbContext db, TimeProvider time,
        (Person Person, DateTimeOffset SignedInAt) session, string? message, string? error, int? status = null)
    {
        var (person, signedInAt) = session;
        var encode = HtmlEncoder.Default;
        var pathBase = http.Request.PathBase;
        var organisation = await db.Organisations.Where(o => o.Id == person.OrganisationId).Select(o => o.Name).FirstAsync();
        var passkeys = await signIn.UserManager.GetPasskeysAsync(person);
        var rows = string.Concat(passkeys.OrderBy(p => p.CreatedAt).Select(p => $"""
            <tr><td>{encode.Encode(p.Name ?? "Passkey")}</td><td>{p.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC</td>
            <td><form method="post" action="{encode.Encode($"{pathBase}{Path}/passkeys/remove")}">{PersonPages.Hidden(http, antiforgery)}
            <input type="hidden" name="id" value="{WebEncoders.Base64UrlEncode(p.CredentialId)}">
            <button type="submit" class="secondary" aria-label="Remove {encode.Encode(p.Name ?? "Passkey")}">Remove</button></form></td></tr>
            """));
        var list = passkeys.Count == 0
            ? "<p>You have no passkey yet.</p>"
            : $"""<table><caption class="hint">Your passkeys</caption><thead><tr><th scope="col">Name</th><th scope="col">Added</th><th scope="col"><span class="hint">Action</span></th></tr></thead><tbody>{rows}</tbody></table>""";
        var add = time.GetUtcNow() - signedInAt <= Recent
            ? $"""
              <form method="post" action="{encode.Encode($"{pathBase}{Path}/passkeys")}" data-passkey="create"
                    data-options="{encode.Encode($"{pathBase}{Path}/passkeys/options")}" data-failed="The browser or the authenticator did not create a passkey. Try again." hidden>
              {PersonPages.Hidden(http, antiforgery)}
              <input type="hidden" name="credential" value="">
              <label for="name">Name of the new passkey</label>
              <input id="name" name="name" type="text" maxlength="100" placeholder="Work laptop" autocomplete="off">
              <button type="submit">Add a passkey</button>
              <p data-passkey-status role="status" class="field-error"></p>
              </form>
              """
            : $"""<p><a href="{encode.Encode($"{pathBase}{SignInPages.Path}?returnUrl={Uri.EscapeDataString($"{pathBase}{Path}")}")}">Sign in again</a> to add a passkey.</p>""";
        var body = $"""
            {(error is null ? "" : $"""<p class="error" role="alert">{encode.Encode(error)}</p>""")}
            {(message is null ? "" : $"""<p role="status">{encode.Encode(message)}</p>""")}
            <p>{encode.Encode(person.DisplayName)} ({encode.Encode(person.Email ?? "")}), {encode.Encode(person.Role)} at {encode.Encode(organisation)}.</p>
            <h2>Passkeys</h2>
            <p>A passkey signs you in with your device's screen lock or a security key instead of the password and code,
            and it works only on this site, so a fake page cannot catch it.</p>
            {list}
            {add}
            <h2>Sign out</h2>
            <form method="post" action="{encode.Encode($"{pathBase}{Path}/sign-out")}">{PersonPages.Hidden(http, antiforgery)}
            <button type="submit" class="secondary">Sign out</button></form>
            """;
        return PersonPages.Html(http, "Your account", body, status ?? (error is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity));
    }
}

/// <summary>Identity's passkey ceremonies, with a missing or expired ceremony and a malformed answer read as a plain failure.</summary>
internal static class Passkeys
{
    public const int MaximumPerPerson = 10;

    /// <summary>A browser's answer is a few kilobytes; more is not one.</summary>
    private const int MaximumAnswer = 64 * 1024;

    public static async Task<PasskeyAssertionResult<Person>?> AssertAsync(SignInManager<Person> signIn, string? credential)
    {
        if (credential is not { Length: > 0 and <= MaximumAnswer })
        {
            return null;
        }

        try
        {
            var result = await signIn.PerformPasskeyAssertionAsync(credential);
            return result.Succeeded ? result : null;
        }
        catch (InvalidOperationException)
        {
            // No ceremony under way: the step cookie is older than five minutes, or was never set.
            return null;
        }
    }

    public static async Task<UserPasskeyInfo?> AttestAsync(SignInManager<Person> signIn, string? credential)
    {
        if (credential is not { Length: > 0 and <= MaximumAnswer })
        {
            return null;
        }

        try
        {
            var result = await signIn.PerformPasskeyAttestationAsync(credential);
            return result.Succeeded ? result.Passkey : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
