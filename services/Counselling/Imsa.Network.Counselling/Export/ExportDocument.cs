using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Imsa.Network.Counselling.Export;

/// <summary>
/// The export as a document the person can read and print, in their language (de, en, fr, ar; Arabic right to left):
/// the same content as the JSON, with headings, the rights and the purposes translated; the data itself as entered.
/// </summary>
internal static class ExportDocument
{
    public static readonly FrozenSet<string> Languages = FrozenSet.Create(StringComparer.Ordinal, "de", "en", "fr", "ar");

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>The names of the fields the person entered, in en, de, fr and ar (the web's own words); others stay as the JSON names them.</summary>
    private static readonly FrozenDictionary<string, string[]> FieldLabels = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["givenNames"] = ["Given names", "Vornamen", "Prénoms", "الاسم الأول"],
        ["familyName"] = ["Family name", "Familienname", "Nom de famille", "اسم العائلة"],
        ["dateOfBirth"] = ["Date of birth", "Geburtsdatum", "Date de naissance", "تاريخ الميلاد"],
        ["nationalities"] = ["Nationalities", "Staatsangehörigkeiten", "Nationalités", "الجنسيات"],
        ["email"] = ["E-mail address", "E-Mail-Adresse", "Adresse e-mail", "البريد الإلكتروني"],
        ["phone"] = ["Phone", "Telefon", "Téléphone", "الهاتف"],
        ["messenger"] = ["Messenger", "Messenger", "Messagerie", "تطبيق المراسلة"],
        ["addressAbroad"] = ["Address abroad", "Anschrift im Ausland", "Adresse à l'étranger", "العنوان في الخارج"],
        ["preferredLanguage"] = ["Preferred counselling language", "Bevorzugte Beratungssprache", "Langue de conseil préférée", "لغة الاستشارة المفضلة"],
        ["preferredCounsellorGender"] = ["Preferred gender of the counsellor", "Gewünschtes Geschlecht der beratenden Person", "Genre souhaité du conseiller ou de la conseillère", "جنس المستشار المفضّل"],
        ["purpose"] = ["Purpose", "Zweck", "Motif", "الغرض"],
        ["visa"] = ["Visa", "Visum", "Visa", "التأشيرة"],
        ["plannedArrival"] = ["Planned arrival in Germany", "Geplante Ankunft in Deutschland", "Arrivée prévue en Allemagne", "موعد الوصول المخطط إلى ألمانيا"],
        ["destinationPostalCode"] = ["Destination postal code in Germany", "Postleitzahl des Zielorts in Deutschland", "Code postal de destination en Allemagne", "الرمز البريدي للوجهة في ألمانيا"],
        ["familyMembers"] = ["Family members", "Familienangehörige", "Membres de la famille", "أفراد الأسرة"],
        ["germanLevel"] = ["German level", "Deutschniveau", "Niveau d'allemand", "مستوى اللغة الألمانية"],
        ["germanCertificate"] = ["German certificate", "Deutschzertifikat", "Certificat d'allemand", "شهادة اللغة الألمانية"],
        ["languagesSpoken"] = ["Other languages spoken", "Weitere gesprochene Sprachen", "Autres langues parlées", "لغات أخرى يتحدثها"],
        ["qualifications"] = ["Qualifications", "Abschlüsse", "Qualifications", "المؤهلات"],
        ["priorServices"] = ["Services already received", "Bereits erhaltene Angebote", "Services déjà reçus", "خدمات سبق تلقّيها"],
        ["openTasks"] = ["Open tasks", "Offene Aufgaben", "Tâches ouvertes", "مهام مفتوحة"],
        ["riskFlags"] = ["Risk notes", "Hinweise auf Risiken", "Signalements de risque", "إشارات الخطر"],
        ["notes"] = ["Notes", "Notizen", "Notes", "ملاحظات"],
        ["heldOn"] = ["Held on", "Stattgefunden am", "Tenu le", "تاريخ الجلسة"],
        ["topics"] = ["Topics", "Themen", "Thèmes", "المواضيع"],
        ["status"] = ["Status", "Stand", "État", "الحالة"],
        ["message"] = ["Message", "Nachricht", "Message", "الرسالة"],
        ["declineNote"] = ["Note on the decline", "Anmerkung zur Ablehnung", "Note sur le refus", "ملاحظة على الرفض"],
        ["timeline"] = ["Timeline", "Verlauf", "Chronologie", "التسلسل الزمني"],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly string[] LabelLanguages = ["en", "de", "fr", "ar"];

    private static readonly FrozenDictionary<string, FrozenDictionary<string, string>> Texts = new Dictionary<string, FrozenDictionary<string, string>>
    {
        ["en"] = Text(
            ("language", "en"),
            ("title", "What the IMSA Network holds about you"),
            ("intro", "This is everything the network's services hold about your case, as of the date below. Keep it safe: it contains your personal data."),
            ("exported", "Made on"), ("case", "Your case"), ("controller", "Who is responsible for your data"),
            ("controller-text", "The counselling organisation that holds your case. Contact it for every request below."),
            ("data", "Your data, by category"), ("sessions", "Counselling sessions"), ("consents", "Your consents"),
            ("handovers", "Handovers to services in Germany"), ("disclosures", "Who read your data"), ("recipients", "Organisations that received or may receive your data"),
            ("purposes", "Why your data is processed"), ("retention", "How long it is kept"), ("rights", "Your rights"), ("exports", "Exports of your case"),
            ("none", "None."), ("organisation", "Organisation"), ("contact", "Contact"),
            ("access", "Access (Art. 15): ask your counselling service for this document at any time."),
            ("rectification", "Rectification (Art. 16): ask your counselling service to correct what is wrong."),
            ("erasure", "Erasure (Art. 17): ask your counselling service to erase your case; its content is destroyed for good."),
            ("restriction", "Restriction (Art. 18): ask for your case to be kept but not used or passed on."),
            ("portability", "Portability (Art. 20): the JSON form of this export can be given to another organisation."),
            ("objection", "Objection (Art. 21): object with your counselling service."),
            ("withdraw-consent", "Withdrawing consent (Art. 7(3)): at any time, with the code on your receipt or with any counselling service."),
            ("complaint", "Complaint (Art. 77): to a data protection supervisory authority, in your country or in Germany."),
            ("category.identity", "Identity"),
            ("category.contact", "Contact and counselling preferences"),
            ("category.migration-plan", "Migration plan"),
            ("category.language-and-qualifications", "Language and qualifications"),
            ("category.counselling-history", "Counselling history"),
            ("category.needs-and-open-tasks", "Needs and open tasks"),
            ("category.special-categories", "Special categories (health, vulnerability, exploitation)")),
        ["de"] = Text(
            ("language", "de"),
            ("title", "Was das IMSA-Netzwerk über Sie gespeichert hat"),
            ("intro", "Dies ist alles, was die Dienste des Netzwerks zu Ihrem Fall gespeichert haben, Stand unten genanntes Datum. Bewahren Sie es sicher auf: Es enthält Ihre persönlichen Daten."),
            ("exported", "Erstellt am"), ("case", "Ihr Fall"), ("controller", "Wer für Ihre Daten verantwortlich ist"),
            ("controller-text", "Die Beratungsstelle, die Ihren Fall führt. Wenden Sie sich für alle unten genannten Anliegen an sie."),
            ("data", "Ihre Daten nach Kategorien"), ("sessions", "Beratungsgespräche"), ("consents", "Ihre Einwilligungen"),
            ("handovers", "Übergaben an Dienste in Deutschland"), ("disclosures", "Wer Ihre Daten gelesen hat"), ("recipients", "Organisationen, die Ihre Daten erhalten haben oder erhalten dürfen"),
            ("purposes", "Wozu Ihre Daten verarbeitet werden"), ("retention", "Wie lange sie gespeichert werden"), ("rights", "Ihre Rechte"), ("exports", "Auskünfte zu Ihrem Fall"),
            ("none", "Keine."), ("organisation", "Organisation"), ("contact", "Kontakt"),
            ("access", "Auskunft (Art. 15 DSGVO): Sie können dieses Dokument jederzeit bei Ihrer Beratungsstelle verlangen."),
            ("rectification", "Berichtigung (Art. 16): Ihre Beratungsstelle korrigiert, was falsch ist."),
            ("erasure", "Löschung (Art. 17): Ihre Beratungsstelle löscht Ihren Fall; sein Inhalt wird endgültig vernichtet."),
            ("restriction", "Einschränkung (Art. 18): Ihr Fall wird aufbewahrt, aber weder genutzt noch weitergegeben."),
            ("portability", "Datenübertragbarkeit (Art. 20): Die JSON-Form dieser Auskunft können Sie einer anderen Organisation geben."),
            ("objection", "Widerspruch (Art. 21): bei Ihrer Beratungsstelle."),
            ("withdraw-consent", "Widerruf der Einwilligung (Art. 7 Abs. 3): jederzeit, mit dem Code auf Ihrer Quittung oder bei jeder Beratungsstelle."),
            ("complaint", "Beschwerde (Art. 77): bei einer Datenschutzaufsichtsbehörde, in Ihrem Land oder in Deutschland."),
            ("category.identity", "Identität"),
            ("category.contact", "Kontakt und Beratungswünsche"),
            ("category.migration-plan", "Migrationsvorhaben"),
            ("category.language-and-qualifications", "Sprache und Qualifikationen"),
            ("category.counselling-history", "Beratungsverlauf"),
            ("category.needs-and-open-tasks", "Bedarfe und offene Aufgaben"),
            ("category.special-categories", "Besondere Kategorien (Gesundheit, Schutzbedürftigkeit, Ausbeutung)")),
        ["fr"] = Text(
            ("language", "fr"),
            ("title", "Ce que le réseau IMSA détient à votre sujet"),
            ("intro", "Voici tout ce que les services du réseau détiennent sur votre dossier, à la date ci-dessous. Conservez-le en lieu sûr : il contient vos données personnelles."),
            ("exported", "Établi le"), ("case", "Votre dossier"), ("controller", "Qui est responsable de vos données"),
            ("controller-text", "L'organisation de conseil qui tient votre dossier. Adressez-vous à elle pour chacune des demandes ci-dessous."),
            ("data", "Vos données, par catégorie"), ("sessions", "Entretiens de conseil"), ("consents", "Vos consentements"),
            ("handovers", "Transmissions à des services en Allemagne"), ("disclosures", "Qui a lu vos données"), ("recipients", "Organisations qui ont reçu ou peuvent recevoir vos données"),
            ("purposes", "Pourquoi vos données sont traitées"), ("retention", "Combien de temps elles sont conservées"), ("rights", "Vos droits"), ("exports", "Exports de votre dossier"),
            ("none", "Aucun."), ("organisation", "Organisation"), ("contact", "Contact"),
            ("access", "Accès (art. 15 RGPD) : demandez ce document à votre service de conseil à tout moment."),
            ("rectification", "Rectification (art. 16) : votre service de conseil corrige ce qui est inexact."),
            ("erasure", "Effacement (art. 17) : votre service de conseil efface votre dossier ; son contenu est détruit définitivement."),
            ("restriction", "Limitation (art. 18) : votre dossier est conservé, mais ni utilisé ni transmis."),
            ("portability", "Portabilité (art. 20) : la forme JSON de cet export peut être remise à une autre organisation."),
            ("objection", "Opposition (art. 21) : auprès de votre service de conseil."),
            ("withdraw-consent", "Retrait du consentement (art. 7(3)) : à tout moment, avec le code de votre reçu ou auprès de tout service de conseil."),
            ("complaint", "Réclamation (art. 77) : auprès d'une autorité de protection des données, dans votre pays ou en Allemagne."),
            ("category.identity", "Identité"),
            ("category.contact", "Contact et préférences de conseil"),
            ("category.migration-plan", "Projet migratoire"),
            ("category.language-and-qualifications", "Langue et qualifications"),
            ("category.counselling-history", "Historique du conseil"),
            ("category.needs-and-open-tasks", "Besoins et tâches ouvertes"),
            ("category.special-categories", "Catégories particulières (santé, vulnérabilité, exploitation)")),
        ["ar"] = Text(
            ("language", "ar"),
            ("title", "ما تحتفظ به شبكة IMSA عنك"),
            ("intro", "هذا كل ما تحتفظ به خدمات الشبكة عن ملفك، حتى التاريخ المذكور أدناه. احفظه في مكان آمن: فهو يحتوي على بياناتك الشخصية."),
            ("exported", "أُعدّ في"), ("case", "ملفك"), ("controller", "الجهة المسؤولة عن بياناتك"),
            ("controller-text", "منظمة الاستشارة التي تحتفظ بملفك. تواصل معها بشأن كل طلب مذكور أدناه."),
            ("data", "بياناتك حسب الفئة"), ("sessions", "جلسات الاستشارة"), ("consents", "موافقاتك"),
            ("handovers", "الإحالات إلى خدمات في ألمانيا"), ("disclosures", "من اطّلع على بياناتك"), ("recipients", "المنظمات التي تلقّت بياناتك أو يجوز لها تلقّيها"),
            ("purposes", "لماذا تُعالَج بياناتك"), ("retention", "مدة الاحتفاظ بها"), ("rights", "حقوقك"), ("exports", "نسخ ملفك"),
            ("none", "لا شيء."), ("organisation", "المنظمة"), ("contact", "التواصل"),
            ("access", "الاطلاع (المادة 15): اطلب هذه الوثيقة من خدمة الاستشارة في أي وقت."),
            ("rectification", "التصحيح (المادة 16): تصحّح خدمة الاستشارة ما هو غير صحيح."),
            ("erasure", "المحو (المادة 17): تمحو خدمة الاستشارة ملفك، ويُتلف محتواه نهائيًا."),
            ("restriction", "التقييد (المادة 18): يُحفظ ملفك دون أن يُستخدم أو يُحال."),
            ("portability", "قابلية النقل (المادة 20): يمكن تسليم صيغة JSON من هذه النسخة إلى منظمة أخرى."),
            ("objection", "الاعتراض (المادة 21): لدى خدمة الاستشارة."),
            ("withdraw-consent", "سحب الموافقة (المادة 7(3)): في أي وقت، بالرمز الموجود على إيصالك أو لدى أي خدمة استشارة."),
            ("complaint", "الشكوى (المادة 77): لدى سلطة رقابية لحماية البيانات، في بلدك أو في ألمانيا."),
            ("category.identity", "الهوية"),
            ("category.contact", "التواصل وتفضيلات الاستشارة"),
            ("category.migration-plan", "خطة الهجرة"),
            ("category.language-and-qualifications", "اللغة والمؤهلات"),
            ("category.counselling-history", "سجل الاستشارات"),
            ("category.needs-and-open-tasks", "الاحتياجات والمهام المفتوحة"),
            ("category.special-categories", "الفئات الخاصة (الصحة، الهشاشة، الاستغلال)")),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <param name="json">The service's JSON settings, so the document names codes as the JSON export does.</param>
    public static string Html(CaseExportDocument export, JsonSerializerOptions json)
    {
        ArgumentNullException.ThrowIfNull(export);
        var t = Texts[export.Language];
        var html = new StringBuilder();
        var direction = export.Language == "ar" ? "rtl" : "ltr";
        html.Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"{export.Language}\" dir=\"{direction}\"><head><meta charset=\"utf-8\">")
            .Append(CultureInfo.InvariantCulture, $"<title>{E(t["title"])}</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}")
            .Append("body{overflow-wrap:anywhere}h1{font-size:1.6rem}h2{font-size:1.2rem;border-bottom:1px solid #888;margin-top:2rem}")
            .Append("dt{font-weight:600}dd{margin:0 0 .4rem;margin-inline-start:1.5rem}")
            .Append("pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}@media print{body{margin:0}h2{break-after:avoid}}</style></head><body>")
            .Append(CultureInfo.InvariantCulture, $"<h1>{E(t["title"])}</h1><p>{E(t["intro"])}</p>")
            .Append(CultureInfo.InvariantCulture, $"<p>{E(t["exported"])} {E(export.ExportedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))} · {E(export.ExportId.ToString())}</p>");

        Section(html, t["controller"]);
        var controller = export.Controller;
        html.Append(CultureInfo.InvariantCulture, $"<p>{E(t["controller-text"])}</p><dl><dt>{E(t["organisation"])}</dt>")
            .Append(CultureInfo.InvariantCulture, $"<dd>{E(controller.Name ?? $"urn:imsa:organisation:{controller.OrganisationId}")} ({E(controller.Country)})</dd>");
        var contact = string.Join(" · ", new[] { controller.Role, controller.Email, controller.Phone, controller.Address }.Where(part => !string.IsNullOrEmpty(part)));
        if (contact.Length > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<dt>{E(t["contact"])}</dt><dd>{E(contact)}</dd>");
        }

        html.Append("</dl>");
        Part(html, t["case"], export.Case, t, json);
        Section(html, t["data"]);
        foreach (var (category, data) in export.PersonalData)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>{E(t.GetValueOrDefault($"category.{category}", category))}</h3>");
            Value(html, JsonSerializer.SerializeToNode(data, json), export.Language);
        }

        Part(html, t["sessions"], export.Sessions, t, json);
        Part(html, t["consents"], export.Consents, t, json);
        Part(html, t["handovers"], export.Handovers, t, json);
        Part(html, t["disclosures"], export.Disclosures, t, json);
        Part(html, t["recipients"], export.Recipients, t, json);
        Part(html, t["purposes"], export.Purposes, t, json);
        Part(html, t["retention"], export.Retention, t, json);
        Section(html, t["rights"]);
        html.Append("<ul>");
        foreach (var right in export.Rights)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li>{E(t[right.Right])}</li>");
        }

        html.Append("</ul>");
        Part(html, t["exports"], export.Exports, t, json);
        return html.Append("</body></html>").ToString();
    }

    private static void Section(StringBuilder html, string title) => html.Append(CultureInfo.InvariantCulture, $"<h2>{E(title)}</h2>");

    private static void Part(StringBuilder html, string title, object value, FrozenDictionary<string, string> t, JsonSerializerOptions json)
    {
        Section(html, title);
        var node = value as JsonNode ?? JsonSerializer.SerializeToNode(value, json);
        if (node is JsonArray { Count: 0 } or null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{E(t["none"])}</p>");
            return;
        }

        Value(html, node, t["language"]);
    }

    /// <summary>A JSON value as nested lists: objects as term and description, arrays as numbered items.</summary>
    private static void Value(StringBuilder html, JsonNode? node, string language)
    {
        switch (node)
        {
            case JsonObject obj:
                html.Append("<dl>");
                foreach (var (name, child) in obj.Where(p => p.Value is not null))
                {
                    var label = FieldLabels.TryGetValue(name, out var labels) ? labels[Array.IndexOf(LabelLanguages, language)] : name;
                    html.Append(CultureInfo.InvariantCulture, $"<dt>{E(label)}</dt><dd>");
                    Value(html, child, language);
                    html.Append("</dd>");
                }

                html.Append("</dl>");
                break;
            case JsonArray array:
                html.Append("<ol>");
                foreach (var item in array)
                {
                    html.Append("<li>");
                    Value(html, item, language);
                    html.Append("</li>");
                }

                html.Append("</ol>");
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Contains('\n', StringComparison.Ordinal):
                html.Append(CultureInfo.InvariantCulture, $"<pre>{E(value.GetValue<string>())}</pre>");
                break;
            case JsonValue value:
                html.Append(E(value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()));
                break;
        }
    }

    private static string E(string text) => Encoder.Encode(text);

    private static FrozenDictionary<string, string> Text(params (string Key, string Value)[] texts) =>
        texts.ToFrozenDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
}
