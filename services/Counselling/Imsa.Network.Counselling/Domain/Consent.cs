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

/// <summary>
/// A release from confidentiality (Schweigepflichtentbindung). Append-only: nothing in a consent changes after it
/// is recorded; a withdrawal is a record of its own, and a change of mind is a new consent.
/// </summary>
internal sealed class Consent
{
    public Guid Id { get; init; }

    public Guid CaseId { get; init; }

    public Guid OwnerOrganisationId { get; init; }

    public DateTimeOffset RecordedAt { get; init; }

    public Guid RecordedByOrganisationId { get; init; }

    /// <summary>The API client (the counsellor's system) that recorded it.</summary>
    public string? RecordedByClientId { get; init; }

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
    public static readonly string[] DossierStatuses = ["accepted", "in-contact"];
}
