using System.Globalization;

namespace Imsa.Network.Web.Localization;

/// <summary>One visible text in every language of the application: a constructor, so none can be left out.</summary>
internal sealed record Text(string En, string De, string Fr, string Ar)
{
    public string In(string language) => language switch
    {
        "de" => De,
        "fr" => Fr,
        "ar" => Ar,
        _ => En,
    };
}

/// <summary>
/// Every visible text of the application, in German, English, French and Arabic, read in the request's UI culture
/// (<c>@T["key"]</c> in a page). One table in code rather than four .resx files per page: a translator reads a
/// text's four versions side by side, and a key without all four does not compile. An unknown key throws, so a
/// page cannot show a key instead of a text.
/// </summary>
internal sealed class Texts
{
    /// <summary>
    /// The tables of every area (the layout's below; each area's pages have a file of their own beside this one,
    /// e.g. <c>CounsellorTexts.cs</c>), merged once; a key defined twice stops the start.
    /// </summary>
    private static readonly Dictionary<string, Text> All = Merge(Common, ReceiverTexts.Table, PersonTexts.All, CoordinatorTexts.All, OperationsTexts.All, CounsellorTexts.All, OrganisationTexts.All, NotificationTexts.All);

    private static Dictionary<string, Text> Merge(params Dictionary<string, Text>[] tables)
    {
        var all = new Dictionary<string, Text>(StringComparer.Ordinal);
        foreach (var (key, text) in tables.SelectMany(table => table))
        {
            if (!all.TryAdd(key, text))
            {
                throw new InvalidOperationException($"The text \"{key}\" is defined twice.");
            }
        }

        return all;
    }

    private static Dictionary<string, Text> Common => new(StringComparer.Ordinal)
    {
        // The layout
        ["app.name"] = new("IMSA Network", "IMSA Network", "IMSA Network", "شبكة IMSA"),
        ["layout.skip"] = new("Skip to the content", "Zum Inhalt springen", "Aller au contenu", "انتقل إلى المحتوى"),
        ["layout.navigation"] = new("Main navigation", "Hauptnavigation", "Navigation principale", "التنقل الرئيسي"),
        ["layout.start"] = new("Start", "Start", "Accueil", "البداية"),
        ["layout.cases"] = new("Cases", "Fälle", "Dossiers", "الملفات"),
        ["layout.language"] = new("Language", "Sprache", "Langue", "اللغة"),
        ["layout.change-language"] = new("Change language", "Sprache wechseln", "Changer de langue", "تغيير اللغة"),
        ["layout.sign-in"] = new("Sign in", "Anmelden", "Se connecter", "تسجيل الدخول"),
        ["layout.sign-out"] = new("Sign out", "Abmelden", "Se déconnecter", "تسجيل الخروج"),
        ["layout.footer"] = new(
            "IMSA Network connects migration counselling across borders.",
            "IMSA Network verbindet Migrationsberatung über Grenzen hinweg.",
            "IMSA Network relie le conseil en migration par-delà les frontières.",
            "تربط شبكة IMSA استشارات الهجرة عبر الحدود."),

        // The start page, signed out
        ["start.title"] = new("Migration counselling across borders", "Migrationsberatung über Grenzen hinweg", "Le conseil en migration par-delà les frontières", "استشارات الهجرة عبر الحدود"),
        ["start.what"] = new(
            "Partner organisations abroad counsel people who plan to move to Germany. With the person's consent, a case is handed over to a migration service in Germany, which accepts it and reports back after the first contact.",
            "Partnerorganisationen im Ausland beraten Menschen, die nach Deutschland ziehen möchten. Mit Einwilligung der Person wird ein Fall an einen Migrationsdienst in Deutschland übergeben, der ihn annimmt und nach dem ersten Kontakt Rückmeldung gibt.",
            "Des organisations partenaires à l'étranger conseillent les personnes qui prévoient de s'installer en Allemagne. Avec le consentement de la personne, un dossier est transmis à un service de migration en Allemagne, qui l'accepte et rend compte après le premier contact.",
            "تقدّم منظمات شريكة في الخارج الاستشارة للأشخاص الذين يخططون للانتقال إلى ألمانيا. وبموافقة الشخص يُحال الملف إلى خدمة هجرة في ألمانيا تقبله وتبلغ عن أول تواصل."),
        ["start.who"] = new(
            "Counsellors, receiving services and coordinators work here with their organisation's cases and handovers.",
            "Beraterinnen und Berater, aufnehmende Dienste und die Koordination arbeiten hier mit den Fällen und Übergaben ihrer Organisation.",
            "Les conseillers, les services d'accueil et la coordination travaillent ici avec les dossiers et les transmissions de leur organisation.",
            "يعمل هنا المستشارون والخدمات المستقبِلة والمنسقون على ملفات منظمتهم وإحالاتها."),
        ["start.how"] = new(
            "You sign in with your e-mail address, your password and the code of your authenticator app.",
            "Sie melden sich mit Ihrer E-Mail-Adresse, Ihrem Passwort und dem Code Ihrer Authenticator-App an.",
            "Vous vous connectez avec votre adresse e-mail, votre mot de passe et le code de votre application d'authentification.",
            "تسجّل الدخول بعنوان بريدك الإلكتروني وكلمة المرور والرمز الذي يعرضه تطبيق المصادقة."),

        // The start page, signed in
        ["me.title"] = new("You are signed in", "Sie sind angemeldet", "Vous êtes connecté·e", "لقد سجّلت الدخول"),
        ["me.roles"] = new("Your roles", "Ihre Rollen", "Vos rôles", "أدوارك"),
        ["me.organisation"] = new("Your organisation", "Ihre Organisation", "Votre organisation", "منظمتك"),
        ["me.signed-in-with"] = new("Signed in with", "Angemeldet mit", "Connexion avec", "طريقة تسجيل الدخول"),
        ["me.what-next"] = new("What you can do here", "Was Sie hier tun können", "Ce que vous pouvez faire ici", "ما يمكنك فعله هنا"),
        ["me.open-cases"] = new("Your organisation's cases", "Die Fälle Ihrer Organisation", "Les dossiers de votre organisation", "ملفات منظمتك"),
        ["me.more-later"] = new(
            "More pages for your role are on their way; until then the network's APIs offer everything.",
            "Weitere Seiten für Ihre Rolle folgen; bis dahin bieten die Schnittstellen des Netzwerks alles an.",
            "D'autres pages pour votre rôle arrivent ; en attendant, les API du réseau offrent tout.",
            "ستتوفر صفحات أخرى لدورك قريبًا؛ وحتى ذلك الحين توفر واجهات الشبكة البرمجية كل شيء."),
        ["role.partner"] = new("Partner organisation abroad", "Partnerorganisation im Ausland", "Organisation partenaire à l'étranger", "منظمة شريكة في الخارج"),
        ["role.receiving-service"] = new("Receiving service in Germany", "Aufnehmender Dienst in Deutschland", "Service d'accueil en Allemagne", "خدمة مستقبِلة في ألمانيا"),
        ["role.coordinator"] = new("Network coordination", "Netzwerkkoordination", "Coordination du réseau", "تنسيق الشبكة"),
        ["role.counsellor"] = new("Counsellor", "Beraterin oder Berater", "Conseiller·ère", "مستشار"),
        ["role.organisation-admin"] = new("Organisation administrator", "Administration der Organisation", "Administrateur·rice de l'organisation", "مسؤول المنظمة"),
        ["amr.pwd"] = new("password", "Passwort", "mot de passe", "كلمة المرور"),
        ["amr.otp"] = new("authenticator code", "Authenticator-Code", "code d'authentification", "رمز المصادقة"),
        ["amr.mfa"] = new("two factors", "zwei Faktoren", "deux facteurs", "عاملان"),
        ["amr.pop"] = new("passkey", "Passkey", "clé d'accès", "مفتاح المرور"),

        // The case list
        ["cases.title"] = new("Your organisation's cases", "Die Fälle Ihrer Organisation", "Les dossiers de votre organisation", "ملفات منظمتك"),
        ["cases.filter"] = new("Find cases", "Fälle finden", "Trouver des dossiers", "البحث عن الملفات"),
        ["cases.reference"] = new("Reference", "Aktenzeichen", "Référence", "المرجع"),
        ["cases.reference-hint"] = new(
            "The whole reference or its beginning.",
            "Das ganze Aktenzeichen oder sein Anfang.",
            "La référence entière ou son début.",
            "المرجع كاملًا أو بدايته."),
        ["cases.status"] = new("Status", "Status", "Statut", "الحالة"),
        ["cases.any-status"] = new("Any status", "Alle", "Tous", "كل الحالات"),
        ["cases.show"] = new("Show", "Anzeigen", "Afficher", "عرض"),
        ["cases.opened"] = new("Opened", "Eröffnet", "Ouvert le", "تاريخ الفتح"),
        ["cases.count"] = new("Cases shown: {0}", "Angezeigte Fälle: {0}", "Dossiers affichés : {0}", "عدد الملفات المعروضة: {0}"),
        ["cases.none"] = new("No case matches.", "Kein Fall passt.", "Aucun dossier ne correspond.", "لا يوجد ملف مطابق."),
        ["cases.caption"] = new("Cases, newest first", "Fälle, die neuesten zuerst", "Dossiers, les plus récents d'abord", "الملفات، الأحدث أولًا"),
        ["status.open"] = new("open", "offen", "ouvert", "مفتوح"),
        ["status.closed"] = new("closed", "geschlossen", "clos", "مغلق"),
        ["status.erased"] = new("erased", "gelöscht", "effacé", "محذوف"),

        // Problems an API answered with
        ["problem.title"] = new("That did not work", "Das hat nicht geklappt", "Cela n'a pas fonctionné", "لم تنجح العملية"),
        ["problem.403"] = new(
            "Your role does not allow this.",
            "Ihre Rolle erlaubt das nicht.",
            "Votre rôle ne le permet pas.",
            "دورك لا يسمح بذلك."),
        ["problem.404"] = new("This was not found.", "Das wurde nicht gefunden.", "Introuvable.", "لم يُعثر على ذلك."),
        ["problem.422"] = new(
            "The request was not accepted; please check what you entered.",
            "Die Anfrage wurde nicht angenommen; bitte prüfen Sie Ihre Eingaben.",
            "La demande n'a pas été acceptée ; vérifiez votre saisie.",
            "لم يُقبل الطلب؛ يرجى التحقق مما أدخلته."),
        ["problem.429"] = new(
            "Too many requests; please try again in a minute.",
            "Zu viele Anfragen; bitte versuchen Sie es in einer Minute erneut.",
            "Trop de demandes ; réessayez dans une minute.",
            "طلبات كثيرة جدًا؛ يرجى المحاولة بعد دقيقة."),
        ["problem.other"] = new(
            "The service cannot answer right now; please try again later.",
            "Der Dienst kann gerade nicht antworten; bitte versuchen Sie es später erneut.",
            "Le service ne peut pas répondre pour le moment ; réessayez plus tard.",
            "لا تستطيع الخدمة الرد الآن؛ يرجى المحاولة لاحقًا."),
        ["problem.field"] = new("This field was not accepted.", "Dieses Feld wurde nicht angenommen.", "Ce champ n'a pas été accepté.", "لم يُقبل هذا الحقل."),

        // Sign-in and sign-out
        ["sign-in-failed.title"] = new("Sign-in did not complete", "Die Anmeldung wurde nicht abgeschlossen", "La connexion n'a pas abouti", "لم يكتمل تسجيل الدخول"),
        ["sign-in-failed.text"] = new(
            "The sign-in took too long or was interrupted. Nothing was changed.",
            "Die Anmeldung hat zu lange gedauert oder wurde unterbrochen. Es wurde nichts geändert.",
            "La connexion a pris trop de temps ou a été interrompue. Rien n'a été modifié.",
            "استغرق تسجيل الدخول وقتًا طويلًا أو انقطع. لم يتغير شيء."),
        ["sign-in-failed.again"] = new("Sign in again", "Erneut anmelden", "Se reconnecter", "سجّل الدخول مرة أخرى"),
        ["sign-out.title"] = new("Sign out", "Abmelden", "Se déconnecter", "تسجيل الخروج"),
        ["sign-out.text"] = new(
            "This ends your session here and at the network's sign-in.",
            "Damit endet Ihre Sitzung hier und bei der Anmeldung des Netzwerks.",
            "Cela met fin à votre session ici et auprès de la connexion du réseau.",
            "ينهي هذا جلستك هنا وفي صفحة تسجيل الدخول إلى الشبكة."),

        // Errors
        ["error.title"] = new("Something went wrong", "Etwas ist schiefgegangen", "Une erreur s'est produite", "حدث خطأ ما"),
        ["error.text"] = new(
            "Please try again. If it happens again, tell your coordinator the time it happened.",
            "Bitte versuchen Sie es erneut. Wenn es wieder passiert, nennen Sie Ihrer Koordination die Uhrzeit.",
            "Veuillez réessayer. Si cela se reproduit, indiquez l'heure à votre coordination.",
            "يرجى المحاولة مرة أخرى. وإذا تكرر ذلك فأبلغ المنسق بوقت حدوثه."),
        ["error.back"] = new("Back to the start", "Zurück zum Start", "Retour à l'accueil", "العودة إلى البداية"),
        ["not-found.title"] = new("Page not found", "Seite nicht gefunden", "Page introuvable", "الصفحة غير موجودة"),
    };

    /// <summary>The text in the request's language.</summary>
    public string this[string key] => (All.TryGetValue(key, out var text)
        ? text
        : throw new KeyNotFoundException($"No text \"{key}\" in the application's texts.")).In(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName);

    /// <summary>The text with its placeholders filled in, numbers and dates formatted per culture.</summary>
    public string Format(string key, params object[] values) => string.Format(CultureInfo.CurrentCulture, this[key], values);

    /// <summary>A code's text ("status.open"), or the code itself when the API names one this application does not know yet.</summary>
    public string Code(string prefix, string code) => All.ContainsKey(prefix + code) ? this[prefix + code] : code;
}
