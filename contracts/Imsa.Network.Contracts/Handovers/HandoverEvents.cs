namespace Imsa.Network.Contracts.Handovers;

// The handover ticket lifecycle (docs/architecture.md): Requested → Offered → Accepted → InContact → Completed;
// Declined, Escalated, Withdrawn, Revoked. A ticket is announced from its offer on: a request that waits for its case
// or consent is known only to its origin until then (HandoverOffered, at version 2, is a ticket's first event). Every
// event carries the ticket's version, which grows by one with each transition, and the ticket's status after it, so a
// consumer that receives them out of order or twice keeps the newest state. Free text (a decline note, a message to the receiver) stays in the Handovers service: events carry
// codes only.

/// <summary>
/// What every event of a handover ticket says, whichever step it announces: which ticket of which case, between
/// whom, its status after the step and its version. A projection that only follows the ticket consumes this.
/// </summary>
public interface IHandoverEvent
{
    Guid HandoverId { get; }

    Guid CaseId { get; }

    Guid OriginOrganisationId { get; }

    /// <summary>The receiver after the step (a reassignment names the new one).</summary>
    Guid ReceiverOrganisationId { get; }

    /// <summary>The ticket's status after the step (<see cref="HandoverStatuses"/>).</summary>
    string Status { get; }

    /// <summary>Grows by one with every step: the newest version wins, whatever the arrival order.</summary>
    long Version { get; }

    DateTimeOffset At { get; }
}

/// <summary>A handover ticket's statuses, as events and APIs spell them.</summary>
public static class HandoverStatuses
{
    public const string Requested = "requested";
    public const string Offered = "offered";
    public const string Accepted = "accepted";
    public const string InContact = "in-contact";
    public const string Completed = "completed";
    public const string Declined = "declined";
    public const string Escalated = "escalated";
    public const string Withdrawn = "withdrawn";
    public const string Revoked = "revoked";

    /// <summary>
    /// Not ended: the ticket may still change. Once offered (every announced ticket), it counts against the
    /// receiver's capacity; a request still waiting for its case or consent is never announced.
    /// </summary>
    public static readonly IReadOnlyList<string> Open = [Requested, Offered, Accepted, InContact, Escalated];

    /// <summary>The receiver accepted and has not ended the handover: it may read the consented dossier.</summary>
    public static readonly IReadOnlyList<string> Holding = [Accepted, InContact];

    public static bool IsOpen(string status) => Open.Contains(status);
}

/// <summary>
/// No longer published: a ticket is announced from its offer on (<see cref="HandoverOffered"/>, at version 2). Kept so
/// that outbox rows written before the upgrade are still relayed and consumed; remove it in the release after.
/// </summary>
[Obsolete("Not published since waiting requests (ADR 0014); kept for outbox rows written before the upgrade.")]
public sealed record HandoverRequested(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    IReadOnlyList<string> Topics,
    DateOnly? PlannedArrivalMonth,
    long Version,
    DateTimeOffset At) : IHandoverEvent
{
    public string Status => HandoverStatuses.Requested;
}

/// <summary>The checks passed; the receiver has the offer in its inbox and must answer by <paramref name="AnswerDueAt"/>. A ticket's first event.</summary>
public sealed record HandoverOffered(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    DateTimeOffset AnswerDueAt,
    long Version,
    DateTimeOffset At) : IHandoverEvent
{
    public string Status => HandoverStatuses.Offered;
}

/// <summary>The receiver accepted: it may read the consented dossier while the consent lasts.</summary>
public sealed record HandoverAccepted(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    long Version,
    DateTimeOffset At) : IHandoverEvent
{
    public string Status => HandoverStatuses.Accepted;
}

/// <summary>The receiver declined the offer, or the service declined a waiting request of the origin's case that failed a check.</summary>
/// <param name="Reason">
/// The receiver's: no-capacity, not-eligible, outside-service-area, language-not-available, duplicate or other. The
/// service's: no-consent, receiver-unavailable, case-restricted, origin-not-active or duplicate.
/// </param>
public sealed record HandoverDeclined(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    string Reason,
    long Version,
    DateTimeOffset At) : IHandoverEvent
{
    public string Status => HandoverStatuses.Declined;

    /// <summary>
    /// The receiver had the offer: false for a request the service declined before offering it (version 2: requested,
    /// then declined), which the receiver never saw and is not told of.
    /// </summary>
    public bool WasOffered => Version > 2;
}

/// <summary>The origin partner withdrew the handover.</summary>
public sealed record HandoverWithdrawn(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    long Version,
    DateTimeOffset At) : IHandoverEvent
{
    public string Status => HandoverStatuses.Withdrawn;
}

/// <summary>The handover ended because its legal ground ended.</summary>
/// <param name="Cause">consent-withdrawn, consent-expired or case-erased.</param>
public sealed record HandoverRevoked(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    string Cause,
    long Version,
    DateTimeOffset At) : IHandoverEvent
{
    public string Status => HandoverStatuses.Revoked;
}

/// <summary>An offer was not answered in time; the coordinators are asked to act.</summary>
public sealed record HandoverEscalated(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    long Version,
    DateTimeOffset At) : IHandoverEvent
{
    public string Status => HandoverStatuses.Escalated;
}

/// <summary>A coordinator offered an escalated handover to another receiver.</summary>
public sealed record HandoverReassigned(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid PreviousReceiverOrganisationId,
    Guid ReceiverOrganisationId,
    DateTimeOffset AnswerDueAt,
    long Version,
    DateTimeOffset At) : IHandoverEvent
{
    public string Status => HandoverStatuses.Offered;
}

/// <summary>The receiver reported what happened after arrival (the closed loop).</summary>
/// <param name="Outcome">first-appointment-booked, first-contact-made, did-not-arrive or could-not-be-contacted.</param>
/// <param name="OccurredOn">The day it happened or is booked for.</param>
/// <param name="Status">accepted, or in-contact once first contact was made.</param>
public sealed record HandoverOutcomeRecorded(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    string Outcome,
    DateOnly? OccurredOn,
    string Status,
    long Version,
    DateTimeOffset At) : IHandoverEvent;

/// <summary>The receiver completed the handover: counselling continues in Germany.</summary>
public sealed record HandoverCompleted(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    long Version,
    DateTimeOffset At) : IHandoverEvent
{
    public string Status => HandoverStatuses.Completed;
}

// Reminders: announced by the Handovers service's timers (SlaJob), not steps of the ticket. They carry the ticket's
// version at the time and leave it unchanged, and they are not IHandoverEvents: a projection of the ticket's state
// has nothing to do with them.

/// <summary>An offer is still unanswered and its answer deadline is near: the receiver is reminded before it is escalated.</summary>
/// <param name="AnswerDueAt">When the offer escalates unless answered.</param>
public sealed record HandoverAnswerDueSoon(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    DateTimeOffset AnswerDueAt,
    long Version,
    DateTimeOffset At);

/// <summary>
/// An accepted handover has no first contact some weeks after the planned arrival (or the acceptance, if later): the
/// receiver should report, the origin may ask. Announced once per ticket.
/// </summary>
/// <param name="PlannedArrivalMonth">The first day of the month of planned arrival, if known.</param>
public sealed record HandoverFollowUpDue(
    Guid HandoverId,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    DateOnly? PlannedArrivalMonth,
    long Version,
    DateTimeOffset At);
