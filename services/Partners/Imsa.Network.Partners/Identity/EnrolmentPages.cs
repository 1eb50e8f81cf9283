using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using QRCoder;

namespace Imsa.Network.Partners.Identity;

/// <param name="Code">The invitation code (from the mail's link, or typed).</param>
/// <param name="DisplayName">How colleagues see the person.</param>
/// <param name="Password">The password chosen.</param>
/// <param name="Repeat">The same again: there is no other way to notice a typing mistake in a field that shows dots.</param>
public sealed record EnrolmentForm(string? Code = null, string? DisplayName = null, string? Password = null, string? Repeat = null)
{
    /// <summary>The pages' language, carried from the link through the forms (optional: else the browser's).</summary>
    public string? Lang { get; init; }
}

/// <param name="Totp">The authenticator's current code.</param>
public sealed record EnrolmentCodeForm(string? Code = null, string? Totp = null)
{
    /// <summary>The pages' language (optional: else the browser's).</summary>
    public string? Lang { get; init; }
}

/// <summary>
/// Where the invitation mail's link leads (`/enrol?code=…`, with `&amp;lang=…` when the organisation chose the
/// language): the person chooses a password, adds the authenticator (a QR code, or the key typed in), confirms it with
/// a code and keeps their recovery codes — the same steps as the API's `/people/enrolment`, in a browser. The code in
/// the link is the proof; the pages carry it, and their language, in their forms. Unknown, used, cancelled or expired
/// codes all get the same answer (404), and count towards the address's guess limit. In German, English, French or
/// Arabic: the link's <c>lang</c> (or <c>ui_locales</c>), else the browser's Accept-Language (<see cref="PersonLanguage"/>).
/// </summary>
internal static class EnrolmentPages
{
    public const string Path = "/enrol";

    public static IEndpointRouteBuilder MapEnrolmentPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup(Path).AllowAnonymous().ExcludeFromDescription().WithoutIdempotencyKey();
        pages.MapGet("/", async (
                HttpContext http, IAntiforgery antiforgery, Enrolment enrolment, string? code, string? lang,
                [FromQuery(Name = "ui_locales")] string? uiLocales, CancellationToken cancellationToken) =>
            {
                var language = PersonLanguage.Asked(http, lang ?? uiLocales);
                return code is null
                    ? PasswordPage(http, antiforgery, language, null, null, null, null)
                    : await enrolment.InvitationAsync(code, cancellationToken) is { } invitation
                        ? PasswordPage(http, antiforgery, language, code, invitation.Organisation, invitation.DisplayName, null)
                        : NoInvitation(http, language);
            })
            // Opening a link with a wrong code is a guess like posting one.
            .WithGuessLimit(PartnersServices.InvitationRedemptions);
        pages.MapPost("/", StartAsync).WithGuessLimit(PartnersServices.InvitationRedemptions);
        pages.MapPost("/confirm", ConfirmAsync).WithGuessLimit(PartnersServices.InvitationRedemptions);
        return app;
    }

    private static async Task<IResult> StartAsync([FromForm] EnrolmentForm form, HttpContext http, IAntiforgery antiforgery, Enrolment enrolment, CancellationToken cancellationToken)
    {
        var language = PersonLanguage.Asked(http, form.Lang);
        if (form.Password is { Length: > 0 } && form.Password != form.Repeat)
        {
            return PasswordPage(http, antiforgery, language, form.Code, null, form.DisplayName, new Dictionary<string, string> { ["repeat"] = Text.Differ.In(language) });
        }

        var (key, refusal) = await enrolment.StartAsync(form.Code, form.DisplayName, form.Password, cancellationToken);
        return refusal switch
        {
            null => AuthenticatorPage(http, antiforgery, language, form.Code!, key!, error: null),
            { Status: StatusCodes.Status404NotFound } => NoInvitation(http, language),
            { Status: StatusCodes.Status409Conflict } => PersonPages.Message(
                http, Text.InvitationTitle.In(language), Text.AccountExists.In(language), StatusCodes.Status409Conflict, language),
            _ => PasswordPage(http, antiforgery, language, form.Code, null, form.DisplayName, refusal.Errors!.Keys.ToDictionary(field => field, field => FieldRule(field).In(language))),
        };
    }

    private static async Task<IResult> ConfirmAsync([FromForm] EnrolmentCodeForm form, HttpContext http, IAntiforgery antiforgery, Enrolment enrolment, CancellationToken cancellationToken)
    {
        var language = PersonLanguage.Asked(http, form.Lang);
        var (recoveryCodes, _, refusal) = await enrolment.ConfirmAsync(form.Code, form.Totp, cancellationToken);
        if (recoveryCodes is not null)
        {
            return RecoveryCodesPage(http, language, recoveryCodes);
        }

        if (refusal!.Status is StatusCodes.Status422UnprocessableEntity or StatusCodes.Status429TooManyRequests
            && await enrolment.KeyAsync(form.Code, cancellationToken) is { } key)
        {
            var error = refusal.Status == StatusCodes.Status429TooManyRequests ? Text.TooManyCodes : Text.WrongCode;
            return AuthenticatorPage(http, antiforgery, language, form.Code!, key, error.In(language), refusal.Status);
        }

        return NoInvitation(http, language);
    }

    private static IResult NoInvitation(HttpContext http, PersonLanguage language) =>
        PersonPages.Message(http, Text.InvitationTitle.In(language), Text.NoInvitation.In(language), StatusCodes.Status404NotFound, language);

    private static IResult PasswordPage(
        HttpContext http, IAntiforgery antiforgery, PersonLanguage language, string? code, string? organisation, string? displayName,
        IReadOnlyDictionary<string, string>? errors)
    {
        var encode = PersonPages.Encoder;
        var intro = organisation is null
            ? encode.Encode(Text.EnterCode.In(language))
            : encode.Encode(Text.Invites.In(language)).Replace("{0}", $"<bdi>{encode.Encode(organisation)}</bdi>", StringComparison.Ordinal);
        return PersonPages.Form(
            http, antiforgery, Text.Title.In(language), Path, returnUrl: null, Summary(errors, language), $"""
            <p>{intro}</p>
            {Hidden(language)}
            {Field("code", Text.Code.In(language), "text", code, errors, "autocomplete=\"off\" maxlength=\"100\" dir=\"ltr\"")}
            {Field("displayName", Text.Name.In(language), "text", displayName, errors, "autocomplete=\"name\" maxlength=\"200\" dir=\"auto\"")}
            {Field("password", Text.Password.In(language), "password", null, errors, "autocomplete=\"new-password\" minlength=\"15\" maxlength=\"128\" dir=\"ltr\"", Text.PasswordRule.In(language))}
            {Field("repeat", Text.Repeat.In(language), "password", null, errors, "autocomplete=\"new-password\" maxlength=\"128\" dir=\"ltr\"")}
            <button type="submit">{encode.Encode(Text.Continue.In(language))}</button>
            """,
            language: language);
    }

    private static IResult AuthenticatorPage(HttpContext http, IAntiforgery antiforgery, PersonLanguage language, string code, EnrolmentKey key, string? error, int? status = null)
    {
        var encode = PersonPages.Encoder;
        var grouped = string.Join(' ', key.Key.Chunk(4).Select(c => new string(c)));
        var qr = Convert.ToBase64String(PngByteQRCodeHelper.GetQRCode(key.Uri, QRCodeGenerator.ECCLevel.M, 8));
        var errors = error is null ? null : new Dictionary<string, string> { ["totp"] = error };
        return PersonPages.Form(
            http, antiforgery, Text.AuthenticatorTitle.In(language), $"{Path}/confirm", returnUrl: null, Summary(errors, language), $"""
            <p>{encode.Encode(Text.Scan.In(language))}</p>
            <img class="qr" src="data:image/png;base64,{qr}" alt="{encode.Encode(Text.QrCode.In(language))}">
            <p>{encode.Encode(Text.TypeKey.In(language))}</p>
            <p class="key" id="key">{encode.Encode(grouped)}</p>
            <input type="hidden" name="code" value="{encode.Encode(code)}">
            {Hidden(language)}
            {Field("totp", Text.CurrentCode.In(language), "text", null, errors, "autocomplete=\"one-time-code\" inputmode=\"numeric\" maxlength=\"10\" dir=\"ltr\"")}
            <button type="submit">{encode.Encode(Text.Confirm.In(language))}</button>
            """,
            status: status,
            language: language);
    }

    private static IResult RecoveryCodesPage(HttpContext http, PersonLanguage language, IReadOnlyList<string> recoveryCodes)
    {
        var encode = PersonPages.Encoder;
        var items = string.Concat(recoveryCodes.Select(c => $"<li>{encode.Encode(c)}</li>"));
        var account = $"""<a href="{encode.Encode($"{http.Request.PathBase}{AccountPages.Path}?lang={language.Code}")}">{encode.Encode(Text.AccountLink.In(language))}</a>""";
        return PersonPages.Html(http, Text.EnrolledTitle.In(language), $"""
            <p>{encode.Encode(Text.RecoveryCodes.In(language))}</p>
            <ol class="codes" dir="ltr">{items}</ol>
            <p>{encode.Encode(Text.AfterEnrolment.In(language)).Replace("{0}", account, StringComparison.Ordinal)}</p>
            """,
            language: language);
    }

    /// <summary>The pages' language, for the next step.</summary>
    private static string Hidden(PersonLanguage language) => $"""<input type="hidden" name="lang" value="{language.Code}">""";

    /// <summary>A label, the input, its hint and its message, tied together for screen readers.</summary>
    private static string Field(
        string name, string label, string type, string? value, IReadOnlyDictionary<string, string>? errors, string attributes, string? hint = null)
    {
        var encode = PersonPages.Encoder;
        var message = errors?.GetValueOrDefault(name);
        var described = string.Join(' ', new[] { hint is null ? null : $"{name}-hint", message is null ? null : $"{name}-error" }.OfType<string>());
        return $"""
            <label for="{name}">{encode.Encode(label)}</label>
            {(hint is null ? "" : $"""<p class="hint" id="{name}-hint">{encode.Encode(hint)}</p>""")}
            <input id="{name}" name="{name}" type="{type}" required {attributes}{(value is null ? "" : $" value=\"{encode.Encode(value)}\"")}{(described.Length > 0 ? $" aria-describedby=\"{described}\"" : "")}{(message is null ? "" : " aria-invalid=\"true\"")}>
            {(message is null ? "" : $"""<p class="field-error" id="{name}-error">{encode.Encode(message)}</p>""")}
            """;
    }

    /// <summary>The page's message for a field step 1 refused (<see cref="Enrolment.StartAsync"/> names code, displayName or password).</summary>
    private static Said FieldRule(string field) => field switch
    {
        "code" => Text.CodeRequired,
        "displayName" => Text.NameRule,
        _ => Text.PasswordRule,
    };

    private static string? Summary(IReadOnlyDictionary<string, string>? errors, PersonLanguage language) =>
        errors is null ? null : (errors.Count == 1 ? Text.CorrectField : Text.CorrectFields).In(language);

    /// <summary>The enrolment pages' texts; every one in German, English, French and Arabic (a constructor, so none is left out).</summary>
    private static class Text
    {
        public static readonly Said Title = new("Join IMSA Network", "IMSA Network beitreten", "Rejoindre IMSA Network", "الانضمام إلى شبكة IMSA");

        public static readonly Said EnterCode = new(
            "Enter the invitation code from your mail, your name and a password.",
            "Geben Sie den Einladungscode aus Ihrer E-Mail, Ihren Namen und ein Passwort ein.",
            "Saisissez le code d'invitation reçu par e-mail, votre nom et un mot de passe.",
            "أدخل رمز الدعوة الوارد في بريدك الإلكتروني واسمك وكلمة مرور.");

        /// <summary>{0}: the organisation's name.</summary>
        public static readonly Said Invites = new(
            "{0} invites you to IMSA Network. Choose your password; next, you add an authenticator app.",
            "{0} lädt Sie zu IMSA Network ein. Wählen Sie Ihr Passwort; danach fügen Sie eine Authenticator-App hinzu.",
            "{0} vous invite à rejoindre IMSA Network. Choisissez votre mot de passe ; ensuite, vous ajouterez une application d'authentification.",
            "تدعوك {0} إلى شبكة IMSA. اختر كلمة المرور؛ بعد ذلك تضيف تطبيق مصادقة.");

        public static readonly Said Code = new("Invitation code", "Einladungscode", "Code d'invitation", "رمز الدعوة");

        public static readonly Said Name = new(
            "Your name, as colleagues should see it", "Ihr Name, wie Kolleginnen und Kollegen ihn sehen sollen", "Votre nom, tel que vos collègues le verront", "اسمك كما سيراه زملاؤك");

        public static readonly Said Password = new("Password", "Passwort", "Mot de passe", "كلمة المرور");

        public static readonly Said PasswordRule = new(
            Enrolment.PasswordRule,
            "Ein Passwort mit 15 bis 128 Zeichen; beliebige Zeichen, keine weiteren Regeln. Eine Passphrase aus mehreren Wörtern ist gut.",
            "Un mot de passe de 15 à 128 caractères ; n'importe quels caractères, aucune autre règle. Une phrase de passe de plusieurs mots convient bien.",
            "كلمة مرور من 15 إلى 128 حرفًا؛ أي أحرف، دون قواعد أخرى. عبارة مرور من عدة كلمات خيار جيد.");

        public static readonly Said Repeat = new("The password again", "Das Passwort noch einmal", "Le mot de passe, une seconde fois", "كلمة المرور مرة أخرى");

        public static readonly Said Continue = new("Continue", "Weiter", "Continuer", "متابعة");

        public static readonly Said CodeRequired = new(
            "The code from the invitation mail is required.",
            "Der Code aus der Einladungs-E-Mail wird benötigt.",
            "Le code de l'e-mail d'invitation est requis.",
            "الرمز الوارد في رسالة الدعوة مطلوب.");

        public static readonly Said NameRule = new(
            "A name of 1 to 200 characters is required.",
            "Ein Name mit 1 bis 200 Zeichen wird benötigt.",
            "Un nom de 1 à 200 caractères est requis.",
            "يلزم اسم من 1 إلى 200 حرف.");

        public static readonly Said Differ = new(
            "The two passwords differ: type the same password twice.",
            "Die beiden Passwörter unterscheiden sich: Geben Sie zweimal dasselbe Passwort ein.",
            "Les deux mots de passe diffèrent : saisissez deux fois le même mot de passe.",
            "كلمتا المرور مختلفتان: اكتب كلمة المرور نفسها مرتين.");

        public static readonly Said CorrectField = new(
            "Please correct the field marked below.",
            "Bitte korrigieren Sie das unten markierte Feld.",
            "Veuillez corriger le champ signalé ci-dessous.",
            "يُرجى تصحيح الحقل المشار إليه أدناه.");

        public static readonly Said CorrectFields = new(
            "Please correct the fields marked below.",
            "Bitte korrigieren Sie die unten markierten Felder.",
            "Veuillez corriger les champs signalés ci-dessous.",
            "يُرجى تصحيح الحقول المشار إليها أدناه.");

        public static readonly Said InvitationTitle = new("Invitation", "Einladung", "Invitation", "الدعوة");

        public static readonly Said NoInvitation = new(
            "This invitation cannot be used: it was used already, has expired, was cancelled or was replaced by a newer one. Ask your organisation to invite you again.",
            "Diese Einladung kann nicht verwendet werden: Sie wurde bereits genutzt, ist abgelaufen, wurde zurückgezogen oder durch eine neuere ersetzt. Bitten Sie Ihre Organisation, Sie erneut einzuladen.",
            "Cette invitation ne peut pas être utilisée : elle a déjà servi, a expiré, a été annulée ou remplacée par une plus récente. Demandez à votre organisation de vous inviter à nouveau.",
            "لا يمكن استخدام هذه الدعوة: فقد استُخدمت من قبل، أو انتهت صلاحيتها، أو أُلغيت، أو حلّت محلها دعوة أحدث. اطلب من منظمتك أن تدعوك مرة أخرى.");

        public static readonly Said AccountExists = new(
            "A person with this address has an account already: sign in instead.",
            "Für diese Adresse gibt es bereits ein Konto: Melden Sie sich stattdessen an.",
            "Un compte existe déjà pour cette adresse : connectez-vous plutôt.",
            "يوجد حساب لهذا العنوان بالفعل: سجّل الدخول بدلًا من ذلك.");

        public static readonly Said AuthenticatorTitle = new("Add your authenticator", "Authenticator-App hinzufügen", "Ajoutez votre application d'authentification", "أضف تطبيق المصادقة");

        public static readonly Said Scan = new(
            "Open your authenticator app (for example FreeOTP, Aegis, Google or Microsoft Authenticator) and scan this code:",
            "Öffnen Sie Ihre Authenticator-App (zum Beispiel FreeOTP, Aegis, Google oder Microsoft Authenticator) und scannen Sie diesen Code:",
            "Ouvrez votre application d'authentification (par exemple FreeOTP, Aegis, Google ou Microsoft Authenticator) et scannez ce code :",
            "افتح تطبيق المصادقة (مثل FreeOTP أو Aegis أو Google Authenticator أو Microsoft Authenticator) وامسح هذا الرمز:");

        public static readonly Said QrCode = new(
            "QR code for your authenticator app", "QR-Code für Ihre Authenticator-App", "Code QR pour votre application d'authentification", "رمز QR لتطبيق المصادقة");

        public static readonly Said TypeKey = new(
            "Or type this key into the app:", "Oder geben Sie diesen Schlüssel in die App ein:", "Ou saisissez cette clé dans l'application :", "أو اكتب هذا المفتاح في التطبيق:");

        public static readonly Said CurrentCode = new(
            "The six-digit code the app shows now",
            "Der sechsstellige Code, den die App jetzt anzeigt",
            "Le code à six chiffres que l'application affiche maintenant",
            "الرمز المكوّن من ستة أرقام الذي يعرضه التطبيق الآن");

        public static readonly Said Confirm = new("Confirm", "Bestätigen", "Confirmer", "تأكيد");

        public static readonly Said WrongCode = new(
            "This code does not match: enter the authenticator's current code (each code works once).",
            "Dieser Code passt nicht: Geben Sie den aktuellen Code der Authenticator-App ein (jeder Code gilt nur einmal).",
            "Ce code ne correspond pas : saisissez le code actuel de l'application d'authentification (chaque code ne sert qu'une fois).",
            "هذا الرمز غير مطابق: أدخل الرمز الحالي من تطبيق المصادقة (كل رمز يصلح مرة واحدة).");

        public static readonly Said TooManyCodes = new(
            "Too many wrong codes: wait 15 minutes, then enter the code your authenticator shows then.",
            "Zu viele falsche Codes: Warten Sie 15 Minuten und geben Sie dann den Code ein, den Ihre Authenticator-App dann anzeigt.",
            "Trop de codes erronés : attendez 15 minutes, puis saisissez le code que votre application affichera alors.",
            "رموز خاطئة كثيرة: انتظر 15 دقيقة، ثم أدخل الرمز الذي يعرضه تطبيق المصادقة حينها.");

        public static readonly Said EnrolledTitle = new("You are enrolled", "Registrierung abgeschlossen", "Votre inscription est terminée", "اكتمل تسجيلك");

        public static readonly Said RecoveryCodes = new(
            "Your account is ready. If you ever lose your authenticator, each of these recovery codes signs you in once instead of a code from the app. "
                + "Print them or write them down now, and keep them apart from your devices: they are not shown again.",
            "Ihr Konto ist bereit. Falls Sie Ihre Authenticator-App einmal verlieren, meldet Sie jeder dieser Wiederherstellungscodes einmal an, anstelle eines Codes aus der App. "
                + "Drucken Sie sie jetzt aus oder schreiben Sie sie auf, und bewahren Sie sie getrennt von Ihren Geräten auf: Sie werden nicht noch einmal angezeigt.",
            "Votre compte est prêt. Si vous perdez un jour votre application d'authentification, chacun de ces codes de récupération vous connecte une fois à la place d'un code de l'application. "
                + "Imprimez-les ou notez-les maintenant, et conservez-les à l'écart de vos appareils : ils ne seront plus affichés.",
            "حسابك جاهز. إذا فقدت تطبيق المصادقة يومًا، فإن كل رمز من رموز الاسترداد هذه يتيح لك تسجيل الدخول مرة واحدة بدلًا من رمز التطبيق. "
                + "اطبعها أو دوّنها الآن واحفظها بعيدًا عن أجهزتك: لن تُعرض مرة أخرى.");

        public static readonly Said AccountLink = new("Sign in to your account", "Melden Sie sich bei Ihrem Konto an", "Connectez-vous à votre compte", "سجّل الدخول إلى حسابك");

        /// <summary>{0}: the link to the account page (<see cref="AccountLink"/>).</summary>
        public static readonly Said AfterEnrolment = new(
            "{0} to add a passkey, which signs you in without password and code, or go to the application your organisation uses.",
            "{0}, um einen Passkey hinzuzufügen, mit dem Sie sich ohne Passwort und Code anmelden, oder öffnen Sie die Anwendung, die Ihre Organisation nutzt.",
            "{0} pour ajouter une clé d'accès, qui vous connecte sans mot de passe ni code, ou ouvrez l'application qu'utilise votre organisation.",
            "{0} لإضافة مفتاح مرور يتيح لك الدخول دون كلمة مرور أو رمز، أو افتح التطبيق الذي تستخدمه منظمتك.");
    }
}
