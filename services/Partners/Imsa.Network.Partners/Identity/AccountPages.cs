using System.Globalization;
using System.Security.Claims;
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
public sealed record NewPasskeyForm(string? Name = null, string? Credential = null)
{
    /// <summary>The page's language (optional: else the browser's).</summary>
    public string? Lang { get; init; }
}

/// <param name="Id">The passkey's credential id (base64url).</param>
public sealed record PasskeyChoice(string? Id = null)
{
    /// <summary>The page's language (optional: else the browser's).</summary>
    public string? Lang { get; init; }
}

/// <summary>
/// A person's own account at the token server (`/account`, behind the sign-in session): who they are signed in
/// as, their passkeys — add one (phishing-resistant: it works only on this site), remove one — and sign-out. Adding
/// a passkey needs a sign-in of the last 10 minutes: a session left open on a shared computer cannot add one. In
/// German, English, French or Arabic: the address's <c>lang</c> (carried through sign-in and the forms), else the
/// browser's Accept-Language.
/// </summary>
internal static class AccountPages
{
    public const string Path = "/account";

    private static readonly TimeSpan Recent = TimeSpan.FromMinutes(10);

    public static IEndpointRouteBuilder MapAccountPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup(Path).AllowAnonymous().ExcludeFromDescription().WithoutIdempotencyKey();
        pages.MapGet("/", async (
                HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, PartnersDbContext db, TimeProvider time, string? lang,
                [FromQuery(Name = "ui_locales")] string? uiLocales) =>
            {
                var language = PersonLanguage.Asked(http, lang ?? uiLocales);
                return await SignedInAsync(http, signIn) is { } session
                    ? await AccountPage(http, antiforgery, signIn, db, time, language, session, message: null, error: null)
                    : ToSignIn(http, language);
            });
        pages.MapPost("/passkeys/options", PasskeyOptionsAsync);
        pages.MapPost("/passkeys", AddPasskeyAsync).AcceptsFreeText("credential");
        pages.MapPost("/passkeys/remove", RemovePasskeyAsync);
        pages.MapPost("/sign-out", async (HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn) =>
        {
            // A form without fields of its own: the antiforgery token is checked here (a foreign page cannot sign anyone out).
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                var asked = PersonLanguage.Asked(http, null);
                return PersonPages.Message(http, Text.SignOut.In(asked), Text.OutOfDate.In(asked), StatusCodes.Status400BadRequest, asked);
            }

            var language = PersonLanguage.Asked(http, http.Request.Form["lang"].ToString());
            await signIn.SignOutAsync();
            return PersonPages.Message(http, Text.SignedOutTitle.In(language), Text.SignedOut.In(language), StatusCodes.Status200OK, language);
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

    /// <summary>To sign in first, and back here in the same language.</summary>
    private static IResult ToSignIn(HttpContext http, PersonLanguage language) => Results.Redirect(SignInAgainUrl(http, language));

    private static string SignInAgainUrl(HttpContext http, PersonLanguage language) =>
        $"{http.Request.PathBase}{SignInPages.Path}?returnUrl={Uri.EscapeDataString($"{http.Request.PathBase}{Path}?lang={language.Code}")}";

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
        var language = PersonLanguage.Asked(http, form.Lang);
        if (await SignedInAsync(http, signIn) is not { } session)
        {
            return ToSignIn(http, language);
        }

        var person = session.Person;
        var name = string.IsNullOrWhiteSpace(form.Name) ? "Passkey" : form.Name.Trim();
        if (name.Length > 100)
        {
            return await AccountPage(http, antiforgery, signIn, db, time, language, session, null, Text.NameTooLong.In(language));
        }

        if (time.GetUtcNow() - session.SignedInAt > Recent)
        {
            return await AccountPage(http, antiforgery, signIn, db, time, language, session, null, Text.SignInTooOld.In(language));
        }

        if ((await signIn.UserManager.GetPasskeysAsync(person)).Count >= Passkeys.MaximumPerPerson)
        {
            return await AccountPage(
                http, antiforgery, signIn, db, time, language, session, null,
                Text.TooMany.In(language).Replace("{0}", Passkeys.MaximumPerPerson.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        var passkey = await Passkeys.AttestAsync(signIn, form.Credential);
        if (passkey is null)
        {
            return await AccountPage(http, antiforgery, signIn, db, time, language, session, null, Text.AnswerRefused.In(language));
        }

        passkey.Name = name;
        var added = await signIn.UserManager.AddOrUpdatePasskeyAsync(person, passkey);
        if (!added.Succeeded)
        {
            return await AccountPage(http, antiforgery, signIn, db, time, language, session, null, Text.NotAdded.In(language));
        }

        db.CredentialEvents.Add(CredentialEvent.Of(
            person.OrganisationId, "passkey-added", time.GetUtcNow(), new CredentialActor(person.OrganisationId, null, person.Id), personId: person.Id));
        await db.SaveChangesAsync();
        return await AccountPage(http, antiforgery, signIn, db, time, language, session, Text.Added.In(language).Replace("{0}", name, StringComparison.Ordinal), null);
    }

    private static async Task<IResult> RemovePasskeyAsync(
        [FromForm] PasskeyChoice form, HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, PartnersDbContext db, TimeProvider time)
    {
        var language = PersonLanguage.Asked(http, form.Lang);
        if (await SignedInAsync(http, signIn) is not { } session)
        {
            return ToSignIn(http, language);
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
            return await AccountPage(http, antiforgery, signIn, db, time, language, session, null, Text.NoSuchPasskey.In(language), StatusCodes.Status404NotFound);
        }

        await signIn.UserManager.RemovePasskeyAsync(person, id);
        db.CredentialEvents.Add(CredentialEvent.Of(
            person.OrganisationId, "passkey-removed", time.GetUtcNow(), new CredentialActor(person.OrganisationId, null, person.Id), personId: person.Id));
        await db.SaveChangesAsync();
        return await AccountPage(http, antiforgery, signIn, db, time, language, session, Text.Removed.In(language), null);
    }

    private static async Task<IResult> AccountPage(
        HttpContext http, IAntiforgery antiforgery, SignInManager<Person> signIn, PartnersDbContext db, TimeProvider time, PersonLanguage language,
        (Person Person, DateTimeOffset SignedInAt) session, string? message, string? error, int? status = null)
    {
        var (person, signedInAt) = session;
        var encode = PersonPages.Encoder;
        var pathBase = http.Request.PathBase;
        var lang = $"""<input type="hidden" name="lang" value="{language.Code}">""";
        var organisation = await db.Organisations.Where(o => o.Id == person.OrganisationId).Select(o => o.Name).FirstAsync();
        var passkeys = await signIn.UserManager.GetPasskeysAsync(person);
        var rows = string.Concat(passkeys.OrderBy(p => p.CreatedAt).Select(p => $"""
            <tr><td dir="auto">{encode.Encode(p.Name ?? "Passkey")}</td><td dir="ltr">{p.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC</td>
            <td><form method="post" action="{encode.Encode($"{pathBase}{Path}/passkeys/remove")}">{PersonPages.Hidden(http, antiforgery)}{lang}
            <input type="hidden" name="id" value="{WebEncoders.Base64UrlEncode(p.CredentialId)}">
            <button type="submit" class="secondary" aria-label="{encode.Encode(Text.RemoveNamed.In(language).Replace("{0}", p.Name ?? "Passkey", StringComparison.Ordinal))}">{encode.Encode(Text.Remove.In(language))}</button></form></td></tr>
            """));
        var list = passkeys.Count == 0
            ? $"<p>{encode.Encode(Text.NoPasskey.In(language))}</p>"
            : $"""<table><caption class="hint">{encode.Encode(Text.YourPasskeys.In(language))}</caption><thead><tr><th scope="col">{encode.Encode(Text.Name.In(language))}</th><th scope="col">{encode.Encode(Text.AddedOn.In(language))}</th><th scope="col"><span class="hint">{encode.Encode(Text.Action.In(language))}</span></th></tr></thead><tbody>{rows}</tbody></table>""";
        var add = time.GetUtcNow() - signedInAt <= Recent
            ? $"""
              <form method="post" action="{encode.Encode($"{pathBase}{Path}/passkeys")}" data-passkey="create"
                    data-options="{encode.Encode($"{pathBase}{Path}/passkeys/options")}" data-failed="{encode.Encode(Text.CreateFailed.In(language))}" hidden>
              {PersonPages.Hidden(http, antiforgery)}
              {lang}
              <input type="hidden" name="credential" value="">
              <label for="name">{encode.Encode(Text.NewName.In(language))}</label>
              <input id="name" name="name" type="text" maxlength="100" placeholder="{encode.Encode(Text.NewNameExample.In(language))}" autocomplete="off" dir="auto">
              <button type="submit">{encode.Encode(Text.Add.In(language))}</button>
              <p data-passkey-status role="status" class="field-error"></p>
              </form>
              """
            : $"""<p>{encode.Encode(Text.SignInAgainTo.In(language)).Replace("{0}", $"""<a href="{encode.Encode(SignInAgainUrl(http, language))}">{encode.Encode(Text.SignInAgain.In(language))}</a>""", StringComparison.Ordinal)}</p>""";
        var who = encode.Encode(Text.Who.In(language))
            .Replace("{0}", $"<bdi>{encode.Encode(person.DisplayName)}</bdi>", StringComparison.Ordinal)
            .Replace("{1}", $"""<bdi dir="ltr">{encode.Encode(person.Email ?? "")}</bdi>""", StringComparison.Ordinal)
            .Replace("{2}", encode.Encode(Text.Role(person.Role).In(language)), StringComparison.Ordinal)
            .Replace("{3}", $"<bdi>{encode.Encode(organisation)}</bdi>", StringComparison.Ordinal);
        var body = $"""
            {(error is null ? "" : $"""<p class="error" role="alert">{encode.Encode(error)}</p>""")}
            {(message is null ? "" : $"""<p role="status">{encode.Encode(message)}</p>""")}
            <p>{who}</p>
            <h2>{encode.Encode(Text.Passkeys.In(language))}</h2>
            <p>{encode.Encode(Text.PasskeyWhy.In(language))}</p>
            {list}
            {add}
            <h2>{encode.Encode(Text.SignOut.In(language))}</h2>
            <form method="post" action="{encode.Encode($"{pathBase}{Path}/sign-out")}">{PersonPages.Hidden(http, antiforgery)}{lang}
            <button type="submit" class="secondary">{encode.Encode(Text.SignOut.In(language))}</button></form>
            """;
        return PersonPages.Html(http, Text.Title.In(language), body, status ?? (error is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity), language);
    }

    /// <summary>The account page's texts; every one in German, English, French and Arabic (a constructor, so none is left out).</summary>
    private static class Text
    {
        public static readonly Said Title = new("Your account", "Ihr Konto", "Votre compte", "حسابك");

        /// <summary>{0}: the person's name, {1}: their address, {2}: their role, {3}: their organisation.</summary>
        public static readonly Said Who = new("{0} ({1}), {2} at {3}.", "{0} ({1}), {2} bei {3}.", "{0} ({1}), {2} chez {3}.", "{0} ({1})، {2} في {3}.");

        public static readonly Said Counsellor = new("counsellor", "Beraterin oder Berater", "conseiller·ère", "مستشار");

        public static readonly Said OrganisationAdmin = new("organisation admin", "Administration der Organisation", "administrateur·rice de l'organisation", "مسؤول المنظمة");

        public static readonly Said Coordinator = new("coordinator", "Koordinatorin oder Koordinator", "coordinateur·rice", "منسّق");

        public static readonly Said Passkeys = new("Passkeys", "Passkeys", "Clés d'accès", "مفاتيح المرور");

        public static readonly Said PasskeyWhy = new(
            "A passkey signs you in with your device's screen lock or a security key instead of the password and code, and it works only on this site, so a fake page cannot catch it.",
            "Ein Passkey meldet Sie mit der Bildschirmsperre Ihres Geräts oder einem Sicherheitsschlüssel an statt mit Passwort und Code, und er funktioniert nur auf dieser Seite, sodass eine gefälschte Seite ihn nicht abfangen kann.",
            "Une clé d'accès vous connecte avec le verrouillage d'écran de votre appareil ou une clé de sécurité au lieu du mot de passe et du code ; elle ne fonctionne que sur ce site, si bien qu'une fausse page ne peut pas l'intercepter.",
            "يتيح لك مفتاح المرور تسجيل الدخول بقفل شاشة جهازك أو بمفتاح أمان بدلًا من كلمة المرور والرمز، ولا يعمل إلا على هذا الموقع، فلا يمكن لصفحة مزيفة أن تلتقطه.");

        public static readonly Said NoPasskey = new("You have no passkey yet.", "Sie haben noch keinen Passkey.", "Vous n'avez pas encore de clé d'accès.", "ليس لديك مفتاح مرور بعد.");

        public static readonly Said YourPasskeys = new("Your passkeys", "Ihre Passkeys", "Vos clés d'accès", "مفاتيح المرور الخاصة بك");

        public static readonly Said Name = new("Name", "Name", "Nom", "الاسم");

        public static readonly Said AddedOn = new("Added", "Hinzugefügt", "Ajoutée le", "تاريخ الإضافة");

        public static readonly Said Action = new("Action", "Aktion", "Action", "الإجراء");

        public static readonly Said Remove = new("Remove", "Entfernen", "Supprimer", "إزالة");

        /// <summary>{0}: the passkey's name.</summary>
        public static readonly Said RemoveNamed = new("Remove {0}", "{0} entfernen", "Supprimer {0}", "إزالة {0}");

        public static readonly Said CreateFailed = new(
            "The browser or the authenticator did not create a passkey. Try again.",
            "Der Browser oder der Authenticator hat keinen Passkey erstellt. Versuchen Sie es erneut.",
            "Le navigateur ou l'authentificateur n'a pas créé de clé d'accès. Réessayez.",
            "لم يُنشئ المتصفح أو أداة المصادقة مفتاح مرور. حاول مرة أخرى.");

        public static readonly Said NewName = new("Name of the new passkey", "Name des neuen Passkeys", "Nom de la nouvelle clé d'accès", "اسم مفتاح المرور الجديد");

        public static readonly Said NewNameExample = new("Work laptop", "Dienstlaptop", "Ordinateur portable du travail", "حاسوب العمل المحمول");

        public static readonly Said Add = new("Add a passkey", "Passkey hinzufügen", "Ajouter une clé d'accès", "إضافة مفتاح مرور");

        public static readonly Said SignInAgain = new("Sign in again", "Melden Sie sich erneut an", "Reconnectez-vous", "سجّل الدخول مجددًا");

        /// <summary>{0}: the link <see cref="SignInAgain"/>.</summary>
        public static readonly Said SignInAgainTo = new(
            "{0} to add a passkey.", "{0}, um einen Passkey hinzuzufügen.", "{0} pour ajouter une clé d'accès.", "{0} لإضافة مفتاح مرور.");

        public static readonly Said SignOut = new("Sign out", "Abmelden", "Se déconnecter", "تسجيل الخروج");

        public static readonly Said OutOfDate = new(
            "The page was out of date: go back, load it again and sign out.",
            "Die Seite war veraltet: Gehen Sie zurück, laden Sie sie neu und melden Sie sich ab.",
            "La page n'était plus à jour : revenez en arrière, rechargez-la et déconnectez-vous.",
            "كانت الصفحة قديمة: ارجع وأعد تحميلها ثم سجّل الخروج.");

        public static readonly Said SignedOutTitle = new("Signed out", "Abgemeldet", "Déconnecté·e", "تم تسجيل الخروج");

        public static readonly Said SignedOut = new(
            "You are signed out of IMSA Network on this browser.",
            "Sie sind in diesem Browser von IMSA Network abgemeldet.",
            "Vous êtes déconnecté·e d'IMSA Network dans ce navigateur.",
            "لقد سجّلت الخروج من شبكة IMSA في هذا المتصفح.");

        public static readonly Said NameTooLong = new(
            "A passkey's name has at most 100 characters.",
            "Der Name eines Passkeys hat höchstens 100 Zeichen.",
            "Le nom d'une clé d'accès compte au plus 100 caractères.",
            "لا يتجاوز اسم مفتاح المرور 100 حرف.");

        public static readonly Said SignInTooOld = new(
            "Sign in again to add a passkey: your sign-in is more than 10 minutes old.",
            "Melden Sie sich erneut an, um einen Passkey hinzuzufügen: Ihre Anmeldung ist älter als 10 Minuten.",
            "Reconnectez-vous pour ajouter une clé d'accès : votre connexion date de plus de 10 minutes.",
            "سجّل الدخول مجددًا لإضافة مفتاح مرور: مضى على تسجيل دخولك أكثر من 10 دقائق.");

        /// <summary>{0}: how many passkeys a person may have.</summary>
        public static readonly Said TooMany = new(
            "At most {0} passkeys: remove one first.", "Höchstens {0} Passkeys: Entfernen Sie zuerst einen.", "{0} clés d'accès au plus : supprimez-en d'abord une.", "{0} مفاتيح مرور كحد أقصى: أزل واحدًا أولًا.");

        public static readonly Said AnswerRefused = new(
            "The passkey was not added: the browser's answer did not check out. Try again.",
            "Der Passkey wurde nicht hinzugefügt: Die Antwort des Browsers war nicht gültig. Versuchen Sie es erneut.",
            "La clé d'accès n'a pas été ajoutée : la réponse du navigateur n'était pas valable. Réessayez.",
            "لم يُضف مفتاح المرور: لم تكن استجابة المتصفح صحيحة. حاول مرة أخرى.");

        public static readonly Said NotAdded = new(
            "The passkey was not added: try again.", "Der Passkey wurde nicht hinzugefügt: Versuchen Sie es erneut.", "La clé d'accès n'a pas été ajoutée : réessayez.", "لم يُضف مفتاح المرور: حاول مرة أخرى.");

        /// <summary>{0}: the passkey's name.</summary>
        public static readonly Said Added = new(
            "Passkey “{0}” added. Next time, choose “Sign in with a passkey”.",
            "Passkey „{0}“ hinzugefügt. Wählen Sie beim nächsten Mal „Mit Passkey anmelden“.",
            "Clé d'accès « {0} » ajoutée. La prochaine fois, choisissez « Se connecter avec une clé d'accès ».",
            "أُضيف مفتاح المرور «{0}». في المرة القادمة اختر «تسجيل الدخول بمفتاح مرور».");

        public static readonly Said NoSuchPasskey = new("There is no such passkey.", "Diesen Passkey gibt es nicht.", "Cette clé d'accès n'existe pas.", "لا يوجد مفتاح المرور هذا.");

        public static readonly Said Removed = new("Passkey removed.", "Passkey entfernt.", "Clé d'accès supprimée.", "أُزيل مفتاح المرور.");

        public static Said Role(string role) => role switch
        {
            PersonRoles.OrganisationAdmin => OrganisationAdmin,
            PersonRoles.Coordinator => Coordinator,
            _ => Counsellor,
        };
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
