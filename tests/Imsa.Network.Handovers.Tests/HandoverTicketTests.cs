using System.Globalization;
using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Handovers.Tests;

public sealed class HandoverTicketTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Now.AddDays(3);
    private static readonly DateTimeOffset AnswerDue = Now.AddDays(7);
    private static readonly TimeSpan FollowUpAfterArrival = TimeSpan.FromDays(30);
    private static readonly DateOnly Arrival = new(2026, 6, 17);

    private static readonly Guid CaseId = new("0195a000-0000-7000-8000-000000000001");
    private static readonly Guid Origin = new("0195a000-0000-7000-8000-000000000002");
    private static readonly Guid Receiver = new("0195a000-0000-7000-8000-000000000003");
    private static readonly Guid OtherReceiver = new("0195a000-0000-7000-8000-000000000004");
    private static readonly Guid Coordinator = new("0195a000-0000-7000-8000-000000000005");

    // The codes as the contracts spell them, written out so that the enum's kebab-casing is checked, not reused.
    private static readonly Dictionary<HandoverStatus, string> Codes = new()
    {
        [HandoverStatus.Requested] = HandoverStatuses.Requested,
        [HandoverStatus.Offered] = HandoverStatuses.Offered,
        [HandoverStatus.Accepted] = HandoverStatuses.Accepted,
        [HandoverStatus.InContact] = HandoverStatuses.InContact,
        [HandoverStatus.Completed] = HandoverStatuses.Completed,
        [HandoverStatus.Declined] = HandoverStatuses.Declined,
        [HandoverStatus.Escalated] = HandoverStatuses.Escalated,
        [HandoverStatus.Withdrawn] = HandoverStatuses.Withdrawn,
        [HandoverStatus.Revoked] = HandoverStatuses.Revoked,
    };

    // docs/architecture.md, "The handover lifecycle": the steps each stored status allows ("requested" is never stored).
    private static readonly Dictionary<HandoverStatus, TicketStep[]> Allowed = new()
    {
        [HandoverStatus.Offered] = [TicketStep.Accept, TicketStep.Decline, TicketStep.Withdraw, TicketStep.Reassign],
        [HandoverStatus.Escalated] = [TicketStep.Accept, TicketStep.Decline, TicketStep.Withdraw, TicketStep.Reassign],
        [HandoverStatus.Accepted] = [TicketStep.Withdraw, TicketStep.RecordOutcome, TicketStep.Complete],
        [HandoverStatus.InContact] = [TicketStep.Withdraw, TicketStep.RecordOutcome, TicketStep.Complete],
        [HandoverStatus.Completed] = [],
        [HandoverStatus.Declined] = [],
        [HandoverStatus.Withdrawn] = [],
        [HandoverStatus.Revoked] = [],
    };

    private static readonly Dictionary<TicketStep, string> Verbs = new()
    {
        [TicketStep.Accept] = "be accepted",
        [TicketStep.Decline] = "be declined",
        [TicketStep.Withdraw] = "be withdrawn",
        [TicketStep.RecordOutcome] = "take an outcome",
        [TicketStep.Complete] = "be completed",
        [TicketStep.Reassign] = "be reassigned",
    };

    // Every transition, from each state it is taken from in the lifecycle, taken at Later.
    private static readonly Dictionary<string, (HandoverStatus From, Func<HandoverTicket, IHandoverEvent> Take)> Transitions = new()
    {
        ["accept an offer"] = (HandoverStatus.Offered, t => t.Accept(new(Receiver), Later, FollowUpAfterArrival)),
        ["accept late"] = (HandoverStatus.Escalated, t => t.Accept(new(Receiver), Later, FollowUpAfterArrival)),
        ["decline an offer"] = (HandoverStatus.Offered, t => t.Decline(new(Receiver), DeclineReason.NoCapacity, null, Later)),
        ["decline late"] = (HandoverStatus.Escalated, t => t.Decline(new(Receiver), DeclineReason.Other, "note", Later)),
        ["withdraw an offer"] = (HandoverStatus.Offered, t => t.Withdraw(new(Origin), Later)),
        ["withdraw when escalated"] = (HandoverStatus.Escalated, t => t.Withdraw(new(Origin), Later)),
        ["withdraw when accepted"] = (HandoverStatus.Accepted, t => t.Withdraw(new(Origin), Later)),
        ["withdraw when in contact"] = (HandoverStatus.InContact, t => t.Withdraw(new(Origin), Later)),
        ["revoke an offer"] = (HandoverStatus.Offered, t => t.Revoke(RevocationCause.CaseErased, Later)),
        ["revoke when in contact"] = (HandoverStatus.InContact, t => t.Revoke(RevocationCause.ConsentWithdrawn, Later)),
        ["escalate"] = (HandoverStatus.Offered, t => t.Escalate(Later)),
        ["reassign when escalated"] = (HandoverStatus.Escalated, t => t.Reassign(new(Coordinator), OtherReceiver, Later.AddDays(7), null, Later)),
        ["reassign an offer"] = (HandoverStatus.Offered, t => t.Reassign(new(Coordinator), OtherReceiver, Later.AddDays(7), null, Later)),
        ["first contact"] = (HandoverStatus.Accepted, t => t.RecordOutcome(new(Receiver), HandoverOutcome.FirstContactMade, Arrival, Later)),
        ["appointment booked"] = (HandoverStatus.Accepted, t => t.RecordOutcome(new(Receiver), HandoverOutcome.FirstAppointmentBooked, Arrival, Later)),
        ["did not arrive, in contact"] = (HandoverStatus.InContact, t => t.RecordOutcome(new(Receiver), HandoverOutcome.DidNotArrive, null, Later)),
        ["complete when accepted"] = (HandoverStatus.Accepted, t => t.Complete(new(Receiver), Later)),
        ["complete when in contact"] = (HandoverStatus.InContact, t => t.Complete(new(Receiver), Later)),
    };

    public static TheoryData<HandoverStatus, TicketStep[]> AllowedSteps
    {
        get
        {
            var data = new TheoryData<HandoverStatus, TicketStep[]>();
            foreach (var (status, steps) in Allowed)
            {
                data.Add(status, steps);
            }

            return data;
        }
    }

    public static TheoryData<HandoverStatus, TicketStep> RefusedSteps
    {
        get
        {
            var data = new TheoryData<HandoverStatus, TicketStep>();
            foreach (var (status, steps) in Allowed)
            {
                foreach (var step in Enum.GetValues<TicketStep>().Except(steps))
                {
                    data.Add(status, step);
                }
            }

            return data;
        }
    }

    public static TheoryData<HandoverStatus> ReachableStatuses => [.. Allowed.Keys];

    public static TheoryData<string> TransitionNames => [.. Transitions.Keys];

    [Fact]
    public void Request_AloneWaits_AtVersionOne_Unoffered()
    {
        var ticket = HandoverTicket.Request(CaseId, new(Origin), Receiver, ["EDU"], Arrival, null, Now);

        ticket.Status.Should().Be(HandoverStatus.Requested);
        ticket.Version.Should().Be(1);
        ticket.IsOpen.Should().BeTrue();
        ticket.WasOffered.Should().BeFalse("the receiver does not see it, and nothing of it is announced");
        ticket.AnswerDueAt.Should().BeNull();
        ticket.Timeline.Select(e => e.Action).Should().Equal("requested");
    }

    [Theory]
    [InlineData(DeclineReason.CaseNotFound, "case-not-found")]
    [InlineData(DeclineReason.NoConsent, "no-consent")]
    [InlineData(DeclineReason.Duplicate, "duplicate")]
    public void DeclineUnoffered_ClosesTheRequest_ByTheSystem_WithTheFailedCheck(DeclineReason reason, string code)
    {
        var ticket = HandoverTicket.Request(CaseId, new(Origin), Receiver, ["EDU"], Arrival, null, Now);

        var declined = ticket.DeclineUnoffered(reason, Later);

        ticket.Status.Should().Be(HandoverStatus.Declined);
        ticket.IsOpen.Should().BeFalse();
        ticket.WasOffered.Should().BeFalse();
        ticket.ClosedAt.Should().Be(Later);
        ticket.AnsweredAt.Should().BeNull("no receiver answered: the statistics' time to answer does not count it");
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e => e.Action == "declined" && e.Actor == TimelineActor.System && e.Detail == code && e.Version == 2);
        declined.Should().BeEquivalentTo(new { HandoverId = ticket.Id, Reason = code, Status = HandoverStatuses.Declined, Version = 2L, At = Later });
    }

    [Fact]
    public void Request_ThenOffer_StoresTheTicketOffered_AtVersionTwo()
    {
        var (ticket, _) = Request(Arrival);

        ticket.Status.Should().Be(HandoverStatus.Offered);
        ticket.Version.Should().Be(2);
        ticket.IsOpen.Should().BeTrue();
        ticket.AnswerDueAt.Should().Be(AnswerDue);
        ticket.RequestedAt.Should().Be(Now);
        ticket.UpdatedAt.Should().Be(Now);
        ticket.ReceiverOrganisationId.Should().Be(Receiver);
    }

    [Fact]
    public void Request_PutsRequestedThenOfferedOnTheTimeline()
    {
        var (ticket, _) = Request(Arrival);

        ticket.Timeline.Should().SatisfyRespectively(
            requested => requested.Should().BeEquivalentTo(new
            {
                TicketId = ticket.Id, At = Now, Actor = TimelineActor.Origin, ActorOrganisationId = (Guid?)Origin,
                Action = "requested", Detail = (string?)null, Version = 1L,
            }),
            offered => offered.Should().BeEquivalentTo(new
            {
                TicketId = ticket.Id, At = Now, Actor = TimelineActor.System, ActorOrganisationId = (Guid?)null,
                Action = "offered", Detail = "answer-due:" + AnswerDue.ToString("O", CultureInfo.InvariantCulture), Version = 2L,
            }));
    }

    [Fact]
    public void Request_KeepsThePlannedArrivalMonth()
    {
        Request(Arrival).Ticket.PlannedArrivalMonth.Should().Be(new DateOnly(2026, 6, 1));
    }

    [Fact]
    public void Offer_AnnouncesHandoverOffered_AtVersionTwo_WithTheAnswerDeadline()
    {
        var (ticket, offered) = Request(Arrival);

        offered.Should().BeEquivalentTo(new
        {
            HandoverId = ticket.Id,
            CaseId,
            OriginOrganisationId = Origin,
            ReceiverOrganisationId = Receiver,
            AnswerDueAt = AnswerDue,
            Status = HandoverStatuses.Offered,
            Version = 2L,
            At = Now,
        });
    }

    [Fact]
    public void Request_WithoutPlannedArrival_HasNoArrivalMonth()
    {
        Request(null).Ticket.PlannedArrivalMonth.Should().BeNull();
    }

    [Fact]
    public void StatusCodes_AreTheContractsKebabCaseCodes()
    {
        Enum.GetValues<HandoverStatus>().Select(s => EnumCodes.Of(s)).Should().Equal(Enum.GetValues<HandoverStatus>().Select(s => Codes[s]));
    }

    [Theory]
    [MemberData(nameof(AllowedSteps))]
    public void Refuses_AllowsExactlyTheStepsOfTheState(HandoverStatus status, TicketStep[] allowed)
    {
        var ticket = In(status);

        Enum.GetValues<TicketStep>().Where(step => ticket.Refuses(step) is null).Should().BeEquivalentTo(allowed);
    }

    [Theory]
    [MemberData(nameof(RefusedSteps))]
    public void Refuses_AStepTheStateDoesNotAllow_NamingTheState(HandoverStatus status, TicketStep step)
    {
        In(status).Refuses(step).Should().Be($"A handover that is {Codes[status]} cannot {Verbs[step]}.");
    }

    [Fact]
    public void Refuses_AcceptWhenWithdrawn_SaysSoInTheContractsWords()
    {
        In(HandoverStatus.Withdrawn).Refuses(TicketStep.Accept).Should().Be("A handover that is withdrawn cannot be accepted.");
        In(HandoverStatus.InContact).Refuses(TicketStep.Reassign).Should().Be("A handover that is in-contact cannot be reassigned.");
    }

    [Theory]
    [MemberData(nameof(ReachableStatuses))]
    public void IsOpen_ExactlyForTheContractsOpenStatuses(HandoverStatus status)
    {
        In(status).IsOpen.Should().Be(HandoverStatuses.IsOpen(Codes[status]));
    }

    [Theory]
    [MemberData(nameof(TransitionNames))]
    public void EveryTransition_GrowsTheVersionByExactlyOne(string transition)
    {
        var (ticket, take) = Before(transition);
        var before = ticket.Version;

        take(ticket);

        ticket.Version.Should().Be(before + 1);
    }

    [Theory]
    [MemberData(nameof(TransitionNames))]
    public void EveryTransition_AnnouncesTheTicketsStatusAndVersionAfterIt(string transition)
    {
        var (ticket, take) = Before(transition);

        var announced = take(ticket);

        announced.Status.Should().Be(Codes[ticket.Status]);
        announced.Version.Should().Be(ticket.Version);
        announced.HandoverId.Should().Be(ticket.Id);
        announced.CaseId.Should().Be(CaseId);
        announced.OriginOrganisationId.Should().Be(Origin);
        announced.ReceiverOrganisationId.Should().Be(ticket.ReceiverOrganisationId);
        announced.At.Should().Be(Later);
    }

    [Theory]
    [MemberData(nameof(TransitionNames))]
    public void EveryTransition_AddsOneTimelineEntry_AtTheNewVersion(string transition)
    {
        var (ticket, take) = Before(transition);
        var entries = ticket.Timeline.Count;

        take(ticket);

        ticket.Timeline.Should().HaveCount(entries + 1);
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e => e.Version == ticket.Version && e.At == Later && e.TicketId == ticket.Id);
        ticket.UpdatedAt.Should().Be(Later);
    }

    [Fact]
    public void Accept_IsAnswered_AndDueForFollowUpThePeriodAfterThePlannedArrival()
    {
        var ticket = In(HandoverStatus.Offered);

        var accepted = ticket.Accept(new(Receiver), Later, FollowUpAfterArrival);

        ticket.Status.Should().Be(HandoverStatus.Accepted);
        ticket.AcceptedAt.Should().Be(Later);
        ticket.AnsweredAt.Should().Be(Later);
        ticket.FollowUpDueAt.Should().Be(new DateTimeOffset(2026, 6, 17, 0, 0, 0, TimeSpan.Zero) + FollowUpAfterArrival);
        accepted.Should().BeEquivalentTo(new { HandoverId = ticket.Id, ReceiverOrganisationId = Receiver, Status = HandoverStatuses.Accepted, Version = 3L, At = Later });
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e => e.Action == "accepted" && e.Actor == TimelineActor.Receiver && e.ActorOrganisationId == Receiver);
    }

    [Fact]
    public void Accept_OnTheDayOfArrival_IsDueForFollowUpThePeriodAfterTheAcceptance()
    {
        // The arrival (midnight UTC) has passed when the receiver accepts at 09:30: the acceptance is the later moment.
        var ticket = Request(DateOnly.FromDateTime(Later.UtcDateTime)).Ticket;

        ticket.Accept(new(Receiver), Later, FollowUpAfterArrival);

        ticket.FollowUpDueAt.Should().Be(Later + FollowUpAfterArrival);
    }

    [Fact]
    public void Accept_WithoutPlannedArrival_IsDueForFollowUpThePeriodAfterTheAcceptance()
    {
        var ticket = Request(null).Ticket;

        ticket.Accept(new(Receiver), Later, FollowUpAfterArrival);

        ticket.FollowUpDueAt.Should().Be(Later + FollowUpAfterArrival);
    }

    [Fact]
    public void Accept_WhenEscalated_IsALateAcceptance()
    {
        var ticket = In(HandoverStatus.Escalated);

        ticket.Accept(new(Receiver), Later, FollowUpAfterArrival);

        ticket.Status.Should().Be(HandoverStatus.Accepted);
        ticket.AnsweredAt.Should().Be(Later);
        ticket.IsOpen.Should().BeTrue();
    }

    [Fact]
    public void Decline_KeepsTheReasonAndNote_AndClosesTheTicket()
    {
        var ticket = In(HandoverStatus.Offered);

        ticket.Decline(new(Receiver), DeclineReason.LanguageNotAvailable, "No Farsi-speaking counsellor until autumn.", Later);

        ticket.Status.Should().Be(HandoverStatus.Declined);
        ticket.DeclineReason.Should().Be(DeclineReason.LanguageNotAvailable);
        ticket.DeclineNote.Should().Be("No Farsi-speaking counsellor until autumn.");
        ticket.AnsweredAt.Should().Be(Later);
        ticket.ClosedAt.Should().Be(Later);
        ticket.IsOpen.Should().BeFalse();
    }

    [Fact]
    public void Decline_AnnouncesTheReasonAsItsCode_AndNotTheNote()
    {
        var ticket = In(HandoverStatus.Offered);

        var declined = ticket.Decline(new(Receiver), DeclineReason.LanguageNotAvailable, "No Farsi-speaking counsellor until autumn.", Later);

        declined.Reason.Should().Be("language-not-available");
        declined.Status.Should().Be(HandoverStatuses.Declined);
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e =>
            e.Action == "declined" && e.Detail == "language-not-available" && e.Actor == TimelineActor.Receiver && e.ActorOrganisationId == Receiver);
    }

    [Fact]
    public void Withdraw_ClosesTheTicket_OnTheOriginsTimeline()
    {
        var ticket = In(HandoverStatus.Accepted);

        var withdrawn = ticket.Withdraw(new(Origin), Later);

        ticket.Status.Should().Be(HandoverStatus.Withdrawn);
        ticket.ClosedAt.Should().Be(Later);
        ticket.IsOpen.Should().BeFalse();
        withdrawn.Status.Should().Be(HandoverStatuses.Withdrawn);
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e => e.Action == "withdrawn" && e.Actor == TimelineActor.Origin && e.ActorOrganisationId == Origin);
    }

    [Fact]
    public void Revoke_ClosesTheTicket_NamingTheCause()
    {
        var ticket = In(HandoverStatus.InContact);

        var revoked = ticket.Revoke(RevocationCause.ConsentExpired, Later);

        ticket.Status.Should().Be(HandoverStatus.Revoked);
        ticket.RevocationCause.Should().Be(RevocationCause.ConsentExpired);
        ticket.ClosedAt.Should().Be(Later);
        ticket.IsOpen.Should().BeFalse();
        revoked.Cause.Should().Be("consent-expired");
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e =>
            e.Action == "revoked" && e.Detail == "consent-expired" && e.Actor == TimelineActor.System && e.ActorOrganisationId == null);
    }

    [Fact]
    public void Escalate_KeepsTheTicketOpen_AndNotesWhen()
    {
        var ticket = In(HandoverStatus.Offered);

        ticket.Escalate(Later);

        ticket.Status.Should().Be(HandoverStatus.Escalated);
        ticket.EscalatedAt.Should().Be(Later);
        ticket.IsOpen.Should().BeTrue();
        ticket.ClosedAt.Should().BeNull();
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e => e.Action == "escalated" && e.Actor == TimelineActor.System);
    }

    [Fact]
    public void Reassign_OffersTheTicketToTheNewReceiver_WithANewDeadline_AndNoLongerEscalated()
    {
        var ticket = In(HandoverStatus.Escalated);
        var newDeadline = Later.AddDays(7);

        ticket.Reassign(new(Coordinator), OtherReceiver, newDeadline, null, Later);

        ticket.Status.Should().Be(HandoverStatus.Offered);
        ticket.ReceiverOrganisationId.Should().Be(OtherReceiver);
        ticket.AnswerDueAt.Should().Be(newDeadline);
        ticket.EscalatedAt.Should().BeNull();
    }

    [Fact]
    public void Reassign_AnnouncesThePreviousReceiverAndTheNewOne()
    {
        var ticket = In(HandoverStatus.Escalated);

        var reassigned = ticket.Reassign(new(Coordinator), OtherReceiver, Later.AddDays(7), null, Later);

        reassigned.Should().BeEquivalentTo(new
        {
            HandoverId = ticket.Id,
            PreviousReceiverOrganisationId = Receiver,
            ReceiverOrganisationId = OtherReceiver,
            AnswerDueAt = Later.AddDays(7),
            Status = HandoverStatuses.Offered,
            Version = ticket.Version,
        });
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e =>
            e.Action == "reassigned" && e.Detail == $"from:{Receiver}" && e.Actor == TimelineActor.Coordinator && e.ActorOrganisationId == Coordinator);
    }

    [Fact]
    public void RecordOutcome_FirstContactMade_MovesToInContact_AndNotesWhen()
    {
        var ticket = In(HandoverStatus.Accepted);

        var recorded = ticket.RecordOutcome(new(Receiver), HandoverOutcome.FirstContactMade, Arrival, Later);

        ticket.Status.Should().Be(HandoverStatus.InContact);
        ticket.FirstContactAt.Should().Be(Later);
        recorded.Status.Should().Be(HandoverStatuses.InContact);
        recorded.Outcome.Should().Be("first-contact-made");
    }

    [Fact]
    public void RecordOutcome_FirstContactMadeAgain_KeepsTheFirstContactTime()
    {
        var ticket = In(HandoverStatus.InContact);
        var first = ticket.FirstContactAt;

        ticket.RecordOutcome(new(Receiver), HandoverOutcome.FirstContactMade, Arrival.AddDays(5), Later.AddDays(5));

        first.Should().NotBeNull();
        ticket.FirstContactAt.Should().Be(first);
        ticket.Status.Should().Be(HandoverStatus.InContact);
    }

    [Theory]
    [InlineData(HandoverOutcome.FirstAppointmentBooked)]
    [InlineData(HandoverOutcome.DidNotArrive)]
    [InlineData(HandoverOutcome.CouldNotBeContacted)]
    public void RecordOutcome_OtherOutcomesWhenAccepted_KeepItAccepted(HandoverOutcome outcome)
    {
        var ticket = In(HandoverStatus.Accepted);

        var recorded = ticket.RecordOutcome(new(Receiver), outcome, Arrival, Later);

        ticket.Status.Should().Be(HandoverStatus.Accepted);
        ticket.FirstContactAt.Should().BeNull();
        recorded.Status.Should().Be(HandoverStatuses.Accepted);
    }

    [Theory]
    [InlineData(HandoverOutcome.FirstAppointmentBooked)]
    [InlineData(HandoverOutcome.DidNotArrive)]
    [InlineData(HandoverOutcome.CouldNotBeContacted)]
    public void RecordOutcome_OtherOutcomesWhenInContact_KeepItInContact(HandoverOutcome outcome)
    {
        var ticket = In(HandoverStatus.InContact);

        var recorded = ticket.RecordOutcome(new(Receiver), outcome, null, Later);

        ticket.Status.Should().Be(HandoverStatus.InContact);
        recorded.Status.Should().Be(HandoverStatuses.InContact);
    }

    [Fact]
    public void RecordOutcome_KeepsTheOutcomeAndItsDay_AsCodes()
    {
        var ticket = In(HandoverStatus.Accepted);

        var recorded = ticket.RecordOutcome(new(Receiver), HandoverOutcome.FirstAppointmentBooked, new DateOnly(2026, 6, 20), Later);

        ticket.LastOutcome.Should().Be(HandoverOutcome.FirstAppointmentBooked);
        ticket.LastOutcomeOn.Should().Be(new DateOnly(2026, 6, 20));
        recorded.Outcome.Should().Be("first-appointment-booked");
        recorded.OccurredOn.Should().Be(new DateOnly(2026, 6, 20));
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e =>
            e.Action == "outcome-recorded" && e.Detail == "first-appointment-booked:2026-06-20" && e.Actor == TimelineActor.Receiver);
    }

    [Fact]
    public void RecordOutcome_WithoutADay_NotesTheOutcomeAlone()
    {
        var ticket = In(HandoverStatus.Accepted);

        ticket.RecordOutcome(new(Receiver), HandoverOutcome.DidNotArrive, null, Later);

        ticket.LastOutcomeOn.Should().BeNull();
        ticket.Timeline[^1].Detail.Should().Be("did-not-arrive");
    }

    [Fact]
    public void Complete_ClosesTheTicket()
    {
        var ticket = In(HandoverStatus.InContact);

        var completed = ticket.Complete(new(Receiver), Later);

        ticket.Status.Should().Be(HandoverStatus.Completed);
        ticket.ClosedAt.Should().Be(Later);
        ticket.IsOpen.Should().BeFalse();
        completed.Status.Should().Be(HandoverStatuses.Completed);
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e => e.Action == "completed" && e.Actor == TimelineActor.Receiver && e.ActorOrganisationId == Receiver);
    }

    [Fact]
    public void FlagFollowUp_AddsATimelineEntry_WithoutChangingVersionOrStatus()
    {
        var ticket = In(HandoverStatus.Accepted);
        var version = ticket.Version;
        var entries = ticket.Timeline.Count;

        ticket.FlagFollowUp(Later);

        ticket.Version.Should().Be(version);
        ticket.Status.Should().Be(HandoverStatus.Accepted);
        ticket.FollowUpFlaggedAt.Should().Be(Later);
        ticket.UpdatedAt.Should().Be(Later);
        ticket.Timeline.Should().HaveCount(entries + 1);
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e =>
            e.Action == "follow-up-due" && e.Actor == TimelineActor.System && e.Version == version && e.At == Later);
    }

    /// <summary>A request whose checks passed at once: offered.</summary>
    private static (HandoverTicket Ticket, HandoverOffered Offered) Request(DateOnly? plannedArrival)
    {
        var ticket = HandoverTicket.Request(CaseId, new(Origin), Receiver, ["EDU", "WORK"], plannedArrival, "Continues an apprenticeship search.", Now);
        return (ticket, ticket.Offer(AnswerDue, null, Now));
    }

    /// <summary>A ticket brought to <paramref name="status"/> by the transitions a real one takes, the last a day before Later.</summary>
    private static HandoverTicket In(HandoverStatus status)
    {
        var ticket = Request(Arrival).Ticket;
        var earlier = Now.AddDays(1);
        switch (status)
        {
            case HandoverStatus.Offered:
                break;
            case HandoverStatus.Escalated:
                ticket.Escalate(earlier);
                break;
            case HandoverStatus.Accepted:
                ticket.Accept(new(Receiver), earlier, FollowUpAfterArrival);
                break;
            case HandoverStatus.InContact:
                ticket.Accept(new(Receiver), Now.AddHours(1), FollowUpAfterArrival);
                ticket.RecordOutcome(new(Receiver), HandoverOutcome.FirstContactMade, Arrival, earlier);
                break;
            case HandoverStatus.Completed:
                ticket.Accept(new(Receiver), Now.AddHours(1), FollowUpAfterArrival);
                ticket.Complete(new(Receiver), earlier);
                break;
            case HandoverStatus.Declined:
                ticket.Decline(new(Receiver), DeclineReason.NoCapacity, null, earlier);
                break;
            case HandoverStatus.Withdrawn:
                ticket.Withdraw(new(Origin), earlier);
                break;
            case HandoverStatus.Revoked:
                ticket.Accept(new(Receiver), Now.AddHours(1), FollowUpAfterArrival);
                ticket.Revoke(RevocationCause.ConsentWithdrawn, earlier);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(status), status, "Not reachable: a ticket is stored offered.");
        }

        ticket.Status.Should().Be(status);
        return ticket;
    }

    private static (HandoverTicket Ticket, Func<HandoverTicket, IHandoverEvent> Take) Before(string transition)
    {
        var (from, take) = Transitions[transition];
        return (In(from), take);
    }
}
