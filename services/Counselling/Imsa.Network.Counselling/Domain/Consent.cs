using System.Globalization;
using System.Linq.Expressions;
using Imsa.Network.Access;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Counselling.Domain.ConsentTexts;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Counselling.Domain;

public enum ConsentMethod
{
    SignedForm,
    VerbalWithWitness,
    Electronic,
}

public enum ConsentPurpose
{
    /// <summary>Continuation of counselling after arrival: the only purpose a consent can have here.</summary>
    ContinuationOfCounselling,
}

public enum WithdrawalChannel
{
    /// <summary>The partner that owns the case (the counsellor).</summary>
    OwnerPartner,

    /// <summary>A receiving service holding an accepted handover, told by the person.</summary>
    ReceivingService,

    /// <summary>The person alone, with the code on the receipt.</summary>
    DataSubject,

    /// <summary>The consent reached its end of validity.</summary>
    Expiry,
}

public enum ConsentState
{
    Active,
    NotYetValid,
    Withdrawn,
    Expired,
}

/// <summary>A consent as the person gave it, as the counsellor submits it (<see cref="Consent.Record"/> checks it).</summary>
/// <param name="Recipients">The receiving organisations released from confidentiality (registered receiving services).</param>
/// <param name="Categories">Data category codes (GET /reference/data-categories).</param>
/// <param name="ExplicitSpecialCategories">Required true when the categories include special-categories (GDPR Art. 9(2)(a)).</param>
/// <param name="Method">signed-form, verbal-with-witness or electronic.</param>
/// <param name="ObtainedAt">When the person gave it.</param>
/// <param name="TextLanguage">Language of the consent text shown (GET /reference/consent-texts).</param>
/// <param name="TextVersion">Version of the consent text shown.</param>
/// <param name="TextSha256">Optional: the SHA-256 of the text shown, to prove it was exactly this version.</param>
/// <param name="Purpose">continuation-of-counselling (the default and the only purpose).</param>
/// <param name="ValidFrom">Default: now; at most ten years ahead.</param>
/// <param name="ValidUntil">Required; at most five years after ValidFrom.</param>
public sealed record RecordConsentRequest(
    IReadOnlyList<Guid>? Recipients,
    IReadOnlyList<string>? Categories,
    bool ExplicitSpecialCategories,
    string? Method,
    DateTimeOffset? ObtainedAt,
    string? TextLanguage,
    string? TextVersion,
    string? TextSha256,
    DateTimeOffset? ValidUntil,
    DateTimeOffset? ValidFrom = null,
    string? Purpose = null);

/// <summary>What this service knows of an organisation a consent would name.</summary>
internal enum RecipientStanding
{
    Unknown,
    NotReceivingService,
    SuspendedOrRetired,
    Eligible,
}

/// <summary>What a consent is recorded against.</summary>
/// <param name="Case">The open case it is given in.</param>
/// <param name="PlannedArrival">The case's planned arrival (from its sealed migration plan), if any.</param>
/// <param name="Recipients">The standing of each organisation the terms name.</param>
/// <param name="RecordedBy">Who records it: the organisation, the counsellor (a person, or none for an API client) and the client.</param>
/// <param name="Texts">The published consent texts the terms may name (the endpoint reads the one they name, if it exists).</param>
internal sealed record ConsentContext(
    Case Case,
    DateOnly? PlannedArrival,
    IReadOnlyDictionary<Guid, RecipientStanding> Recipients,
    NetworkActor RecordedBy,
    DateTimeOffset Now,
    IReadOnlyCollection<ConsentText> Texts);

/// <summary>A consent as recorded, the event that announces it, and the receipt's one-time withdrawal code.</summary>
internal sealed record RecordedConsent(Consent Consent, ConsentGranted Granted, string WithdrawalCode);

/// <summary>
/// A release from confidentiality (Schweigepflichtentbindung). Append-only: nothing in a consent's terms changes
/// after it is recorded; a withdrawal is a record of its own, and a change of mind is a new consent. The one mark
/// written later is the service's own, not the person's: <see cref="ExpiryNoticeAt"/>.
/// </summary>
internal sealed class Consent
{
    public const int MaxRecipients = 20;

    /// <summary>How far ahead validFrom may lie.</summary>
    private const int MaxYearsAhead = 10;

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public Guid Id { get; init; }

    public Guid CaseId { get; init; }

    public Guid OwnerOrganisationId { get; init; }

    public DateTimeOffset RecordedAt { get; init; }

    public Guid RecordedByOrganisationId { get; init; }

    /// <summary>The API client (the counsellor's system, or the application the counsellor signed in through) that recorded it.</summary>
    public string? RecordedByClientId { get; init; }

    /// <summary>The counsellor who recorded it; null when an API client did.</summary>
    public Guid? RecordedByPersonId { get; init; }

    public DateTimeOffset ObtainedAt { get; init; }

    public ConsentMethod Method { get; init; }

    public required string TextLanguage { get; init; }

    public required string TextVersion { get; init; }

    /// <summary>SHA-256 (hex) of the exact consent text the person was shown.</summary>
    public required string TextSha256 { get; init; }

    public ConsentPurpose Purpose { get; init; }

    public required List<Guid> Recipients { get; init; }

    public required List<string> Categories { get; init; }

    public bool ExplicitSpecialCategories { get; init; }

    public DateTimeOffset ValidFrom { get; init; }

    public DateTimeOffset ValidUntil { get; init; }

    /// <summary>SHA-256 of the receipt's withdrawal code; the code itself is shown once and never stored.</summary>
    public required byte[] WithdrawalCodeHash { get; init; }

    public ConsentWithdrawal? Withdrawal { get; set; }

    /// <summary>When its coming end was announced (ConsentExpiring, <see cref="NoticeExpiry"/>): once, so null until then.</summary>
    public DateTimeOffset? ExpiryNoticeAt { get; private set; }

    /// <summary>
    /// The one definition of an active consent here: not ended, valid at <paramref name="now"/>, naming
    /// <paramref name="recipient"/> for <paramref name="caseId"/>. The dossier discloses only under one.
    /// </summary>
    public static Expression<Func<Consent, bool>> ActiveFor(Guid caseId, Guid recipient, DateTimeOffset now) =>
        c => c.CaseId == caseId && c.Recipients.Contains(recipient) && c.Withdrawal == null && c.ValidFrom <= now && c.ValidUntil > now;

    /// <summary>
    /// Records a consent on the terms the person agreed to, or says what is wrong with them (every field at once,
    /// JSON names as the API spells them): recipients are 1 to 20 registered receiving services in good standing;
    /// categories are known, each once, special categories only under explicit consent; the method, the purpose
    /// (continuation of counselling: statistics are never a purpose) and the consent text shown (with its hash, if
    /// given) are known, the text published and valid; it was obtained when it was recorded — not in the future, not long before the case, not after
    /// the planned arrival; it is valid for a limited time of at most five years.
    /// </summary>
    public static (RecordedConsent? Recorded, Dictionary<string, string[]> Errors) Record(RecordConsentRequest terms, ConsentContext context)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(context);
        var now = context.Now;
        var errors = new Dictionary<string, string[]>();
        CheckRecipients(terms.Recipients, context.Recipients, errors);
        CheckCategories(terms, errors);
        if (!EnumCodes.TryParse<ConsentMethod>(terms.Method, out var method))
        {
            errors["method"] = ["One of signed-form, verbal-with-witness, electronic."];
        }

        var purpose = ConsentPurpose.ContinuationOfCounselling;
        if (terms.Purpose is not null && !EnumCodes.TryParse(terms.Purpose, out purpose))
        {
            errors["purpose"] = ["The only purpose is continuation-of-counselling: statistics are never a consent purpose."];
        }

        var text = context.Texts.FirstOrDefault(t => t.Language == terms.TextLanguage && t.Version == terms.TextVersion);
        if (text is null)
        {
            errors["textVersion"] = ["Name a published consent text (GET /reference/consent-texts): language and version."];
        }
        else if (text.ValidFrom > now)
        {
            errors["textVersion"] = [string.Create(CultureInfo.InvariantCulture,
                $"This version of the consent text is valid from {text.ValidFrom:yyyy-MM-dd HH:mm} UTC on: show the person the version valid now.")];
        }
        else if (terms.TextSha256 is not null && !string.Equals(terms.TextSha256, text.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            errors["textSha256"] = ["This is not the hash of that consent text version: the person was shown another text."];
        }

        if (terms.ObtainedAt is not { } obtainedAt)
        {
            errors["obtainedAt"] = ["When the person gave consent is required."];
        }
        else if (obtainedAt > now + ClockSkew)
        {
            errors["obtainedAt"] = ["A consent cannot be obtained in the future."];
        }
        else if (obtainedAt < context.Case.OpenedAt - TimeSpan.FromDays(90))
        {
            errors["obtainedAt"] = ["A consent is recorded when it is given (at most 90 days before the case was opened)."];
        }
        else if (context.PlannedArrival is { } arrival && arrival < DateOnly.FromDateTime(obtainedAt.UtcDateTime))
        {
            errors["obtainedAt"] = [string.Create(CultureInfo.InvariantCulture,
                $"The case's planned arrival ({arrival:yyyy-MM-dd}) lies before this consent: a handover continues counselling after arrival, so update the plan first.")];
        }

        var validFrom = terms.ValidFrom ?? now;
        if (validFrom > now.AddYears(MaxYearsAhead))
        {
            // No one signs today for a decade from now; and validFrom plus five years must stay inside the calendar.
            errors["validFrom"] = [string.Create(CultureInfo.InvariantCulture, $"At most {MaxYearsAhead} years ahead.")];
        }
        else if (terms.ValidUntil is not { } validUntil)
        {
            errors["validUntil"] = ["Required: a consent is given for a limited time."];
        }
        else if (validUntil <= validFrom || validUntil <= now)
        {
            errors["validUntil"] = ["Must lie after validFrom and in the future."];
        }
        else if (validUntil > validFrom.AddYears(5))
        {
            errors["validUntil"] = ["At most five years after validFrom."];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var code = WithdrawalCodes.New();
        var consent = new Consent
        {
            Id = Guid.CreateVersion7(now),
            CaseId = context.Case.Id,
            OwnerOrganisationId = context.Case.OwnerOrganisationId,
            RecordedAt = now,
            RecordedByOrganisationId = context.RecordedBy.OrganisationId,
            RecordedByClientId = context.RecordedBy.ClientId,
            RecordedByPersonId = context.RecordedBy.PersonId,
            ObtainedAt = terms.ObtainedAt!.Value,
            Method = method,
            TextLanguage = text!.Language,
            TextVersion = text.Version,
            TextSha256 = text.Sha256,
            Purpose = purpose,
            Recipients = [.. terms.Recipients!],
            Categories = [.. DataCategories.All.Where(terms.Categories!.Contains)],
            ExplicitSpecialCategories = terms.ExplicitSpecialCategories,
            ValidFrom = validFrom,
            ValidUntil = terms.ValidUntil!.Value,
            WithdrawalCodeHash = WithdrawalCodes.Hash(code),
        };
        var granted = new ConsentGranted(
            consent.Id, consent.CaseId, consent.OwnerOrganisationId, consent.Recipients, consent.Categories, EnumCodes.Of(purpose),
            consent.ValidFrom, consent.ValidUntil, now);
        return (new RecordedConsent(consent, granted, code), errors);
    }

    /// <summary>
    /// Ends the consent through <paramref name="channel"/>, or as expired if its time is already up, and returns the
    /// event that announces it. A consent ends once (the caller checks <see cref="Withdrawal"/> first).
    /// </summary>
    public IConsentEnded End(WithdrawalChannel channel, Guid? byOrganisationId, DateTimeOffset now)
    {
        if (Withdrawal is not null)
        {
            throw new InvalidOperationException("A consent ends once.");
        }

        var expired = channel == WithdrawalChannel.Expiry || now >= ValidUntil;
        Withdrawal = new ConsentWithdrawal
        {
            ConsentId = Id,
            At = expired ? ValidUntil : now,
            Channel = expired ? WithdrawalChannel.Expiry : channel,
            ByOrganisationId = expired ? null : byOrganisationId,
        };
        return expired
            ? new ConsentExpired(Id, CaseId, OwnerOrganisationId, Recipients, Withdrawal.At)
            : new ConsentWithdrawn(Id, CaseId, OwnerOrganisationId, Recipients, EnumCodes.Of(channel), now);
    }

    /// <summary>
    /// The consent ends by time soon (the expiry job chose it: not ended, in its notice period): its owner is told,
    /// once. A reminder, not a change of the consent; without the recipients, which only the owner needs.
    /// </summary>
    public ConsentExpiring NoticeExpiry(DateTimeOffset now)
    {
        if (ExpiryNoticeAt is not null || Withdrawal is not null)
        {
            throw new InvalidOperationException("A consent's coming end is announced once, and only while it lasts.");
        }

        ExpiryNoticeAt = now;
        return new ConsentExpiring(Id, CaseId, OwnerOrganisationId, ValidUntil, now);
    }

    private static void CheckRecipients(
        IReadOnlyList<Guid>? recipients, IReadOnlyDictionary<Guid, RecipientStanding> standing, Dictionary<string, string[]> errors)
    {
        if (recipients is not { Count: > 0 })
        {
            errors["recipients"] = ["Name at least one receiving service: a release from confidentiality names its recipients."];
            return;
        }

        if (recipients.Count > MaxRecipients || recipients.Distinct().Count() != recipients.Count)
        {
            errors["recipients"] = ["At most 20 receiving services, each named once."];
            return;
        }

        for (var i = 0; i < recipients.Count; i++)
        {
            var problem = standing.GetValueOrDefault(recipients[i]) switch
            {
                RecipientStanding.Unknown => "No organisation with this id is registered in the network.",
                RecipientStanding.NotReceivingService => "Not a receiving service: only receiving services in Germany can be released to.",
                RecipientStanding.SuspendedOrRetired => "This receiving service is suspended or retired.",
                _ => null,
            };
            if (problem is not null)
            {
                errors[string.Create(CultureInfo.InvariantCulture, $"recipients[{i}]")] = [problem];
            }
        }
    }

    private static void CheckCategories(RecordConsentRequest terms, Dictionary<string, string[]> errors)
    {
        if (terms.Categories is not { Count: > 0 })
        {
            errors["categories"] = ["Name at least one data category (GET /reference/data-categories)."];
        }
        else if (terms.Categories.Where(c => !DataCategories.All.Contains(c)).ToList() is { Count: > 0 } unknown)
        {
            errors["categories"] = [$"Unknown categories: {string.Join(", ", unknown)}."];
        }
        else if (terms.Categories.Distinct(StringComparer.Ordinal).Count() != terms.Categories.Count)
        {
            errors["categories"] = ["A category is listed twice."];
        }
        else if (terms.Categories.Contains(DataCategories.SpecialCategories) && !terms.ExplicitSpecialCategories)
        {
            errors["explicitSpecialCategories"] = ["Special categories (health, vulnerability, exploitation) are released only by explicit consent: set it to true."];
        }
    }

    public ConsentState StateAt(DateTimeOffset now) =>
        Withdrawal is { Channel: WithdrawalChannel.Expiry } ? ConsentState.Expired
        : Withdrawal is not null ? ConsentState.Withdrawn
        : now >= ValidUntil ? ConsentState.Expired
        : now < ValidFrom ? ConsentState.NotYetValid
        : ConsentState.Active;
}

/// <summary>The end of a consent, by a person's (or their counsellor's) will or by time. One per consent.</summary>
internal sealed class ConsentWithdrawal
{
    public Guid ConsentId { get; init; }

    public DateTimeOffset At { get; init; }

    public WithdrawalChannel Channel { get; init; }

    /// <summary>The organisation that recorded it; none when the person withdrew alone or by expiry.</summary>
    public Guid? ByOrganisationId { get; init; }
}

/// <summary>A record of one disclosure: who read which categories of a case, when, under which handover and consents.</summary>
internal sealed class Disclosure
{
    public Guid Id { get; init; }

    public Guid CaseId { get; init; }

    public Guid OrganisationId { get; init; }

    /// <summary>The person who read it; null when the organisation's API client did.</summary>
    public Guid? ReaderPersonId { get; init; }

    /// <summary>The API client, or the application the person signed in through.</summary>
    public string? ReaderClientId { get; init; }

    public Guid HandoverId { get; init; }

    public DateTimeOffset At { get; init; }

    public required List<string> Categories { get; init; }

    public required List<Guid> ConsentIds { get; init; }
}

/// <summary>What this service knows of a handover of one of its cases, projected from the Handovers service's events.</summary>
internal sealed class CaseHandover
{
    public Guid HandoverId { get; init; }

    public Guid CaseId { get; init; }

    public Guid ReceiverOrganisationId { get; set; }

    /// <summary>requested, offered, accepted, in-contact, declined, escalated, withdrawn, revoked or completed.</summary>
    public required string Status { get; set; }

    /// <summary>The ticket version of the newest event applied; older events arriving late change nothing.</summary>
    public long Version { get; set; }

    public string? DeclineReason { get; set; }

    public string? LastOutcome { get; set; }

    public DateOnly? LastOutcomeOn { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The statuses under which the receiver may read the dossier (consent permitting).</summary>
    public static readonly string[] DossierStatuses = [.. HandoverStatuses.Holding];
}
