namespace Imsa.Network.Web.Localization;

/// <summary>The texts of the person's withdrawal page (no account): plain words, for someone reading in their own language.</summary>
internal static class PersonTexts
{
    public static Dictionary<string, Text> All => new(StringComparer.Ordinal)
    {
        ["person.title"] = new("Your consent", "Ihre Einwilligung", "Votre consentement", "موافقتك"),
        ["person.intro"] = new(
            "Enter the withdrawal code from your consent receipt to see what you agreed to and to withdraw your consent. You need no account.",
            "Geben Sie den Widerrufscode von Ihrer Einwilligungsquittung ein, um zu sehen, worin Sie eingewilligt haben, und Ihre Einwilligung zu widerrufen. Sie brauchen kein Konto.",
            "Saisissez le code de retrait figurant sur votre reçu de consentement pour voir ce que vous avez accepté et retirer votre consentement. Aucun compte n'est nécessaire.",
            "أدخل رمز السحب المدوّن في إيصال موافقتك لترى ما وافقت عليه ولتسحب موافقتك. لا تحتاج إلى حساب."),
        ["person.code"] = new("Withdrawal code", "Widerrufscode", "Code de retrait", "رمز السحب"),
        ["person.code-hint"] = new(
            "As printed on your receipt, for example 7K2M-Q9XD-4TZB-HN3C-WP8R.",
            "Wie auf Ihrer Quittung gedruckt, zum Beispiel 7K2M-Q9XD-4TZB-HN3C-WP8R.",
            "Tel qu'imprimé sur votre reçu, par exemple 7K2M-Q9XD-4TZB-HN3C-WP8R.",
            "كما هو مطبوع على إيصالك، مثل 7K2M-Q9XD-4TZB-HN3C-WP8R."),
        ["person.code-error"] = new(
            "Please check the code: it must be the one on your receipt.",
            "Bitte prüfen Sie den Code: Es muss der auf Ihrer Quittung sein.",
            "Vérifiez le code : ce doit être celui de votre reçu.",
            "يرجى التحقق من الرمز: يجب أن يكون الرمز المدوّن في إيصالك."),
        ["person.show"] = new("Show my consent", "Meine Einwilligung anzeigen", "Afficher mon consentement", "اعرض موافقتي"),
        ["person.problem.404"] = new(
            "No consent has this code. Check the code on your receipt, or ask your counselling service to withdraw the consent for you.",
            "Zu diesem Code gibt es keine Einwilligung. Prüfen Sie den Code auf Ihrer Quittung oder bitten Sie Ihre Beratungsstelle, die Einwilligung für Sie zu widerrufen.",
            "Aucun consentement ne correspond à ce code. Vérifiez le code sur votre reçu ou demandez à votre service de conseil de retirer le consentement pour vous.",
            "لا توجد موافقة بهذا الرمز. تحقق من الرمز في إيصالك، أو اطلب من جهة الاستشارة أن تسحب الموافقة نيابةً عنك."),
        ["person.problem.422"] = new(
            "Please enter the code from your receipt.",
            "Bitte geben Sie den Code von Ihrer Quittung ein.",
            "Veuillez saisir le code de votre reçu.",
            "يرجى إدخال الرمز المدوّن في إيصالك."),

        // What the receipt says
        ["person.receipt.intro"] = new(
            "This is what your receipt says you agreed to.",
            "Das steht auf Ihrer Quittung, worin Sie eingewilligt haben.",
            "Voici ce que votre reçu indique que vous avez accepté.",
            "هذا ما يذكره إيصالك عمّا وافقت عليه."),
        ["person.receipt.data"] = new("Which data", "Welche Daten", "Quelles données", "أي بيانات"),
        ["person.receipt.sensitive"] = new(
            "This includes especially protected data (for example about health), which you agreed to explicitly.",
            "Dazu gehören besonders geschützte Daten (zum Beispiel zur Gesundheit), in die Sie ausdrücklich eingewilligt haben.",
            "Cela comprend des données particulièrement protégées (par exemple sur la santé), que vous avez acceptées explicitement.",
            "ويشمل ذلك بيانات محمية بشكل خاص (مثل البيانات الصحية) وافقت عليها صراحةً."),
        ["person.receipt.to"] = new("To whom", "An wen", "À qui", "إلى من"),
        ["person.receipt.by"] = new("Recorded by", "Aufgenommen von", "Enregistré par", "سجّلها"),
        ["person.receipt.ids"] = new(
            "An organisation whose name is not known here is named by its network number, as on your receipt; your counselling service can tell you its name.",
            "Eine Organisation, deren Name hier nicht bekannt ist, steht mit ihrer Netzwerknummer da, wie auf Ihrer Quittung; Ihre Beratungsstelle nennt Ihnen den Namen.",
            "Une organisation dont le nom n'est pas connu ici est désignée par son numéro dans le réseau, comme sur votre reçu ; votre service de conseil peut vous donner son nom.",
            "تُذكر المنظمة التي لا يُعرف اسمها هنا برقمها في الشبكة كما في إيصالك؛ ويمكن لجهة الاستشارة أن تخبرك باسمها."),
        ["person.receipt.valid"] = new("Until when", "Bis wann", "Jusqu'à quand", "حتى متى"),
        ["person.receipt.from-until"] = new("from {0} until {1}", "vom {0} bis zum {1}", "du {0} au {1}", "من {0} حتى {1}"),
        ["person.receipt.state"] = new("Status", "Stand", "État", "الحالة"),
        ["person.state.active"] = new("in effect", "gültig", "en vigueur", "سارية"),
        ["person.state.not-yet-valid"] = new("not yet in effect", "noch nicht gültig", "pas encore en vigueur", "لم تسرِ بعد"),
        ["person.state.withdrawn"] = new("withdrawn", "widerrufen", "retiré", "مسحوبة"),
        ["person.state.expired"] = new("expired", "abgelaufen", "expiré", "منتهية"),
        ["person.category.identity"] = new("Identity", "Identität", "Identité", "الهوية"),
        ["person.category.contact"] = new("Contact details", "Kontaktdaten", "Coordonnées", "بيانات الاتصال"),
        ["person.category.migration-plan"] = new("Migration plan", "Migrationsvorhaben", "Projet de migration", "خطة الهجرة"),
        ["person.category.language-and-qualifications"] = new("Languages and qualifications", "Sprachen und Qualifikationen", "Langues et qualifications", "اللغات والمؤهلات"),
        ["person.category.counselling-history"] = new("Counselling so far", "Bisherige Beratung", "Conseil reçu jusqu'ici", "الاستشارات السابقة"),
        ["person.category.needs-and-open-tasks"] = new("Needs and open tasks", "Bedarfe und offene Aufgaben", "Besoins et démarches en cours", "الاحتياجات والمهام المفتوحة"),
        ["person.category.special-categories"] = new("Especially protected data", "Besonders geschützte Daten", "Données particulièrement protégées", "بيانات محمية بشكل خاص"),

        // Withdrawing
        ["person.confirm.title"] = new("Withdraw your consent", "Einwilligung widerrufen", "Retirer votre consentement", "اسحب موافقتك"),
        ["person.confirm.text"] = new(
            "From the moment you confirm, your data is no longer passed on, and a service that has received it may no longer read it. Your counselling service is told. This cannot be undone; you can give a new consent later.",
            "Ab Ihrer Bestätigung werden Ihre Daten nicht mehr weitergegeben, und ein Dienst, der sie erhalten hat, darf sie nicht mehr lesen. Ihre Beratungsstelle wird informiert. Das lässt sich nicht rückgängig machen; Sie können später neu einwilligen.",
            "Dès votre confirmation, vos données ne sont plus transmises et un service qui les a reçues ne peut plus les lire. Votre service de conseil en est informé. C'est définitif ; vous pourrez donner un nouveau consentement plus tard.",
            "منذ لحظة تأكيدك لن تُنقل بياناتك بعد الآن، ولن يحق لأي خدمة تلقّتها أن تطّلع عليها. وستُبلَّغ جهة الاستشارة. لا يمكن التراجع عن ذلك؛ ويمكنك إعطاء موافقة جديدة لاحقًا."),
        ["person.confirm.button"] = new("Yes, withdraw my consent", "Ja, Einwilligung widerrufen", "Oui, retirer mon consentement", "نعم، اسحب موافقتي"),
        ["person.already-ended"] = new(
            "This consent has already ended: nothing more to do.",
            "Diese Einwilligung ist bereits beendet: Es ist nichts mehr zu tun.",
            "Ce consentement a déjà pris fin : il n'y a plus rien à faire.",
            "انتهت هذه الموافقة بالفعل: لا حاجة إلى فعل أي شيء."),
        ["person.withdrawn.title"] = new("Your consent is withdrawn", "Ihre Einwilligung ist widerrufen", "Votre consentement est retiré", "تم سحب موافقتك"),
        ["person.ended.title"] = new("Your consent has ended", "Ihre Einwilligung ist beendet", "Votre consentement a pris fin", "انتهت موافقتك"),
        ["person.withdrawn.when"] = new("Ended on {0}.", "Beendet am {0}.", "Terminé le {0}.", "انتهت في {0}."),
        ["person.withdrawn.what-now"] = new(
            "Your data is no longer passed on; a handover in progress is stopped. You can close this page.",
            "Ihre Daten werden nicht mehr weitergegeben; eine laufende Übergabe wird gestoppt. Sie können diese Seite schließen.",
            "Vos données ne sont plus transmises ; une transmission en cours est arrêtée. Vous pouvez fermer cette page.",
            "لم تعد بياناتك تُنقل؛ وتتوقف أي إحالة جارية. يمكنك إغلاق هذه الصفحة."),
    };
}
