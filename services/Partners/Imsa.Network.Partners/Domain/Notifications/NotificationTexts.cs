using System.Globalization;
using System.Text;
using Imsa.Network.Partners.Identity;

namespace Imsa.Network.Partners.Domain.Notifications;

/// <summary>What a notification says to its person, rendered from its fields in their language.</summary>
/// <param name="OrganisationName">The other organisation's registered name (organisation data, not personal), if it names one.</param>
internal sealed record NotificationView(Notification Notification, string? OrganisationName);

/// <summary>
/// The texts of notifications — their titles, the mails and their subjects — in German, English, French and Arabic,
/// as the web application. Built from codes, dates, organisation names and a handover's reference only: nothing a
/// notification says comes from a case's personal data.
/// </summary>
internal static class NotificationTexts
{
    /// <summary>
    /// A person who chose no language gets their organisation's usual one: German for the services and the
    /// coordination office in Germany, English for partners abroad (French and Arabic by choice).
    /// </summary>
    public static PersonLanguage DefaultLanguage(OrganisationKind kind) =>
        kind is OrganisationKind.ReceivingService or OrganisationKind.Coordinator ? new PersonLanguage("de") : PersonLanguage.English;

    /// <summary>
    /// The short reference of a handover in titles: the last eight characters of its id, the random part of a version 7
    /// UUID (its first ones are its time: offers made in the same minute would share them). The web application shows it whole.
    /// </summary>
    public static string Reference(Guid handoverId) => handoverId.ToString("N")[^8..];

    private static readonly Dictionary<string, Said> Kinds = new(StringComparer.Ordinal)
    {
        ["offer-received"] = new("New offers", "Neue Angebote", "Nouvelles offres", "عروض جديدة"),
        ["offer-due-soon"] = new("Offers due soon", "Bald fällige Angebote", "Offres bientôt échues", "عروض يقترب موعدها"),
        ["handover-accepted"] = new("Handovers accepted", "Angenommene Übergaben", "Transferts acceptés", "عمليات تسليم مقبولة"),
        ["handover-declined"] = new("Handovers declined", "Abgelehnte Übergaben", "Transferts refusés", "عمليات تسليم مرفوضة"),
        ["handover-withdrawn"] = new("Handovers withdrawn", "Zurückgezogene Übergaben", "Transferts retirés", "عمليات تسليم مسحوبة"),
        ["handover-revoked"] = new("Handovers revoked", "Widerrufene Übergaben", "Transferts révoqués", "عمليات تسليم ملغاة"),
        ["handover-outcome"] = new("Outcomes after arrival", "Rückmeldungen nach Ankunft", "Suites après l'arrivée", "النتائج بعد الوصول"),
        ["follow-up-due"] = new("No first contact yet", "Noch kein Erstkontakt", "Pas encore de premier contact", "لا تواصل أول بعد"),
        ["consent-withdrawn"] = new("Consents withdrawn", "Widerrufene Einwilligungen", "Consentements retirés", "موافقات مسحوبة"),
        ["consent-expiring"] = new("Consents expiring", "Ablaufende Einwilligungen", "Consentements arrivant à échéance", "موافقات تنتهي قريبًا"),
        ["handover-escalated"] = new("Escalated handovers", "Eskalierte Übergaben", "Transferts escaladés", "عمليات تسليم مُصعَّدة"),
        ["verification-waiting"] = new("Organisations to verify", "Zu prüfende Organisationen", "Organisations à vérifier", "منظمات بانتظار التحقق"),
        ["person-invited"] = new("People invited", "Eingeladene Personen", "Personnes invitées", "أشخاص مدعوون"),
        ["person-deactivated"] = new("People deactivated", "Deaktivierte Personen", "Personnes désactivées", "أشخاص معطَّلون"),
    };

    // {o}: the other organisation; {r}: the handover's reference; {d}: the date; {c}: the code's words.
    private static readonly Dictionary<string, Said> Titles = new(StringComparer.Ordinal)
    {
        ["offer-received"] = new(
            "New handover offer {r} from {o}: answer by {d}",
            "Neues Übergabeangebot {r} von {o}: Antwort bis {d}",
            "Nouvelle offre de transfert {r} de {o} : réponse avant le {d}",
            "عرض تسليم جديد {r} من {o}: الرد قبل {d}"),
        ["offer-due-soon"] = new(
            "Reminder: the offer {r} from {o} escalates on {d} unless answered",
            "Erinnerung: Das Angebot {r} von {o} wird am {d} eskaliert, wenn es unbeantwortet bleibt",
            "Rappel : l'offre {r} de {o} sera escaladée le {d} sans réponse",
            "تذكير: سيُصعَّد العرض {r} من {o} في {d} ما لم يتم الرد عليه"),
        ["handover-accepted"] = new(
            "{o} accepted the handover {r}",
            "{o} hat die Übergabe {r} angenommen",
            "{o} a accepté le transfert {r}",
            "قبلت {o} التسليم {r}"),
        ["handover-declined"] = new(
            "The handover {r} to {o} was declined: {c}",
            "Die Übergabe {r} an {o} wurde abgelehnt: {c}",
            "Le transfert {r} vers {o} a été refusé : {c}",
            "رُفض التسليم {r} إلى {o}: {c}"),
        ["handover-withdrawn"] = new(
            "{o} withdrew the handover {r}",
            "{o} hat die Übergabe {r} zurückgezogen",
            "{o} a retiré le transfert {r}",
            "سحبت {o} التسليم {r}"),
        ["handover-revoked"] = new(
            "The handover {r} ended: {c}",
            "Die Übergabe {r} ist beendet: {c}",
            "Le transfert {r} a pris fin : {c}",
            "انتهى التسليم {r}: {c}"),
        ["handover-outcome"] = new(
            "{o} reported on the handover {r}: {c}",
            "{o} meldet zur Übergabe {r}: {c}",
            "{o} a signalé pour le transfert {r} : {c}",
            "أبلغت {o} بشأن التسليم {r}: {c}"),
        ["follow-up-due"] = new(
            "No first contact reported yet for the handover {r}",
            "Für die Übergabe {r} ist noch kein Erstkontakt gemeldet",
            "Aucun premier contact signalé pour le transfert {r}",
            "لم يُبلَّغ بعد عن تواصل أول للتسليم {r}"),
        ["consent-withdrawn"] = new(
            "A consent of one of your cases was withdrawn: {c}",
            "Eine Einwilligung in einem Ihrer Fälle wurde widerrufen: {c}",
            "Un consentement de l'un de vos dossiers a été retiré : {c}",
            "سُحبت موافقة في إحدى حالاتك: {c}"),
        ["consent-expiring"] = new(
            "A consent of one of your cases ends on {d}",
            "Eine Einwilligung in einem Ihrer Fälle endet am {d}",
            "Un consentement de l'un de vos dossiers prend fin le {d}",
            "تنتهي موافقة في إحدى حالاتك في {d}"),
        ["handover-escalated"] = new(
            "The offer {r} to {o} was not answered in time",
            "Das Angebot {r} an {o} wurde nicht rechtzeitig beantwortet",
            "L'offre {r} à {o} n'a pas reçu de réponse à temps",
            "لم يُرد على العرض {r} إلى {o} في الوقت المحدد"),
        ["verification-waiting"] = new(
            "{o} registered and waits for verification",
            "{o} hat sich registriert und wartet auf Prüfung",
            "{o} s'est inscrit et attend sa vérification",
            "سجّلت {o} وتنتظر التحقق"),
        ["person-invited"] = new(
            "A person was invited to your organisation as {c}",
            "Eine Person wurde als {c} in Ihre Organisation eingeladen",
            "Une personne a été invitée dans votre organisation comme {c}",
            "دُعي شخص إلى منظمتك بصفة {c}"),
        ["person-deactivated"] = new(
            "A person of your organisation ({c}) was deactivated",
            "Eine Person Ihrer Organisation ({c}) wurde deaktiviert",
            "Une personne de votre organisation ({c}) a été désactivée",
            "عُطّل شخص من منظمتك ({c})"),
    };

    private static readonly Dictionary<string, Said> Codes = new(StringComparer.Ordinal)
    {
        // Decline reasons: the receiver's, then the service's.
        ["no-capacity"] = new("no capacity", "keine Kapazität", "pas de capacité", "لا توجد سعة"),
        ["not-eligible"] = new("not eligible", "nicht zuständig", "non éligible", "غير مؤهل"),
        ["outside-service-area"] = new("outside the service area", "außerhalb des Einzugsgebiets", "hors de la zone de service", "خارج منطقة الخدمة"),
        ["language-not-available"] = new("language not available", "Sprache nicht verfügbar", "langue non disponible", "اللغة غير متاحة"),
        ["duplicate"] = new("duplicate", "Duplikat", "doublon", "مكرر"),
        ["other"] = new("other reason", "anderer Grund", "autre raison", "سبب آخر"),
        ["case-not-found"] = new("the case did not arrive", "der Fall ist nicht angekommen", "le dossier n'est pas arrivé", "لم تصل الحالة"),
        ["no-consent"] = new("no consent names the service", "keine Einwilligung nennt den Dienst", "aucun consentement ne nomme le service", "لا توجد موافقة تسمي الخدمة"),
        ["receiver-unavailable"] = new("the service takes no handovers", "der Dienst nimmt keine Übergaben an", "le service n'accepte pas de transferts", "الخدمة لا تقبل عمليات تسليم"),
        ["case-restricted"] = new("the case is restricted", "der Fall ist eingeschränkt", "le dossier est limité", "الحالة مقيدة"),
        ["origin-not-active"] = new("your organisation is not active", "Ihre Organisation ist nicht aktiv", "votre organisation n'est pas active", "منظمتك غير نشطة"),
        // Revocation causes.
        ["consent-withdrawn"] = new("consent withdrawn", "Einwilligung widerrufen", "consentement retiré", "سُحبت الموافقة"),
        ["consent-expired"] = new("consent expired", "Einwilligung abgelaufen", "consentement expiré", "انتهت الموافقة"),
        ["case-erased"] = new("case erased", "Fall gelöscht", "dossier effacé", "حُذفت الحالة"),
        // Outcomes after arrival.
        ["first-appointment-booked"] = new("first appointment booked", "Ersttermin vereinbart", "premier rendez-vous fixé", "حُجز الموعد الأول"),
        ["first-contact-made"] = new("first contact made", "Erstkontakt hergestellt", "premier contact établi", "تم التواصل الأول"),
        ["did-not-arrive"] = new("did not arrive", "nicht angekommen", "n'est pas arrivé·e", "لم يصل"),
        ["could-not-be-contacted"] = new("could not be contacted", "nicht erreichbar", "n'a pas pu être contacté·e", "تعذّر التواصل"),
        // How a consent was withdrawn.
        ["data-subject"] = new("by the person, with the receipt's code", "von der Person, mit dem Code der Quittung", "par la personne, avec le code du reçu", "من قبل الشخص، برمز الإيصال"),
        ["receiving-service"] = new("at the receiving service", "beim aufnehmenden Dienst", "auprès du service d'accueil", "لدى الخدمة المستقبِلة"),
        ["owner-partner"] = new("by your organisation", "durch Ihre Organisation", "par votre organisation", "من قبل منظمتك"),
        // Roles.
        ["counsellor"] = new("counsellor", "Berater·in", "conseiller·ère", "مستشار"),
        ["organisation-admin"] = new("organisation admin", "Organisationsadmin", "administrateur·rice", "مسؤول المنظمة"),
        ["coordinator"] = new("coordinator", "Koordinator·in", "coordinateur·rice", "منسق"),
    };

    private static readonly Said Reassigned = new(
        " (reassigned by the coordinators)", " (von der Koordination neu zugewiesen)", " (réattribuée par la coordination)", " (أعادت التنسيق إسنادها)");

    private static readonly Said AnotherOrganisation = new("another organisation", "eine andere Organisation", "une autre organisation", "منظمة أخرى");

    private static readonly Said OpenIt = new(
        "Open it in IMSA Network (sign in first):", "In IMSA Network öffnen (nach der Anmeldung):",
        "L'ouvrir dans IMSA Network (après connexion) :", "افتحه في شبكة IMSA (بعد تسجيل الدخول):");

    private static readonly Said Footer = new(
        "You receive this mail because of your notification settings, which you can change here:",
        "Sie erhalten diese Nachricht wegen Ihrer Benachrichtigungseinstellungen, die Sie hier ändern können:",
        "Vous recevez ce message en raison de vos paramètres de notification, modifiables ici :",
        "تصلك هذه الرسالة بسبب إعدادات الإشعارات الخاصة بك، ويمكنك تغييرها هنا:");

    private static readonly Said NothingPersonal = new(
        "For privacy, this mail names no person and no case content: the details are in the application.",
        "Aus Datenschutzgründen nennt diese Nachricht keine Person und keine Fallinhalte: Die Einzelheiten finden Sie in der Anwendung.",
        "Par confidentialité, ce message ne nomme personne ni aucun contenu de dossier : les détails sont dans l'application.",
        "حفاظًا على الخصوصية، لا تذكر هذه الرسالة أي شخص أو محتوى حالة: التفاصيل في التطبيق.");

    private static readonly Said DigestSubject = new(
        "IMSA Network: your daily summary ({n})", "IMSA Network: Ihre tägliche Übersicht ({n})",
        "IMSA Network : votre résumé quotidien ({n})", "شبكة IMSA: ملخصك اليومي ({n})");

    private static readonly Said DigestIntro = new(
        "Since your last summary:", "Seit Ihrer letzten Übersicht:", "Depuis votre dernier résumé :", "منذ ملخصك الأخير:");

    /// <summary>The name of a kind, as the settings list it.</summary>
    public static string KindName(string kind, PersonLanguage language) => Kinds.TryGetValue(kind, out var said) ? said.In(language) : kind;

    /// <summary>The notification's one line: the list's entry, a single mail's subject.</summary>
    public static string Title(NotificationView view, PersonLanguage language)
    {
        var n = view.Notification;
        if (!Titles.TryGetValue(n.Kind, out var template))
        {
            return n.Kind;
        }

        var reassigned = n.Kind == NotificationKinds.OfferReceived.Code && n.Code == "reassigned";
        var code = n.Code is { } c && !reassigned ? (Codes.TryGetValue(c, out var words) ? words.In(language) : c) : "";
        // In a right-to-left title, each inserted value is isolated (Unicode bidi FSI … PDI): a date or a Latin name keeps its own order.
        string Isolated(string value) => language.Direction == "rtl" && value.Length > 0 ? $"\u2068{value}\u2069" : value;
        var title = new StringBuilder(template.In(language))
            .Replace("{o}", Isolated(view.OrganisationName ?? AnotherOrganisation.In(language)))
            .Replace("{r}", Isolated(n.HandoverId is { } h ? Reference(h) : ""))
            .Replace("{d}", Isolated(n.DueAt is { } d ? Date(d, n.Kind) : ""))
            .Replace("{c}", code)
            .ToString();
        return reassigned ? title + Reassigned.In(language) : title;
    }

    /// <summary>A mail for one notification: its title as the subject, the link, and why it came.</summary>
    public static (string Subject, string Text) Single(NotificationView view, PersonLanguage language, string webUrl)
    {
        var title = Title(view, language);
        var text = new StringBuilder()
            .AppendLine(title)
            .AppendLine()
            .AppendLine(OpenIt.In(language))
            .AppendLine(webUrl + view.Notification.Link);
        AppendFooter(text, language, webUrl);
        return ("IMSA Network: " + title, text.ToString());
    }

    /// <summary>A digest: each notification's title and link, oldest first.</summary>
    public static (string Subject, string Text) Digest(IReadOnlyList<NotificationView> views, PersonLanguage language, string webUrl)
    {
        var text = new StringBuilder().AppendLine(DigestIntro.In(language)).AppendLine();
        foreach (var view in views)
        {
            text.Append("- ").AppendLine(Title(view, language)).Append("  ").AppendLine(webUrl + view.Notification.Link);
        }

        AppendFooter(text, language, webUrl);
        return (DigestSubject.In(language).Replace("{n}", views.Count.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), text.ToString());
    }

    private static void AppendFooter(StringBuilder text, PersonLanguage language, string webUrl) =>
        text.AppendLine()
            .AppendLine("--")
            .AppendLine(NothingPersonal.In(language))
            .AppendLine(Footer.In(language))
            .AppendLine(webUrl + "/notifications/settings");

    // An answer deadline to the minute (UTC); a consent's end or an outcome's day as a day.
    private static string Date(DateTimeOffset at, string kind) =>
        kind is "offer-received" or "offer-due-soon"
            ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)
            : at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
