using Imsa.Network.Access;
using Imsa.Network.Contracts.Handovers;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Handovers.Domain;

/// <summary>
/// The handover lifecycle (docs/architecture.md): FHIR Task–like, with a closed loop at the end. Events and the API
/// spell each status as its kebab-case code (<see cref="Contracts.Handovers.HandoverStatuses"/>).
/// </summary>
public enum HandoverStatus
{
    Requested,
    Offered,
    Accepted,
    InContact,
    Completed,
    Declined,
    Escalated,
    Withdrawn,
    Revoked,
}

/// <summary>What the receiving service reports after arrival.</summary>
public enum HandoverOutcome
{
    FirstAppointmentBooked,
    FirstContactMade,
    DidNotArrive,
    CouldNotBeContacted,
}

/// <summary>Why a ticket was revoked: its legal ground ended.</summary>
public enum RevocationCause
{
    ConsentWithdrawn,
    ConsentExpired,
    CaseErased,
}

/// <summary>A step a party asks for over the API.</summary>
public enum TicketStep
{
    Accept,
    Decline,
    Withdraw,
    RecordOutcome,
    Complete,
    Reassign,
}

/// <summary>Who took a step on the ticket's timeline.</summary>
public enum TimelineActor
{
    Origin,
    Receiver,
    Coordinator,
    System,
}

/// <summary>
/// A handover of one case from the partner abroad (origin) to one receiving service. Each transition is allowed
/// only from certain states (<see cref="Refuses"/>), grows <see cref="Version"/> by one, adds a timeline entry and
/// returns the event to announce, which names the ticket's status after it. The version doubles as the concurrency
/// token: two transitions racing each other cannot both win.
/// </summary>
internal sealed class HandoverTicket
{
    public static readonly HandoverStatus[] OpenStatuses =
        [HandoverStatus.Requested, HandoverStatus.Offered, HandoverStatus.Accepted, HandoverStatus.InContact, HandoverStatus.Escalated];

    /// <summary>
    /// Open and offered: what counts against a receiver's capacity, what one case may have once per receiver, and what a
    /// revocation ends. A request still waiting (<see cref="HandoverStatus.Requested"/>) is none of these: its case is
    /// not yet known to be the origin's, so it must not take a receiver's capacity or block another request.
    /// </summary>
    public static readonly HandoverStatus[] OfferedStatuses =
        [HandoverStatus.Offered, HandoverStatus.Accepted, HandoverStatus.InContact, HandoverStatus.Escalated];

    public Guid Id { get; init; }

    public Guid CaseId { get; init; }

    public Guid OriginOrganisationId { get; init; }

    public Guid ReceiverOrganisationId { get; private set; }

    public HandoverStatus Status { get; private set; }

    public long Version { get; private set; }

    public required List<string> Topics { get; init; }

    public DateOnly? PlannedArrival { get; init; }

    /// <summary>
    /// A short note from the origin to the receiver; personal data belongs in the dossier, not here. In memory only:
    /// stored sealed under the case's key (<see cref="TicketTexts"/>), null until opened.
    /// </summary>
    public string? Message { get; set; }

    /// <summary>The message as stored: sealed under the case's key (<see cref="TicketTexts"/>).</summary>
    public byte[]? SealedMessage { get; set; }

    /// <summary>A message stored in clear before sealing existed, until the upkeep job seals it.</summary>
    public string? LegacyMessage { get; set; }

    public DateTimeOffset RequestedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public DateTimeOffset? AnswerDueAt { get; private set; }

    /// <summary>
    /// When the receiver of the current offer is to be reminded of <see cref="AnswerDueAt"/>
    /// (<see cref="RemindOfAnswer"/>); null once reminded, when no reminder falls after the offer, and whenever the
    /// ticket is not offered: every step clears it, an offer or a reassignment arms it again.
    /// </summary>
    public DateTimeOffset? AnswerReminderAt { get; private set; }

    public DateTimeOffset? EscalatedAt { get; private set; }

    public DateTimeOffset? AcceptedAt { get; private set; }

    /// <summary>When the receiver answered the offer (accepted or declined): the statistics' time to answer.</summary>
    public DateTimeOffset? AnsweredAt { get; private set; }

    /// <summary>When first contact was reported: the statistics' time to first contact.</summary>
    public DateTimeOffset? FirstContactAt { get; private set; }

    public DateTimeOffset? FollowUpDueAt { get; private set; }

    public DateTimeOffset? FollowUpFlaggedAt { get; private set; }

    public DeclineReason? DeclineReason { get; private set; }

    /// <summary>The receiver's note on a decline. In memory only, like <see cref="Message"/>.</summary>
    public string? DeclineNote { get; set; }

    public byte[]? SealedDeclineNote { get; set; }

    public string? LegacyDeclineNote { get; set; }

    public RevocationCause? RevocationCause { get; private set; }

    public HandoverOutcome? LastOutcome { get; private set; }

    public DateOnly? LastOutcomeOn { get; private set; }

    public DateTimeOffset? ClosedAt { get; private set; }

    public List<TimelineEntry> Timeline { get; init; } = [];

    public DateOnly? PlannedArrivalMonth => PlannedArrival is { } d ? new DateOnly(d.Year, d.Month, 1) : null;

    public bool IsOpen => OpenStatuses.Contains(Status);

    /// <summary>
    /// A new ticket, requested and not yet offered: <see cref="Offer"/> follows once the checks
    /// (<see cref="HandoverOffer"/>) pass, at once or when the case and its consent reach this service. Nothing is
    /// announced yet: a request's case is not known to be the origin's until then.
    /// </summary>
    public static HandoverTicket Request(
        Guid caseId, NetworkActor origin, Guid receiver, IReadOnlyList<string> topics, DateOnly? plannedArrival, string? message, DateTimeOffset now)
    {
        var ticket = new HandoverTicket
        {
            Id = Guid.CreateVersion7(now),
            CaseId = caseId,
            OriginOrganisationId = origin.OrganisationId,
            ReceiverOrganisationId = receiver,
            Topics = [.. topics],
            PlannedArrival = plannedArrival,
            Message = message,
            RequestedAt = now,
            Status = HandoverStatus.Requested,
        };
        ticket.Step(HandoverStatus.Requested, now, TimelineActor.Origin, origin, "requested", null);
        return ticket;
    }

    /// <summary>
    /// Offered to the receiver at some point: from then on the receiver sees the ticket and every step is announced.
    /// A request still waiting for its case or consent, or declined by the system without an offer, was never offered.
    /// </summary>
    public bool WasOffered => AnswerDueAt is not null;

    /// <summary>
    /// The checks passed: the receiver has the offer in its inbox and must answer by <paramref name="answerDueAt"/>,
    /// reminded at <paramref name="reminderAt"/> (<see cref="SlaOptions.ReminderAt"/>). The ticket's first event.
    /// </summary>
    public HandoverOffered Offer(DateTimeOffset answerDueAt, DateTimeOffset? reminderAt, DateTimeOffset now)
    {
        AnswerDueAt = answerDueAt;
        Step(HandoverStatus.Offered, now, TimelineActor.System, null, "offered", $"answer-due:{answerDueAt:O}");
        ArmReminder(reminderAt, now);
        return new HandoverOffered(Id, CaseId, OriginOrganisationId, ReceiverOrganisationId, answerDueAt, Version, now);
    }

    /// <summary>
    /// A request that cannot be offered: a check failed once the case was known, or the case or its consent did not
    /// arrive in time. Declined by the service, the failed check as the reason; announced only when the case is known
    /// to be the origin's (the caller decides).
    /// </summary>
    public HandoverDeclined DeclineUnoffered(DeclineReason reason, DateTimeOffset now)
    {
        DeclineReason = reason;
        ClosedAt = now;
        Step(HandoverStatus.Declined, now, TimelineActor.System, null, "declined", EnumCodes.Of(reason));
        return new HandoverDeclined(Id, CaseId, OriginOrganisationId, ReceiverOrganisationId, EnumCodes.Of(reason), Version, now);
    }

    /// <summary>
    /// The step was taken already: the ticket is in the state it leads to. Asked again (an answer lost on the way), it
    /// is answered with the ticket as it is, not with a 409; only the party the step belongs to can ask (its role).
    /// </summary>
    public bool HasTaken(TicketStep step) => step switch
    {
        TicketStep.Accept => Status == HandoverStatus.Accepted,
        TicketStep.Decline => Status == HandoverStatus.Declined,
        TicketStep.Withdraw => Status == HandoverStatus.Withdrawn,
        TicketStep.Complete => Status == HandoverStatus.Completed,
        _ => false,
    };

    /// <summary>Null when the ticket may <paramref name="step"/> now; otherwise why not, naming its state (a 409).</summary>
    public string? Refuses(TicketStep step)
    {
        var allowed = step switch
        {
            TicketStep.Accept or TicketStep.Decline => Status is HandoverStatus.Offered or HandoverStatus.Escalated,
            TicketStep.Withdraw => IsOpen,
            TicketStep.RecordOutcome or TicketStep.Complete => Status is HandoverStatus.Accepted or HandoverStatus.InContact,
            TicketStep.Reassign => Status is HandoverStatus.Escalated or HandoverStatus.Offered,
            _ => false,
        };
        var verb = step switch
        {
            TicketStep.Accept => "be accepted",
            TicketStep.Decline => "be declined",
            TicketStep.Withdraw => "be withdrawn",
            TicketStep.RecordOutcome => "take an outcome",
            TicketStep.Complete => "be completed",
            _ => "be reassigned",
        };
        return allowed ? null : $"A handover that is {EnumCodes.Of(Status)} cannot {verb}.";
    }

    public HandoverAccepted Accept(NetworkActor by, DateTimeOffset now, TimeSpan followUpAfterArrival)
    {
        AcceptedAt = now;
        AnsweredAt = now;
        var arrival = PlannedArrival is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : now;
        FollowUpDueAt = (arrival > now ? arrival : now) + followUpAfterArrival;
        Step(HandoverStatus.Accepted, now, TimelineActor.Receiver, by, "accepted", null);
        return new HandoverAccepted(Id, CaseId, OriginOrganisationId, ReceiverOrganisationId, Version, now);
    }

    public HandoverDeclined Decline(NetworkActor by, DeclineReason reason, string? note, DateTimeOffset now)
    {
        DeclineReason = reason;
        DeclineNote = note;
        AnsweredAt = now;
        ClosedAt = now;
        Step(HandoverStatus.Declined, now, TimelineActor.Receiver, by, "declined", EnumCodes.Of(reason));
        return new HandoverDeclined(Id, CaseId, OriginOrganisationId, ReceiverOrganisationId, EnumCodes.Of(reason), Version, now);
    }

    public HandoverWithdrawn Withdraw(NetworkActor by, DateTimeOffset now)
    {
        ClosedAt = now;
        Step(HandoverStatus.Withdrawn, now, TimelineActor.Origin, by, "withdrawn", null);
        return new HandoverWithdrawn(Id, CaseId, OriginOrganisationId, ReceiverOrganisationId, Version, now);
    }

    public HandoverRevoked Revoke(RevocationCause cause, DateTimeOffset now)
    {
        RevocationCause = cause;
        ClosedAt = now;
        Step(HandoverStatus.Revoked, now, TimelineActor.System, null, "revoked", EnumCodes.Of(cause));
        return new HandoverRevoked(Id, CaseId, OriginOrganisationId, ReceiverOrganisationId, EnumCodes.Of(cause), Version, now);
    }

    public HandoverEscalated Escalate(DateTimeOffset now)
    {
        EscalatedAt = now;
        Step(HandoverStatus.Escalated, now, TimelineActor.System, null, "escalated", null);
        return new HandoverEscalated(Id, CaseId, OriginOrganisationId, ReceiverOrganisationId, Version, now);
    }

    /// <summary>A new receiver, a new deadline and, for the new receiver, a new reminder: the previous one's is void.</summary>
    public HandoverReassigned Reassign(
        NetworkActor coordinator, Guid newReceiver, DateTimeOffset answerDueAt, DateTimeOffset? reminderAt, DateTimeOffset now)
    {
        var previous = ReceiverOrganisationId;
        ReceiverOrganisationId = newReceiver;
        AnswerDueAt = answerDueAt;
        EscalatedAt = null;
        Step(HandoverStatus.Offered, now, TimelineActor.Coordinator, coordinator, "reassigned", $"from:{previous}");
        ArmReminder(reminderAt, now);
        return new HandoverReassigned(Id, CaseId, OriginOrganisationId, previous, newReceiver, answerDueAt, Version, now);
    }

    public HandoverOutcomeRecorded RecordOutcome(NetworkActor by, HandoverOutcome outcome, DateOnly? occurredOn, DateTimeOffset now)
    {
        LastOutcome = outcome;
        LastOutcomeOn = occurredOn;
        if (outcome == HandoverOutcome.FirstContactMade)
        {
            FirstContactAt ??= now;
        }

        var next = outcome == HandoverOutcome.FirstContactMade ? HandoverStatus.InContact : Status;
        Step(next, now, TimelineActor.Receiver, by, "outcome-recorded", occurredOn is { } on ? $"{EnumCodes.Of(outcome)}:{on:yyyy-MM-dd}" : EnumCodes.Of(outcome));
        return new HandoverOutcomeRecorded(Id, CaseId, OriginOrganisationId, ReceiverOrganisationId, EnumCodes.Of(outcome), occurredOn, EnumCodes.Of(Status), Version, now);
    }

    public HandoverCompleted Complete(NetworkActor by, DateTimeOffset now)
    {
        ClosedAt = now;
        Step(HandoverStatus.Completed, now, TimelineActor.Receiver, by, "completed", null);
        return new HandoverCompleted(Id, CaseId, OriginOrganisationId, ReceiverOrganisationId, Version, now);
    }

    /// <summary>
    /// Accepted, arrival some weeks past, no first contact: someone should ask. Not a state change: the event is a
    /// reminder with the ticket's version as it is.
    /// </summary>
    public HandoverFollowUpDue FlagFollowUp(DateTimeOffset now)
    {
        FollowUpFlaggedAt = now;
        UpdatedAt = now;
        Timeline.Add(new TimelineEntry { TicketId = Id, At = now, Actor = TimelineActor.System, Action = "follow-up-due", Version = Version });
        return new HandoverFollowUpDue(Id, CaseId, OriginOrganisationId, ReceiverOrganisationId, PlannedArrivalMonth, Version, now);
    }

    /// <summary>
    /// Still offered, its reminder time come and its deadline not yet passed (the SLA job selects it so): the receiver
    /// is reminded, once per offer. Not a state change, like <see cref="FlagFollowUp"/>: the version stays.
    /// </summary>
    public HandoverAnswerDueSoon RemindOfAnswer(DateTimeOffset now)
    {
        if (Status != HandoverStatus.Offered || AnswerReminderAt is null || AnswerDueAt is not { } due)
        {
            throw new InvalidOperationException("Only an offer with a reminder armed is reminded.");
        }

        AnswerReminderAt = null;
        UpdatedAt = now;
        Timeline.Add(new TimelineEntry { TicketId = Id, At = now, Actor = TimelineActor.System, Action = "answer-due-soon", Version = Version });
        return new HandoverAnswerDueSoon(Id, CaseId, OriginOrganisationId, ReceiverOrganisationId, due, Version, now);
    }

    /// <summary>A reminder only after the offer and before its deadline: otherwise the offer is the reminder.</summary>
    private void ArmReminder(DateTimeOffset? reminderAt, DateTimeOffset now) =>
        AnswerReminderAt = reminderAt is { } at && at > now && at < AnswerDueAt ? at : null;

    private void Step(HandoverStatus next, DateTimeOffset now, TimelineActor actor, NetworkActor? by, string action, string? detail)
    {
        Status = next;
        Version++;
        UpdatedAt = now;
        // The reminder belongs to the offer standing until now: answered, escalated, withdrawn or revoked, there is
        // nothing to remind of; an offer or reassignment arms it again after this step.
        AnswerReminderAt = null;
        Timeline.Add(new TimelineEntry
        {
            TicketId = Id,
            At = now,
            Actor = actor,
            ActorOrganisationId = by?.OrganisationId,
            ActorPersonId = by?.PersonId,
            ActorClientId = by?.ClientId,
            Action = action,
            Detail = detail,
            Version = Version,
        });
    }
}

/// <summary>One step on a ticket's timeline, seen by both parties: who did what, when.</summary>
internal sealed class TimelineEntry
{
    public long Id { get; init; }

    public Guid TicketId { get; init; }

    public DateTimeOffset At { get; init; }

    public TimelineActor Actor { get; init; }

    public Guid? ActorOrganisationId { get; init; }

    /// <summary>The person who took the step; null for an API client, and for the service's own steps.</summary>
    public Guid? ActorPersonId { get; init; }

    /// <summary>The API client, or the application the person signed in through.</summary>
    public string? ActorClientId { get; init; }

    public required string Action { get; init; }

    /// <summary>Codes only: a reason, a cause, an outcome with its day.</summary>
    public string? Detail { get; init; }

    public long Version { get; init; }
}
