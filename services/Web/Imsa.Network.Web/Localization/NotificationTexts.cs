namespace Imsa.Network.Web.Localization;

/// <summary>
/// The texts of the notification pages: the header's link, the person's list and settings, and the organisation's
/// minimums. The notifications' own titles and the kinds' names come from Partners in the page's language; the kind
/// names here are only for a kind the API names without a title.
/// </summary>
internal static class NotificationTexts
{
    public static Dictionary<string, Text> All => new(StringComparer.Ordinal)
    {
        // The header's link and the start page
        ["layout.notifications"] = new("Notifications", "Benachrichtigungen", "Notifications", "الإشعارات"),
        ["layout.unread"] = new("{0} unread", "{0} ungelesen", "{0} non lues", "{0} غير مقروءة"),
        ["me.open-notifications"] = new("Your notifications", "Ihre Benachrichtigungen", "Vos notifications", "إشعاراتك"),

        // The list
        ["notifications.title"] = new("Your notifications", "Ihre Benachrichtigungen", "Vos notifications", "إشعاراتك"),
        ["notifications.intro"] = new(
            "What asks you or your organisation to act: new offers, answers, deadlines, withdrawn consents. Notifications name references, organisations and dates, never a person.",
            "Was Sie oder Ihre Organisation zum Handeln auffordert: neue Angebote, Antworten, Fristen, widerrufene Einwilligungen. Benachrichtigungen nennen Aktenzeichen, Organisationen und Daten, nie eine Person.",
            "Ce qui vous demande, à vous ou à votre organisation, d'agir : nouvelles offres, réponses, échéances, consentements retirés. Les notifications indiquent des références, des organisations et des dates, jamais une personne.",
            "ما يتطلب منك أو من منظمتك اتخاذ إجراء: عروض جديدة وردود ومواعيد نهائية وموافقات مسحوبة. تذكر الإشعارات المراجع والمنظمات والتواريخ، ولا تذكر أي شخص أبدًا."),
        ["notifications.unread-count"] = new("Unread: {0}", "Ungelesen: {0}", "Non lues : {0}", "غير المقروءة: {0}"),
        ["notifications.filter"] = new("Filter the notifications", "Benachrichtigungen filtern", "Filtrer les notifications", "تصفية الإشعارات"),
        ["notifications.unread-only"] = new("Show unread only", "Nur ungelesene anzeigen", "Afficher seulement les non lues", "عرض غير المقروءة فقط"),
        ["notifications.show"] = new("Show", "Anzeigen", "Afficher", "عرض"),
        ["notifications.caption"] = new("Notifications, newest first", "Benachrichtigungen, die neuesten zuerst", "Notifications, les plus récentes d'abord", "الإشعارات، الأحدث أولًا"),
        ["notifications.what"] = new("Notification", "Benachrichtigung", "Notification", "الإشعار"),
        ["notifications.when"] = new("When", "Wann", "Quand", "متى"),
        ["notifications.email"] = new("E-mail", "E-Mail", "E-mail", "البريد الإلكتروني"),
        ["notifications.action"] = new("Action", "Aktion", "Action", "الإجراء"),
        ["notifications.unread"] = new("unread", "ungelesen", "non lue", "غير مقروء"),
        ["notifications.mail.failed"] = new(
            "The e-mail could not be delivered",
            "Die E-Mail konnte nicht zugestellt werden",
            "L'e-mail n'a pas pu être remis",
            "تعذّر تسليم البريد الإلكتروني"),
        ["notifications.mail.digest"] = new("In your daily summary", "In Ihrer täglichen Zusammenfassung", "Dans votre résumé quotidien", "في ملخصك اليومي"),
        ["notifications.open"] = new("Open", "Öffnen", "Ouvrir", "فتح"),
        ["notifications.open-named"] = new("Open: {0}", "Öffnen: {0}", "Ouvrir : {0}", "فتح: {0}"),
        ["notifications.read-all"] = new("Mark all as read", "Alle als gelesen markieren", "Tout marquer comme lu", "وضع علامة مقروء على الكل"),
        ["notifications.all-read"] = new(
            "All your notifications are marked as read.",
            "Alle Ihre Benachrichtigungen sind als gelesen markiert.",
            "Toutes vos notifications sont marquées comme lues.",
            "وُضعت علامة مقروء على جميع إشعاراتك."),
        ["notifications.none"] = new("You have no notifications.", "Sie haben keine Benachrichtigungen.", "Vous n'avez aucune notification.", "ليس لديك أي إشعارات."),
        ["notifications.none-unread"] = new(
            "You have no unread notifications.",
            "Sie haben keine ungelesenen Benachrichtigungen.",
            "Vous n'avez aucune notification non lue.",
            "ليس لديك إشعارات غير مقروءة."),
        ["notifications.pages"] = new("More notifications", "Weitere Benachrichtigungen", "Plus de notifications", "مزيد من الإشعارات"),
        ["notifications.newest"] = new("Newest", "Neueste", "Les plus récentes", "الأحدث"),
        ["notifications.older"] = new("Older", "Ältere", "Plus anciennes", "الأقدم"),
        ["notifications.to-settings"] = new("Your notification settings", "Ihre Einstellungen für Benachrichtigungen", "Vos paramètres de notification", "إعدادات إشعاراتك"),
        ["notifications.not-here"] = new(
            "This notification leads to no page of this application.",
            "Diese Benachrichtigung führt zu keiner Seite dieser Anwendung.",
            "Cette notification ne mène à aucune page de cette application.",
            "لا يؤدي هذا الإشعار إلى أي صفحة في هذا التطبيق."),
        ["notifications.problem.404"] = new(
            "This notification is not yours or no longer exists.",
            "Diese Benachrichtigung ist nicht Ihre oder existiert nicht mehr.",
            "Cette notification n'est pas la vôtre ou n'existe plus.",
            "هذا الإشعار ليس لك أو لم يعد موجودًا."),

        // The person's settings
        ["notifications.settings.title"] = new("Notification settings", "Einstellungen für Benachrichtigungen", "Paramètres des notifications", "إعدادات الإشعارات"),
        ["notifications.settings.intro"] = new(
            "Choose for each kind of notification how you get it: at once, in this application's list and by e-mail; in the list and in one e-mail a day; or not at all. Your organisation's administrators may ask for at least the daily summary, or for an e-mail at once, for some kinds.",
            "Wählen Sie für jede Art von Benachrichtigung, wie Sie sie erhalten: sofort, in der Liste dieser Anwendung und per E-Mail; in der Liste und in einer E-Mail pro Tag; oder gar nicht. Die Administration Ihrer Organisation kann für manche Arten mindestens die tägliche Zusammenfassung oder eine sofortige E-Mail verlangen.",
            "Choisissez pour chaque type de notification comment vous la recevez : immédiatement, dans la liste de cette application et par e-mail ; dans la liste et dans un e-mail par jour ; ou pas du tout. Les administrateur·rice·s de votre organisation peuvent exiger au moins le résumé quotidien, ou un e-mail immédiat, pour certains types.",
            "اختر لكل نوع من الإشعارات طريقة تلقيه: فورًا في قائمة هذا التطبيق وعبر البريد الإلكتروني؛ أو في القائمة وفي رسالة واحدة يوميًا؛ أو لا تتلقاه إطلاقًا. يمكن لمسؤولي منظمتك أن يطلبوا لبعض الأنواع الملخص اليومي على الأقل أو رسالة فورية."),
        ["notifications.settings.language"] = new("Language of your notification e-mails", "Sprache Ihrer Benachrichtigungs-E-Mails", "Langue de vos e-mails de notification", "لغة رسائل الإشعارات الإلكترونية"),
        ["notifications.settings.language-hint"] = new(
            "Unless you choose one, the e-mails are written in your organisation's usual language.",
            "Wenn Sie keine wählen, sind die E-Mails in der üblichen Sprache Ihrer Organisation geschrieben.",
            "Si vous n'en choisissez pas, les e-mails sont rédigés dans la langue habituelle de votre organisation.",
            "ما لم تختر لغة، تُكتب الرسائل باللغة المعتادة في منظمتك."),
        ["notifications.settings.organisation-language"] = new(
            "Your organisation's usual language",
            "Die übliche Sprache Ihrer Organisation",
            "La langue habituelle de votre organisation",
            "اللغة المعتادة في منظمتك"),
        ["notifications.settings.kinds"] = new("How you get each kind of notification", "Wie Sie jede Art von Benachrichtigung erhalten", "Comment vous recevez chaque type de notification", "كيف تتلقى كل نوع من الإشعارات"),
        ["notifications.settings.digest-hour"] = new(
            "The daily summary is sent once a day at about {0}:00 UTC.",
            "Die tägliche Zusammenfassung wird einmal täglich gegen {0}:00 Uhr UTC gesendet.",
            "Le résumé quotidien est envoyé une fois par jour vers {0} h 00 UTC.",
            "يُرسل الملخص اليومي مرة واحدة يوميًا نحو الساعة {0}:00 بالتوقيت العالمي."),
        ["notifications.settings.default"] = new("Unless you choose: {0}.", "Wenn Sie nichts wählen: {0}.", "Sauf choix de votre part : {0}.", "ما لم تختر: {0}."),
        ["notifications.settings.none"] = new(
            "Your role receives no notifications.",
            "Ihre Rolle erhält keine Benachrichtigungen.",
            "Votre rôle ne reçoit aucune notification.",
            "لا يتلقى دورك أي إشعارات."),
        ["notifications.settings.save"] = new("Save the settings", "Einstellungen speichern", "Enregistrer les paramètres", "حفظ الإعدادات"),
        ["notifications.settings.saved"] = new("Your settings were saved.", "Ihre Einstellungen wurden gespeichert.", "Vos paramètres ont été enregistrés.", "حُفظت إعداداتك."),
        ["notifications.settings.minimum.digest"] = new(
            "Your organisation asks for at least the daily summary, so \"not at all\" is not offered.",
            "Ihre Organisation verlangt mindestens die tägliche Zusammenfassung, daher wird „gar nicht“ nicht angeboten.",
            "Votre organisation exige au moins le résumé quotidien : « pas du tout » n'est donc pas proposé.",
            "تطلب منظمتك الملخص اليومي على الأقل، لذلك لا يُعرض خيار «لا إشعار إطلاقًا»."),
        ["notifications.settings.minimum.immediate"] = new(
            "Your organisation asks for an e-mail at once, so the daily summary and \"not at all\" are not offered.",
            "Ihre Organisation verlangt eine sofortige E-Mail, daher werden die tägliche Zusammenfassung und „gar nicht“ nicht angeboten.",
            "Votre organisation exige un e-mail immédiat : le résumé quotidien et « pas du tout » ne sont donc pas proposés.",
            "تطلب منظمتك بريدًا فوريًا، لذلك لا يُعرض الملخص اليومي ولا خيار «لا إشعار إطلاقًا»."),
        ["notifications.choice.immediate"] = new("At once: in the list and by e-mail", "Sofort: in der Liste und per E-Mail", "Immédiatement : dans la liste et par e-mail", "فورًا: في القائمة وعبر البريد"),
        ["notifications.choice.digest"] = new("Daily summary: in the list and one e-mail a day", "Tägliche Zusammenfassung: in der Liste und eine E-Mail pro Tag", "Résumé quotidien : dans la liste et un e-mail par jour", "ملخص يومي: في القائمة ورسالة واحدة يوميًا"),
        ["notifications.choice.off"] = new("Not at all", "Gar nicht", "Pas du tout", "لا إشعار إطلاقًا"),
        ["notifications.error.language"] = new(
            "Choose one of the languages offered.",
            "Wählen Sie eine der angebotenen Sprachen.",
            "Choisissez l'une des langues proposées.",
            "اختر إحدى اللغات المعروضة."),
        ["notifications.error.kinds"] = new(
            "This choice was not accepted: your organisation now asks for more. Choose one of the choices offered.",
            "Diese Wahl wurde nicht angenommen: Ihre Organisation verlangt inzwischen mehr. Wählen Sie eine der angebotenen Möglichkeiten.",
            "Ce choix n'a pas été accepté : votre organisation exige désormais davantage. Choisissez l'une des options proposées.",
            "لم يُقبل هذا الاختيار: تطلب منظمتك الآن أكثر من ذلك. اختر أحد الخيارات المعروضة."),

        // The organisation's minimums
        ["org.nav.notifications"] = new("Notification rules", "Benachrichtigungsregeln", "Règles de notification", "قواعد الإشعارات"),
        ["org.notifications.title"] = new(
            "Your organisation's notification rules",
            "Benachrichtigungsregeln Ihrer Organisation",
            "Règles de notification de votre organisation",
            "قواعد الإشعارات في منظمتك"),
        ["org.notifications.intro"] = new(
            "For each kind of notification, the least your organisation's people get. A person may choose more, never less: a choice below the minimum is no longer offered to them, and their own choice is raised to it.",
            "Für jede Art von Benachrichtigung das Mindeste, was die Personen Ihrer Organisation erhalten. Eine Person kann mehr wählen, nie weniger: Eine Wahl unter dem Minimum wird ihr nicht mehr angeboten, und ihre eigene Wahl wird darauf angehoben.",
            "Pour chaque type de notification, le minimum que reçoivent les personnes de votre organisation. Une personne peut choisir davantage, jamais moins : un choix inférieur au minimum ne lui est plus proposé et son propre choix y est relevé.",
            "لكل نوع من الإشعارات، الحد الأدنى الذي يتلقاه أفراد منظمتك. يمكن للشخص أن يختار أكثر، لا أقل: لا يُعرض عليه أي خيار دون الحد الأدنى، ويُرفع اختياره إليه."),
        ["org.notifications.for"] = new("For: {0}", "Für: {0}", "Pour : {0}", "لـ: {0}"),
        ["org.notifications.minimum.off"] = new("No minimum", "Kein Minimum", "Aucun minimum", "بلا حد أدنى"),
        ["org.notifications.minimum.digest"] = new("At least the daily summary", "Mindestens die tägliche Zusammenfassung", "Au moins le résumé quotidien", "الملخص اليومي على الأقل"),
        ["org.notifications.minimum.immediate"] = new("An e-mail at once", "Sofort eine E-Mail", "Un e-mail immédiat", "رسالة فورية"),
        ["org.notifications.none"] = new(
            "There are no kinds of notification for your organisation.",
            "Für Ihre Organisation gibt es keine Arten von Benachrichtigungen.",
            "Il n'y a aucun type de notification pour votre organisation.",
            "لا توجد أنواع من الإشعارات لمنظمتك."),
        ["org.notifications.save"] = new("Save the rules", "Regeln speichern", "Enregistrer les règles", "حفظ القواعد"),
        ["org.notifications.saved"] = new(
            "The rules were saved. They apply to the next notifications.",
            "Die Regeln wurden gespeichert. Sie gelten für die nächsten Benachrichtigungen.",
            "Les règles ont été enregistrées. Elles s'appliquent aux prochaines notifications.",
            "حُفظت القواعد. وتسري على الإشعارات التالية."),
        ["org.error.kinds"] = new(
            "This minimum was not accepted for this kind.",
            "Dieses Minimum wurde für diese Art nicht angenommen.",
            "Ce minimum n'a pas été accepté pour ce type.",
            "لم يُقبل هذا الحد الأدنى لهذا النوع."),

        // The kinds, for a kind Partners names without a title
        ["notification.kind.offer-received"] = new("New offers", "Neue Angebote", "Nouvelles offres", "عروض جديدة"),
        ["notification.kind.offer-due-soon"] = new("Offers due soon", "Bald fällige Angebote", "Offres bientôt échues", "عروض يقترب موعدها"),
        ["notification.kind.handover-accepted"] = new("Accepted handovers", "Angenommene Übergaben", "Transmissions acceptées", "إحالات مقبولة"),
        ["notification.kind.handover-declined"] = new("Declined handovers", "Abgelehnte Übergaben", "Transmissions refusées", "إحالات مرفوضة"),
        ["notification.kind.handover-withdrawn"] = new("Withdrawn handovers", "Zurückgezogene Übergaben", "Transmissions retirées", "إحالات مسحوبة"),
        ["notification.kind.handover-revoked"] = new("Revoked handovers", "Widerrufene Übergaben", "Transmissions révoquées", "إحالات ملغاة"),
        ["notification.kind.handover-outcome"] = new("Outcomes such as a first contact", "Ergebnisse wie ein erster Kontakt", "Résultats comme un premier contact", "نتائج مثل أول تواصل"),
        ["notification.kind.follow-up-due"] = new("Follow-ups due", "Fällige Nachfragen", "Suivis à faire", "متابعات مستحقة"),
        ["notification.kind.consent-withdrawn"] = new("Withdrawn consents", "Widerrufene Einwilligungen", "Consentements retirés", "موافقات مسحوبة"),
        ["notification.kind.consent-expiring"] = new("Consents expiring", "Auslaufende Einwilligungen", "Consentements qui expirent", "موافقات توشك على الانتهاء"),
        ["notification.kind.handover-escalated"] = new("Escalated handovers", "Eskalierte Übergaben", "Transmissions escaladées", "إحالات مصعّدة"),
        ["notification.kind.verification-waiting"] = new("Verifications waiting", "Wartende Prüfungen", "Vérifications en attente", "عمليات تحقق بانتظار المراجعة"),
        ["notification.kind.person-invited"] = new("People invited", "Eingeladene Personen", "Personnes invitées", "أشخاص مدعوون"),
        ["notification.kind.person-deactivated"] = new("People deactivated", "Deaktivierte Personen", "Personnes désactivées", "أشخاص معطّلون"),
    };
}
