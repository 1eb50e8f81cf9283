namespace Imsa.Network.Reference.Retention;

/// <summary>
/// One retention rule of one service, as documented: what is deleted, from when the period counts, the default
/// period, the shortest period the service accepts, and why. A service applies its own rules (its retention job);
/// Counselling's record of processing activities (GDPR Art. 30) states every service's.
/// </summary>
/// <param name="Service">partners, counselling or handovers.</param>
/// <param name="Name">The rule's name; its setting is <see cref="Setting"/>.</param>
/// <param name="Data">What is deleted when the period is over.</param>
/// <param name="CountsFrom">The moment the period starts.</param>
/// <param name="FromEndOfYear">
/// The period starts at the end of the year in which that moment falls, as the regular limitation period does
/// (§ 199(1) BGB): three years from the end of the year. A rule so counted deletes, in a year, what ended in the
/// year the period before.
/// </param>
/// <param name="Reason">Why the default is what it is.</param>
/// <param name="MinimumReason">Why a shorter period is refused at start-up.</param>
public sealed record RetentionRuleDefinition(
    string Service,
    string Name,
    string Data,
    string CountsFrom,
    TimeSpan Default,
    TimeSpan Minimum,
    bool FromEndOfYear,
    string Reason,
    string MinimumReason)
{
    /// <summary>The configuration key of the rule's period, e.g. "Retention:Periods:ClosedCases".</summary>
    public string Setting => $"{RetentionRules.Section}:Periods:{Name}";
}

/// <summary>
/// The network's retention rules, every service's, as data (docs/privacy.md#retention). Periods are written in
/// days: 24 months = 730 days, 3 years = 1096 days (one leap day included).
/// </summary>
public static class RetentionRules
{
    public const string Section = "Retention";

    public const string Partners = "partners";
    public const string Counselling = "counselling";
    public const string Handovers = "handovers";

    private static readonly TimeSpan ThreeYears = TimeSpan.FromDays(1096);

    private const string LimitationPeriod =
        "the regular limitation period of three years from the end of the year in which a claim arose (§§ 195, 199(1) BGB): "
        + "until then the person, an organisation or an authority may bring a claim (GDPR Art. 82, § 823 BGB) or a complaint "
        + "that this record answers";

    public static readonly RetentionRuleDefinition ClosedCases = new(
        Counselling, "ClosedCases",
        "a closed case: erased as DELETE /cases/{id} erases it (its data key destroyed, its sealed content and sessions deleted, CaseErased announced), "
        + "unless a handover of it is still open (requested, offered, accepted, in contact, escalated) or its processing is restricted "
        + "(GDPR Art. 18: kept until the restriction is lifted)",
        "the case's closing",
        TimeSpan.FromDays(730), TimeSpan.FromDays(90), FromEndOfYear: false,
        "24 months: migration often takes one to two years after the counselling abroad (visa, recognition, family reunification); "
        + "a person who comes back to their counsellor in that time, or arrives late, still finds their case. After that the data no longer "
        + "serves the purpose it was collected for (storage limitation, GDPR Art. 5(1)(e)). The owner can erase earlier at any time.",
        "90 days: a case closed by mistake, or whose receiving service reports first contact after the closing, must not be erased "
        + "before anyone notices; earlier erasure is the owner's decision (DELETE /cases/{id}), not the job's.");

    public static readonly RetentionRuleDefinition ConsentProof = new(
        Counselling, "ConsentProof",
        "an erased case's consents and their ends (withdrawal, expiry): the proof of consent",
        "the consent's end (its withdrawal, its validity's end, or the case's erasure, whichever came first), from the end of that year",
        ThreeYears, ThreeYears, FromEndOfYear: true,
        "The controller must be able to prove that the person consented (GDPR Art. 7(1)), to what, and when they withdrew, for as long as "
        + LimitationPeriod + ".",
        "Shorter than " + LimitationPeriod + " would destroy the proof while a claim can still be brought.");

    public static readonly RetentionRuleDefinition Disclosures = new(
        Counselling, "Disclosures",
        "an erased case's disclosure log (which organisation read which categories, when, under which handover and consent)",
        "the case's erasure, from the end of that year",
        ThreeYears, ThreeYears, FromEndOfYear: true,
        "The log proves that each disclosure rested on a consent and an accepted handover (accountability, GDPR Art. 5(2)); it is kept as "
        + "long as the proof of consent, for " + LimitationPeriod + ".",
        "Shorter than " + LimitationPeriod + " would leave a disclosure unprovable while a claim about it can still be brought.");

    public static readonly RetentionRuleDefinition ErasedCaseHandovers = new(
        Handovers, "ErasedCaseHandovers",
        "the handover tickets of an erased case that have ended (completed, declined, withdrawn, revoked), with their timelines "
        + "(who took which step: person and client ids); the network statistics count them no more",
        "the case's erasure, from the end of that year",
        ThreeYears, ThreeYears, FromEndOfYear: true,
        "After the erasure a ticket holds ids, codes and dates only; its timeline records which organisation and person took which step, "
        + "which answers a complaint about the handover for " + LimitationPeriod + ". Kept no longer: the statistics of years that old "
        + "have been reported.",
        "Shorter than " + LimitationPeriod + " would lose who did what in a handover while a claim about it can still be brought.");

    public static readonly RetentionRuleDefinition WebhookDeliveries = new(
        Partners, "WebhookDeliveries",
        "webhook deliveries that are done (delivered, or given up), with their payloads",
        "the delivery's creation",
        TimeSpan.FromDays(30), TimeSpan.FromDays(7), FromEndOfYear: false,
        "30 days: the delivery log is for the organisation to see what reached its system and to diagnose failures; its payloads "
        + "(ids, codes, dates) are the events' and serve nothing after that.",
        "7 days: an organisation must be able to look into a failure after a weekend or a short absence.");

    public static readonly RetentionRuleDefinition Notifications = new(
        Partners, "Notifications",
        "people's notifications (read or not) and their mails' delivery state",
        "the notification's making",
        TimeSpan.FromDays(180), TimeSpan.FromDays(30), FromEndOfYear: false,
        "180 days: a person's list of what asked them to act, to look back over a few months; it names handovers, organisations, dates and "
        + "codes, nothing of a case, and serves nothing after that.",
        "30 days: a person back from a month's absence must still find what came meanwhile.");

    public static readonly RetentionRuleDefinition CredentialEvents = new(
        Partners, "CredentialEvents",
        "the credential trail (invitations, clients created, rotated and revoked, people's sign-ins, lockouts and deactivations)",
        "the event",
        ThreeYears, TimeSpan.FromDays(365), FromEndOfYear: false,
        "The organisation's security record: who got which credential, and when it was used or locked. Three years, like the audit trail, "
        + "for a late discovered misuse.",
        "One year: investigating a breach (GDPR Art. 33) needs at least the past year of credential events.");

    public static readonly IReadOnlyList<RetentionRuleDefinition> All =
    [
        ClosedCases, ConsentProof, Disclosures, Activity(Counselling), AuditTrail(Counselling),
        ErasedCaseHandovers, Activity(Handovers), AuditTrail(Handovers),
        WebhookDeliveries, Notifications, CredentialEvents, Activity(Partners), AuditTrail(Partners),
    ];

    /// <summary>The rules one service applies.</summary>
    public static IReadOnlyList<RetentionRuleDefinition> Of(string service) =>
        [.. All.Where(rule => string.Equals(rule.Service, service, StringComparison.Ordinal))];

    /// <summary>Every service's activity (admin.activity): who of an organisation changed what, ids only.</summary>
    public static RetentionRuleDefinition Activity(string service) => new(
        service, "Activity",
        "the activity entries (admin.activity): which person and client of an organisation changed which entities, when",
        "the entry",
        TimeSpan.FromDays(730), TimeSpan.FromDays(365), FromEndOfYear: false,
        "Two years: an organisation answers for what its people did (a person asks who read their case, a misuse is looked into); "
        + "the entries name staff by id, so they are kept no longer than that needs.",
        "One year: investigating a breach (GDPR Art. 33) or a person's complaint needs at least the past year.");

    /// <summary>Every service's coordinators' audit trail (admin.audit_trail).</summary>
    public static RetentionRuleDefinition AuditTrail(string service) => new(
        service, "AuditTrail",
        "the coordinators' audit trail (admin.audit_trail): which coordinator did what to which organisation, handover or queue, and why",
        "the entry",
        ThreeYears, TimeSpan.FromDays(365), FromEndOfYear: false,
        "Three years: an organisation suspended, a handover reassigned or a message discarded by a coordinator may dispute it within the "
        + "regular limitation period (§ 195 BGB).",
        "One year: the network's yearly review of its coordinators' actions needs the full year.");
}
