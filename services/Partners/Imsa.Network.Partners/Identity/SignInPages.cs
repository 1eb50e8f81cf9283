using System.Security.Claims;
using System.Text.Encodings.Web;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using SignInResult = Microsoft.AspNetCore.Identity.SignInResult;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Identity;

/// <param name="Email">The person's work address.</param>
/// <param name="Password">Their password.</param>
/// <param name="ReturnUrl">The authorization request to continue (/connect/authorize?…).</param>
public sealed record PasswordForm(string? Email = null, string? Password = null, string? ReturnUrl = null);

/// <param name="Credential">The browser's answer to the passkey challenge (navigator.credentials.get, as JSON).</param>
public sealed record PasskeyForm(string? Credential = null, string? ReturnUrl = null);

/// <param name="Code">The authenticator's current six-digit code, or one of the person's recovery codes.</param>
public sealed record CodeForm(string? Code = null, string? ReturnUrl = null);

/// <summary>
/// The token server's own sign-in pages, where a person proves who they are before an application gets a code for
/// them: the password, then the authenticator's code (or a recovery code). Every refusal says the same — never
/// whether the address exists, the password was wrong or the account is locked — and every wrong answer counts
/// towards the lockout (five: 15 minutes). Plain HTML forms with an antiforgery token; no script.
/// </summary>
internal static class SignInPages
{
    public const string Path = "/sign-in";

    private const string PasskeyFailed = "The passkey did not work. Try again, or sign in with your password and code.";

    private const string Refused = "The address, password or code is not right, or the account cannot sign in now. Check them and try again; after several wrong attempts, wait 15 minutes.";

    /// <summary>Compared against when no person has the address, so an unknown address takes as long as a wrong password.</summary>
    private static readonly Lazy<string> NobodysHash = new(() => new PasswordHasher<Person>().HashPassword(new Person(), "no such person"));

    public static IEndpointRouteBuilder MapSignInPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup(Path).AllowAnonymous().ExcludeFromDescription().WithoutIdempotencyKey();
        pages.MapGet("/", (HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
            PasswordPage(http, antiforgery, AuthorizeUrlOrNull(http, returnUrl), error: null));
        pages.MapPost("/", PasswordAsync);
        pages.MapGet("/code", async (HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, string? returnUrl) =>
            await signIn.GetTwoFactorAuthenticationUserAsync() is null
                ? Results.Redirect(SignInUrl(http, returnUrl))
                : CodePage(http, antiforgery, AuthorizeUrlOrNull(http, returnUrl), error: null));
        pages.MapPost("/code", CodeAsync);
        pages.MapPost("/passkey/options", PasskeyOptionsAsync);
        // A browser's answer to a passkey challenge is a few kilobytes of JSON.
        pages.MapPost("/passkey", PasskeyAsync).AcceptsFreeText("credential");
        app.MapPersonPageAssets();
        return app;
    }

    private static async Task<IResult> PasswordAsync(
        [FromForm] PasswordForm form, HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, PartnersDbContext db, TimeProvider time)
    {
        var returnUrl = AuthorizeUrlOrNull(http, form.ReturnUrl);
        var email = form.Email?.Trim() ?? "";
        var person = email.Length is > 0 and <= 254 ? await signIn.UserManager.FindByEmailAsync(email) : null;
        if (person is null || string.IsNullOrEmpty(form.Password))
        {
            signIn.UserManager.PasswordHasher.VerifyHashedPassword(new Person(), NobodysHash.Value, form.Password ?? "");
            return PasswordPage(http, antiforgery, returnUrl, Refused);
        }

        await using var transaction = await LockAsync(db, person);
        var wasLockedOut = await signIn.UserManager.IsLockedOutAsync(person);
        if (wasLockedOut || !await signIn.CanSignInAsync(person))
        {
            // Identity answers these without hashing: hash anyway, so the answer takes as long as a wrong password.
            signIn.UserManager.PasswordHasher.VerifyHashedPassword(person, person.PasswordHash ?? NobodysHash.Value, form.Password);
        }

        var result = await signIn.PasswordSignInAsync(person, form.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.RequiresTwoFactor)
        {
            await transaction.CommitAsync();
            return Results.Redirect($"{http.Request.PathBase}{Path}/code{Query(returnUrl)}");
        }

        if (result.Succeeded)
        {
            // Everyone enrols with an authenticator; a person without one never gets a session on a password alone.
            await signIn.SignOutAsync();
        }

        await RecordLockoutAsync(db, signIn.UserManager, person, wasLockedOut, time);
        await transaction.CommitAsync();
        return PasswordPage(http, antiforgery, returnUrl, Refused);
    }

    /// <summary>
    /// One attempt at a time per person (the row locked for this transaction, the person read again under the lock):
    /// parallel guesses each count, so the lockout after five holds.
    /// </summary>
    private static async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction> LockAsync(PartnersDbContext db, Person person)
    {
        var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM identity.people WHERE \"Id\" = {person.Id} FOR UPDATE");
        await db.Entry(person).ReloadAsync();
        return transaction;
    }

    private static async Task<IResult> CodeAsync(
        [FromForm] CodeForm form, HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, PartnersDbContext db, TimeProvider time)
    {
        var returnUrl = AuthorizeUrlOrNull(http, form.ReturnUrl);
        var person = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (person is null)
        {
            // The password step is more than five minutes old, or never happened.
            return Results.Redirect(SignInUrl(http, returnUrl));
        }

        var code = new string((form.Code ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray());
        await using var transaction = await LockAsync(db, person);
        var wasLockedOut = await signIn.UserManager.IsLockedOutAsync(person);
        string[] methods;
        SignInResult result;
        if (code.Length == 6 && code.All(char.IsAsciiDigit))
        {
            methods = [PersonTokens.Password, PersonTokens.OneTimeCode, PersonTokens.MultiFactor];
            result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        }
        else
        {
            methods = [PersonTokens.Password, PersonTokens.MultiFactor];
            result = code.Length is > 0 and <= 20 && !wasLockedOut
                ? await signIn.TwoFactorRecoveryCodeSignInAsync(code)
                : SignInResult.Failed;
            if (!result.Succeeded && !wasLockedOut)
            {
                // Identity does not count wrong recovery codes; here every wrong code counts.
                await signIn.UserManager.AccessFailedAsync(person);
            }
        }

        if (!result.Succeeded)
        {
            await RecordLockoutAsync(db, signIn.UserManager, person, wasLockedOut, time);
            await transaction.CommitAsync();
            return CodePage(http, antiforgery, returnUrl, Refused);
        }

        await SignInAsync(http, signIn, db, time, person, methods, methods.Contains(PersonTokens.OneTimeCode) ? "authenticator code" : "recovery code");
        await transaction.CommitAsync();
        return Continue(http, returnUrl);
    }

    /// <summary>A passkey ceremony's challenge, kept in the short-lived step cookie until the browser answers it.</summary>
    private static async Task<IResult> PasskeyOptionsAsync(HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The page is out of date: load it again.");
        }

        http.Response.Headers.CacheControl = "no-store";
        // No person named: the browser offers the passkeys it holds for this site, and the answer names the person.
        return Results.Content(await signIn.MakePasskeyRequestOptionsAsync(null), "application/json");
    }

    /// <summary>
    /// Sign-in with a passkey: the authenticator's signature over the challenge, made after it verified the person
    /// (PIN or biometrics: user verification is required), so it counts as two factors (RFC 8176 "pop" and "mfa").
    /// The same refusals as the password: locked, not enrolled, deactivated.
    /// </summary>
    private static async Task<IResult> PasskeyAsync(
        [FromForm] PasskeyForm form, HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, PartnersDbContext db, TimeProvider time)
    {
        var returnUrl = AuthorizeUrlOrNull(http, form.ReturnUrl);
        var asserted = await Passkeys.AssertAsync(signIn, form.Credential);
        if (asserted is not { User: { } person, Passkey: { } passkey })
        {
            return PasswordPage(http, antiforgery, returnUrl, PasskeyFailed);
        }

        await using var transaction = await LockAsync(db, person);
        if (await signIn.UserManager.IsLockedOutAsync(person) || !await signIn.CanSignInAsync(person)
            || !(await signIn.UserManager.AddOrUpdatePasskeyAsync(person, passkey)).Succeeded)
        {
            return PasswordPage(http, antiforgery, returnUrl, Refused);
        }

        await SignInAsync(http, signIn, db, time, person, [PersonTokens.ProofOfPossession, PersonTokens.MultiFactor], "passkey");
        await transaction.CommitAsync();
        return Continue(http, returnUrl);
    }

    /// <summary>The sign-in session, saying how and when the person signed in (amr, auth_time) for the tokens issued from it; audited.</summary>
    private static async Task SignInAsync(HttpContext http, SignInManager<Person> signIn, PartnersDbContext db, TimeProvider time, Person person, string[] methods, string how)
    {
        await signIn.SignInWithClaimsAsync(
            person,
            isPersistent: false,
            [
                .. methods.Select(m => new Claim(PersonTokens.MethodsClaim, m)),
                new Claim(PersonTokens.AuthenticationTime, time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ]);
        db.CredentialEvents.Add(CredentialEvent.Of(
            person.OrganisationId, "person-signed-in", time.GetUtcNow(), new CredentialActor(person.OrganisationId, null, person.Id), personId: person.Id, reason: how));
        await db.SaveChangesAsync();
    }

    /// <summary>Back to the authorization request (or the account page) the person came from.</summary>
    private static IResult Continue(HttpContext http, string? returnUrl) =>
        returnUrl is not null
            ? Results.Redirect(returnUrl)
            : Html(http, "Signed in", "<p>You are signed in. Go back to the application you came from.</p>");

    /// <summary>A credential event when this attempt started a lockout, so the organisation sees attacks on its people.</summary>
    private static async Task RecordLockoutAsync(PartnersDbContext db, UserManager<Person> people, Person person, bool wasLockedOut, TimeProvider time)
    {
        if (!wasLockedOut && await people.IsLockedOutAsync(person))
        {
            db.CredentialEvents.Add(CredentialEvent.Of(
                person.OrganisationId, "person-locked-out", time.GetUtcNow(), CredentialActor.Service, personId: person.Id,
                reason: "5 wrong passwords or codes"));
            await db.SaveChangesAsync();
        }
    }

    /// <summary>Only the token server's own authorization endpoint, or the person's account page, is a place to return to: never another site.</summary>
    public static string? AuthorizeUrlOrNull(HttpContext http, string? url)
    {
        var prefix = $"{http.Request.PathBase}/connect/authorize?";
        if (url == $"{http.Request.PathBase}{AccountPages.Path}")
        {
            return url;
        }

        return url is { Length: <= 4096 } && url.StartsWith(prefix, StringComparison.Ordinal) && !url.Contains('\\', StringComparison.Ordinal)
            && url.All(c => c is > ' ' and < (char)0x7F)
            ? url
            : null;
    }

    public static string SignInUrl(HttpContext http, string? returnUrl) => $"{http.Request.PathBase}{Path}{Query(AuthorizeUrlOrNull(http, returnUrl))}";

    private static string Query(string? returnUrl) => returnUrl is null ? "" : $"?returnUrl={Uri.EscapeDataString(returnUrl)}";

    private static IResult PasswordPage(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error) =>
        PersonPages.Form(http, antiforgery, "Sign in to IMSA Network", Path, returnUrl, error, $"""
            <label for="email">E-mail address</label>
            <input id="email" name="email" type="email" autocomplete="username" required maxlength="254"{PersonPages.Invalid(error)}>
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128"{PersonPages.Invalid(error)}>
            <button type="submit">Continue</button>
            """,
            after: PasskeyForm(http, antiforgery, returnUrl));

    /// <summary>Hidden until the script finds a browser that can use passkeys.</summary>
    private static string PasskeyForm(HttpContext http, IAntiforgery antiforgery, string? returnUrl)
    {
        var encode = HtmlEncoder.Default;
        var pathBase = http.Request.PathBase;
        return $"""
            <form class="or" method="post" action="{encode.Encode($"{pathBase}{Path}/passkey")}" data-passkey="get"
                  data-options="{encode.Encode($"{pathBase}{Path}/passkey/options")}" data-failed="{encode.Encode(PasskeyFailed)}" hidden>
            {PersonPages.Hidden(http, antiforgery)}
            <input type="hidden" name="returnUrl" value="{encode.Encode(returnUrl ?? "")}">
            <input type="hidden" name="credential" value="">
            <p>Have you added a passkey on this device or your phone? It replaces both the password and the code.</p>
            <button type="submit" class="secondary">Sign in with a passkey</button>
            <p data-passkey-status role="status" class="field-error"></p>
            </form>
            """;
    }

    private static IResult CodePage(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error) =>
        PersonPages.Form(http, antiforgery, "Your authenticator code", $"{Path}/code", returnUrl, error, $"""
            <p id="hint">Enter the six-digit code your authenticator app shows now. Lost the authenticator? Enter one of your recovery codes instead.</p>
            <label for="code">Code</label>
            <input id="code" name="code" type="text" autocomplete="one-time-code" required maxlength="24" autofocus aria-describedby="hint{(error is null ? "" : " error")}"{(error is null ? "" : " aria-invalid=\"true\"")}>
            <button type="submit">Sign in</button>
            """);

    /// <summary>A page with a message only (no form).</summary>
    public static IResult Message(HttpContext http, string title, string text, int status) => PersonPages.Message(http, title, text, status);

    private static IResult Html(HttpContext http, string title, string body) => PersonPages.Html(http, title, body);
}
