using System.Globalization;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Counselling.Endpoints;
using Imsa.Network.Operations;
using Imsa.Network.Reference.Retention;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Counselling.Export;

/// <summary>
/// Everything the network holds about one case, for the person (GDPR Art. 15 and 20): schema
/// docs/schemas/case-export.schema.json, format "imsa-case-export/1".
/// </summary>
/// <param name="PersonalData">The case's content by data category code (GET /reference/data-categories); a category not filled in is absent.</param>
/// <param name="Sessions">The counselling sessions (category counselling-history).</param>
/// <param name="Handovers">The case's handovers as the Handovers service keeps them, each with its timeline.</param>
/// <param name="Disclosures">Who read which categories when (the disclosure log).</param>
/// <param name="Recipients">Every organisation the case's data went to or may go to, and why.</param>
/// <param name="Exports">This export and the earlier ones of the case.</param>
public sealed record CaseExportDocument(
    string Format,
    Guid ExportId,
    DateTimeOffset ExportedAt,
    string Language,
    ExportedCase Case,
    ExportController Controller,
    IReadOnlyDictionary<string, object> PersonalData,
    IReadOnlyList<SessionResponse> Sessions,
    IReadOnlyList<ExportedConsent> Consents,
    JsonArray Handovers,
    IReadOnlyList<DisclosureResponse> Disclosures,
    IReadOnlyList<ExportRecipient> Recipients,
    IReadOnlyList<ExportPurpose> Purposes,
    IReadOnlyList<ExportRetention> Retention,
    IReadOnlyList<ExportRight> Rights,
    IReadOnlyList<ExportMade> Exports);

public sealed record ExportedCase(
    Guid Id,
    CaseStatus Status,
    CaseCloseReason? CloseReason,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt,
    CaseRestrictionView? Restriction);

/// <summary>
/// The organisation responsible for the case (the controller) and how the person reaches it, from its profile in
/// Partners (<c>OrganisationContactChanged</c>); only the id and country while that has not arrived.
/// </summary>
/// <param name="Role">The contact point: a role or function mailbox, never a private person.</param>
public sealed record ExportController(Guid OrganisationId, string Country, string? Name, string? Address, string? Role, string? Email, string? Phone);

/// <summary>A consent with what happened to it and its receipt (without the withdrawal code, which is shown only once).</summary>
public sealed record ExportedConsent(ConsentResponse Consent, IReadOnlyList<ConsentHistoryEntry> History, ConsentReceipt Receipt);

/// <param name="Event">given, valid-from, withdrawn or expired.</param>
/// <param name="Channel">For a withdrawal: owner-partner, receiving-service or data-subject.</param>
public sealed record ConsentHistoryEntry(DateTimeOffset At, string Event, string? Channel);

/// <param name="Roles">consent-recipient (a consent names it), handover-receiver (a handover was offered to it), dossier-reader (it read data).</param>
public sealed record ExportRecipient(Guid OrganisationId, string? Kind, string? Country, IReadOnlyList<string> Roles);

public sealed record ExportPurpose(string Code, string Description, string LegalBasis);

public sealed record ExportRetention(string Data, string Period);

public sealed record ExportRight(string Right, string Article, string How);

/// <param name="By">"person" when a counsellor made it, "client" when the organisation's system did.</param>
public sealed record ExportMade(Guid Id, DateTimeOffset At, string Format, string Language, string By);

internal static class CaseExports
{
    public const string Format = "imsa-case-export/1";

    public static IReadOnlyDictionary<string, object> PersonalData(CaseResponse c, bool hasSessions)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { [DataCategories.Identity] = c.Identity };
        Add(data, DataCategories.Contact, c.Contact);
        data[DataCategories.MigrationPlan] = c.MigrationPlan;
        Add(data, DataCategories.LanguageAndQualifications, c.LanguageAndQualifications);
        Add(data, DataCategories.NeedsAndOpenTasks, c.NeedsAndOpenTasks);
        Add(data, DataCategories.SpecialCategories, c.SpecialCategories);
        if (hasSessions)
        {
            data[DataCategories.CounsellingHistory] = "see sessions";
        }

        return data;

        static void Add(Dictionary<string, object> data, string category, object? value)
        {
            if (value is not null)
            {
                data[category] = value;
            }
        }
    }

    public static IReadOnlyList<ConsentHistoryEntry> History(Consent consent, DateTimeOffset now)
    {
        var history = new List<ConsentHistoryEntry> { new(consent.ObtainedAt, "given", null) };
        if (consent.ValidFrom > consent.ObtainedAt && consent.ValidFrom <= now)
        {
            history.Add(new ConsentHistoryEntry(consent.ValidFrom, "valid-from", null));
        }

        if (consent.Withdrawal is { } end)
        {
            history.Add(end.Channel == WithdrawalChannel.Expiry
                ? new ConsentHistoryEntry(end.At, "expired", null)
                : new ConsentHistoryEntry(end.At, "withdrawn", EnumCodes.Of(end.Channel)));
        }
        else if (consent.ValidUntil <= now)
        {
            history.Add(new ConsentHistoryEntry(consent.ValidUntil, "expired", null));
        }

        return history;
    }

    public static IReadOnlyList<ExportRecipient> Recipients(
        IReadOnlyList<Consent> consents, JsonArray handovers, IReadOnlyList<DisclosureResponse> disclosures, IReadOnlyDictionary<Guid, KnownOrganisation> known)
    {
        var roles = new SortedDictionary<Guid, SortedSet<string>>();
        void Add(Guid id, string role)
        {
            if (!roles.TryGetValue(id, out var set))
            {
                roles[id] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(role);
        }

        foreach (var recipient in consents.SelectMany(c => c.Recipients))
        {
            Add(recipient, "consent-recipient");
        }

        foreach (var handover in handovers)
        {
            if (Guid.TryParse((string?)handover?["receiverOrganisationId"], out var receiver))
            {
                Add(receiver, "handover-receiver");
            }
        }

        foreach (var disclosure in disclosures)
        {
            Add(disclosure.OrganisationId, "dossier-reader");
        }

        return roles
            .Select(r => new ExportRecipient(r.Key, known.GetValueOrDefault(r.Key)?.Kind, known.GetValueOrDefault(r.Key)?.Country, [.. r.Value]))
            .ToList();
    }

    /// <summary>
    /// What is kept how long about the case (docs/privacy.md#retention): the retention rules that concern it — not the
    /// staff's activity and audit trails — with Counselling's periods as configured, the others' as documented.
    /// </summary>
    public static IReadOnlyList<ExportRetention> Retention(RetentionOptions configured, IEnumerable<RetentionRule> applied)
    {
        var own = applied.ToDictionary(rule => rule.Name, StringComparer.Ordinal);
        return
        [
            new("the case while it is open", "until the counselling service closes or erases it"),
            .. RetentionRules.All
                .Where(rule => rule.Name is not ("Activity" or "AuditTrail" or "CredentialEvents"))
                .Select(rule => new ExportRetention(
                    rule.Data,
                    string.Create(CultureInfo.InvariantCulture,
                        $"{(own.TryGetValue(rule.Name, out var mine) ? configured.PeriodOf(mine) : rule.Default).TotalDays:0} days from {rule.CountsFrom}"))),
        ];
    }

    public static readonly IReadOnlyList<ExportPurpose> Purposes =
    [
        new("pre-integration-counselling", "Counselling before migration to Germany by the partner organisation that holds the case.",
            "The counselling agreement with the person (GDPR Art. 6(1)(b)); special categories with explicit consent (Art. 9(2)(a))."),
        new(EnumCodes.Of(ConsentPurpose.ContinuationOfCounselling), "Handing the case over to a migration service in Germany so that counselling continues after arrival.",
            "The person's consent (GDPR Art. 6(1)(a), Art. 9(2)(a)), also the release from professional secrecy (§ 203 StGB); transfer to Germany on explicit consent (Art. 49(1)(a))."),
        new("network-statistics", "Counts of handovers by country, service type, purpose and state, never of a person; small counts are suppressed.",
            "No personal data is used: coarse codes only."),
    ];

    public static readonly IReadOnlyList<ExportRight> Rights =
    [
        new("access", "15", "Ask your counselling service for this export at any time."),
        new("rectification", "16", "Ask your counselling service to correct what is wrong; it changes the case."),
        new("erasure", "17", "Ask your counselling service to erase the case: its content is destroyed for good, open handovers end."),
        new("restriction", "18", "Ask your counselling service to restrict the case: it is then kept, but not handed over or read."),
        new("portability", "20", "This export in JSON can be given to another organisation."),
        new("objection", "21", "Object with your counselling service; until it is decided the case can be restricted."),
        new("withdraw-consent", "7(3)", "Withdraw a consent at any time: with the code on your receipt on the public withdrawal page, or with any counselling service."),
        new("complaint", "77", "Complain to a data protection supervisory authority, in your country or in Germany."),
    ];
}
