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
/// towards the lockout (five: 15 minutes). Plain HTML forms with an antiforgery token; no script. In the language
/// the application asked for (<see cref="PersonLanguage"/>): German, English, French or Arabic.
/// </summary>
internal static class SignInPages
{
    public const string Path = "/sign-in";

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
            return PasswordPage(http, antiforgery, returnUrl, Text.Refused);
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

        await RecordLockoutAsync(db, signIn.UserManager, person, wasLockedOut, time, http.RequestServices.GetRequiredService<PartnersMetrics>());
        await transaction.CommitAsync();
        return PasswordPage(http, antiforgery, returnUrl, Text.Refused);
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
            await RecordLockoutAsync(db, signIn.UserManager, person, wasLockedOut, time, http.RequestServices.GetRequiredService<PartnersMetrics>());
            await transaction.CommitAsync();
            return CodePage(http, antiforgery, returnUrl, Text.Refused);
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
            return PasswordPage(http, antiforgery, returnUrl, Text.PasskeyFailed);
        }

        await using var transaction = await LockAsync(db, person);
        if (await signIn.UserManager.IsLockedOutAsync(person) || !await signIn.CanSignInAsync(person)
            || !(await signIn.UserManager.AddOrUpdatePasskeyAsync(person, passkey)).Succeeded)
        {
            return PasswordPage(http, antiforgery, returnUrl, Text.Refused);
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
    private static IResult Continue(HttpContext http, string? returnUrl)
    {
        var language = PersonLanguage.Of(http, returnUrl);
        return returnUrl is not null
            ? Results.Redirect(returnUrl)
            : PersonPages.Message(http, Text.SignedInTitle.In(language), Text.SignedIn.In(language), StatusCodes.Status200OK, language);
    }

    /// <summary>A credential event when this attempt started a lockout, so the organisation sees attacks on its people.</summary>
    private static async Task RecordLockoutAsync(
        PartnersDbContext db, UserManager<Person> people, Person person, bool wasLockedOut, TimeProvider time, PartnersMetrics metrics)
    {
        if (!wasLockedOut && await people.IsLockedOutAsync(person))
        {
            metrics.PersonLockout();
            db.CredentialEvents.Add(CredentialEvent.Of(
                person.OrganisationId, "person-locked-out", time.GetUtcNow(), CredentialActor.Service, personId: person.Id,
                reason: "5 wrong passwords or codes"));
            await db.SaveChangesAsync();
        }
    }

    /// <summary>Only the token server's own authorization endpoint, or the person's account page (in a language), is a place to return to: never another site.</summary>
    public static string? AuthorizeUrlOrNull(HttpContext http, string? url)
    {
        var prefix = $"{http.Request.PathBase}/connect/authorize?";
        var account = $"{http.Request.PathBase}{AccountPages.Path}";
        if (url == account || (url is not null && url.StartsWith(account + "?lang=", StringComparison.Ordinal) && PersonLanguage.Named(url[(account.Length + 6)..]) is not null))
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

    private static IResult PasswordPage(HttpContext http, IAntiforgery antiforgery, string? returnUrl, Said? error)
    {
        var language = PersonLanguage.Of(http, returnUrl);
        var message = error?.In(language);
        return PersonPages.Form(http, antiforgery, Text.Title.In(language), Path, returnUrl, message, $"""
            <label for="email">{Text.Email.In(language)}</label>
            <input id="email" name="email" type="email" autocomplete="username" required maxlength="254" dir="ltr"{PersonPages.Invalid(message)}>
            <label for="password">{Text.Password.In(language)}</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128" dir="ltr"{PersonPages.Invalid(message)}>
            <button type="submit">{Text.Continue.In(language)}</button>
            """,
            after: PasskeyForm(http, antiforgery, returnUrl, language),
            language: language);
    }

    /// <summary>Hidden until the script finds a browser that can use passkeys.</summary>
    private static string PasskeyForm(HttpContext http, IAntiforgery antiforgery, string? returnUrl, PersonLanguage language)
    {
        var encode = HtmlEncoder.Default;
        var pathBase = http.Request.PathBase;
        return $"""
            <form class="or" method="post" action="{encode.Encode($"{pathBase}{Path}/passkey")}" data-passkey="get"
                  data-options="{encode.Encode($"{pathBase}{Path}/passkey/options")}" data-failed="{encode.Encode(Text.PasskeyFailed.In(language))}" hidden>
            {PersonPages.Hidden(http, antiforgery)}
            <input type="hidden" name="returnUrl" value="{encode.Encode(returnUrl ?? "")}">
            <input type="hidden" name="credential" value="">
            <p>{Text.PasskeyQuestion.In(language)}</p>
            <button type="submit" class="secondary">{Text.PasskeyButton.In(language)}</button>
            <p data-passkey-status role="status" class="field-error"></p>
            </form>
            """;
    }

    private static IResult CodePage(HttpContext http, IAntiforgery antiforgery, string? returnUrl, Said? error)
    {
        var language = PersonLanguage.Of(http, returnUrl);
        return PersonPages.Form(http, antiforgery, Text.CodeTitle.In(language), $"{Path}/code", returnUrl, error?.In(language), $"""
            <p id="hint">{Text.CodeHint.In(language)}</p>
            <label for="code">{Text.Code.In(language)}</label>
            <input id="code" name="code" type="text" autocomplete="one-time-code" required maxlength="24" autofocus dir="ltr" aria-describedby="hint{(error is null ? "" : " error")}"{(error is null ? "" : " aria-invalid=\"true\"")}>
            <button type="submit">{Text.SignIn.In(language)}</button>
            """,
            language: language);
    }

    /// <summary>A page with a message only (no form).</summary>
    public static IResult Message(HttpContext http, string title, string text, int status) => PersonPages.Message(http, title, text, status);

    /// <summary>The sign-in pages' texts; every one in German, English, French and Arabic (a constructor, so none is left out).</summary>
    private static class Text
    {
        public static readonly Said Title = new("Sign in to IMSA Network", "Bei IMSA Network anmelden", "Se connecter à IMSA Network", "تسجيل الدخول إلى شبكة IMSA");

        public static readonly Said Email = new("E-mail address", "E-Mail-Adresse", "Adresse e-mail", "البريد الإلكتروني");

        public static readonly Said Password = new("Password", "Passwort", "Mot de passe", "كلمة المرور");

        public static readonly Said Continue = new("Continue", "Weiter", "Continuer", "متابعة");

        public static readonly Said PasskeyQuestion = new(
            "Have you added a passkey on this device or your phone? It replaces both the password and the code.",
            "Haben Sie auf diesem Gerät oder Ihrem Telefon einen Passkey hinzugefügt? Er ersetzt Passwort und Code.",
            "Avez-vous ajouté une clé d'accès sur cet appareil ou votre téléphone ? Elle remplace le mot de passe et le code.",
            "هل أضفت مفتاح مرور على هذا الجهاز أو على هاتفك؟ إنه يغني عن كلمة المرور والرمز معًا.");

        public static readonly Said PasskeyButton = new("Sign in with a passkey", "Mit Passkey anmelden", "Se connecter avec une clé d'accès", "تسجيل الدخول بمفتاح مرور");

        public static readonly Said PasskeyFailed = new(
            "The passkey did not work. Try again, or sign in with your password and code.",
            "Der Passkey hat nicht funktioniert. Versuchen Sie es erneut oder melden Sie sich mit Passwort und Code an.",
            "La clé d'accès n'a pas fonctionné. Réessayez, ou connectez-vous avec votre mot de passe et votre code.",
            "لم يعمل مفتاح المرور. حاول مرة أخرى، أو سجّل الدخول بكلمة المرور والرمز.");

        public static readonly Said Refused = new(
            "The address, password or code is not right, or the account cannot sign in now. Check them and try again; after several wrong attempts, wait 15 minutes.",
            "Adresse, Passwort oder Code stimmen nicht, oder das Konto kann sich gerade nicht anmelden. Prüfen Sie die Angaben und versuchen Sie es erneut; nach mehreren Fehlversuchen warten Sie 15 Minuten.",
            "L'adresse, le mot de passe ou le code n'est pas correct, ou le compte ne peut pas se connecter pour le moment. Vérifiez-les et réessayez ; après plusieurs essais erronés, attendez 15 minutes.",
            "العنوان أو كلمة المرور أو الرمز غير صحيح، أو لا يمكن للحساب تسجيل الدخول الآن. تحقّق منها وحاول مرة أخرى؛ بعد عدة محاولات خاطئة انتظر 15 دقيقة.");

        public static readonly Said CodeTitle = new("Your authenticator code", "Ihr Code aus der Authenticator-App", "Votre code d'authentification", "رمز تطبيق المصادقة");

        public static readonly Said CodeHint = new(
            "Enter the six-digit code your authenticator app shows now. Lost the authenticator? Enter one of your recovery codes instead.",
            "Geben Sie den sechsstelligen Code ein, den Ihre Authenticator-App jetzt anzeigt. Authenticator verloren? Geben Sie stattdessen einen Ihrer Wiederherstellungscodes ein.",
            "Saisissez le code à six chiffres que votre application d'authentification affiche maintenant. Authentificateur perdu ? Saisissez plutôt l'un de vos codes de récupération.",
            "أدخل الرمز المكوّن من ستة أرقام الذي يعرضه تطبيق المصادقة الآن. فقدت تطبيق المصادقة؟ أدخل بدلًا منه أحد رموز الاسترداد.");

        public static readonly Said Code = new("Code", "Code", "Code", "الرمز");

        public static readonly Said SignIn = new("Sign in", "Anmelden", "Se connecter", "تسجيل الدخول");

        public static readonly Said SignedInTitle = new("Signed in", "Angemeldet", "Connecté·e", "تم تسجيل الدخول");

        public static readonly Said SignedIn = new(
            "You are signed in. Go back to the application you came from.",
            "Sie sind angemeldet. Kehren Sie zu der Anwendung zurück, von der Sie kamen.",
            "Vous êtes connecté·e. Retournez à l'application d'où vous venez.",
            "لقد سجّلت الدخول. عُد إلى التطبيق الذي أتيت منه.");
    }
}
