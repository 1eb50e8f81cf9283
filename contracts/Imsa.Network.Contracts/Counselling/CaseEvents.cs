namespace Imsa.Network.Contracts.Counselling;

// Case events carry ids, codes, coarse places and months: never a name, contact detail, date of birth, note or
// special-category datum. The person behind a case is known only to the Counselling service.

/// <summary>A partner abroad opened a pre-integration case.</summary>
/// <param name="Purpose">Migration purpose code (GET /reference/migration-purposes).</param>
/// <param name="DestinationState">ISO 3166-2:DE code of the destination, when the postal code lies in one state.</param>
/// <param name="DestinationDistrict">5-digit district key of the destination, when the postal code lies in one district.</param>
/// <param name="PlannedArrivalMonth">The first day of the month of planned arrival, if known.</param>
public sealed record CaseOpened(
    Guid CaseId,
    Guid OwnerOrganisationId,
    string Purpose,
    string? DestinationState,
    string? DestinationDistrict,
    DateOnly? PlannedArrivalMonth,
    DateTimeOffset At);

/// <summary>The case's codes changed (purpose, destination, month of arrival); announced only when one of them did.</summary>
public sealed record CaseUpdated(
    Guid CaseId,
    Guid OwnerOrganisationId,
    string Purpose,
    string? DestinationState,
    string? DestinationDistrict,
    DateOnly? PlannedArrivalMonth,
    DateTimeOffset At);

/// <summary>The owner closed the case.</summary>
/// <param name="Reason">handed-over, no-longer-planned, lost-contact, transferred or other.</param>
public sealed record CaseClosed(Guid CaseId, Guid OwnerOrganisationId, string Reason, DateTimeOffset At);

/// <summary>
/// The owner restricted the processing of the case (GDPR Art. 18): its data is kept, but it goes to no new receiving
/// service and its dossier is read by no one until the restriction is lifted.
/// </summary>
/// <param name="Reason">accuracy-contested, unlawful-processing, legal-claims or objection-pending (Art. 18(1)(a)–(d)).</param>
public sealed record CaseRestricted(Guid CaseId, Guid OwnerOrganisationId, string Reason, DateTimeOffset At);

/// <summary>The owner lifted the restriction of the case's processing: handovers and the dossier work again.</summary>
public sealed record CaseRestrictionLifted(Guid CaseId, Guid OwnerOrganisationId, DateTimeOffset At);

/// <summary>The case was erased: its data key is destroyed, nothing personal in it can be read any more.</summary>
public sealed record CaseErased(Guid CaseId, Guid OwnerOrganisationId, DateTimeOffset At);

/// <summary>The person released the named organisations from confidentiality for the named data categories.</summary>
/// <param name="Recipients">The receiving organisations the consent names.</param>
/// <param name="Categories">The data category codes released (<see cref="DataCategories"/>).</param>
/// <param name="Purpose">Always continuation-of-counselling: statistics are never a consent purpose.</param>
public sealed record ConsentGranted(
    Guid ConsentId,
    Guid CaseId,
    Guid OwnerOrganisationId,
    IReadOnlyList<Guid> Recipients,
    IReadOnlyList<string> Categories,
    string Purpose,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil,
    DateTimeOffset At);

/// <summary>What the end of a consent says, whether by the person's will (withdrawn) or by time (expired).</summary>
public interface IConsentEnded
{
    Guid ConsentId { get; }

    Guid CaseId { get; }

    Guid OwnerOrganisationId { get; }

    /// <summary>The receiving organisations the consent named: nothing more is disclosed to them under it.</summary>
    IReadOnlyList<Guid> Recipients { get; }

    DateTimeOffset At { get; }
}

/// <summary>A consent was withdrawn; nothing more is disclosed under it from now on.</summary>
/// <param name="Channel">owner-partner, receiving-service or data-subject.</param>
public sealed record ConsentWithdrawn(
    Guid ConsentId,
    Guid CaseId,
    Guid OwnerOrganisationId,
    IReadOnlyList<Guid> Recipients,
    string Channel,
    DateTimeOffset At) : IConsentEnded;

/// <summary>A consent reached its end of validity: a withdrawal by time.</summary>
public sealed record ConsentExpired(
    Guid ConsentId,
    Guid CaseId,
    Guid OwnerOrganisationId,
    IReadOnlyList<Guid> Recipients,
    DateTimeOffset At) : IConsentEnded;

/// <summary>
/// A consent ends by time soon (Counselling:ConsentExpiry:NoticeBefore ahead): the owner may ask the person whether
/// to give a new one. Announced once per consent, by the consent expiry job; never for a withdrawn consent. Without
/// the recipients: the owner knows them, no one else needs to.
/// </summary>
public sealed record ConsentExpiring(
    Guid ConsentId,
    Guid CaseId,
    Guid OwnerOrganisationId,
    DateTimeOffset ValidUntil,
    DateTimeOffset At);
