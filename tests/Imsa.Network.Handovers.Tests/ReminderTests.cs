using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Handovers.Tests;

/// <summary>When a reminder falls (<see cref="SlaOptions"/>, <see cref="WorkingDays"/>) and what it does to a ticket.</summary>
public sealed class ReminderRuleTests
{
    // A Wednesday.
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 9, 30, 0, TimeSpan.Zero);
    private static readonly Guid Receiver = new("0195a000-0000-7000-8000-000000000003");
    private static readonly Guid OtherReceiver = new("0195a000-0000-7000-8000-000000000004");

    [Theory]
    [InlineData("2026-03-09T10:00:00Z", 1, "2026-03-06T10:00:00Z")] // Monday → Friday
    [InlineData("2026-03-11T10:00:00Z", 1, "2026-03-10T10:00:00Z")] // Wednesday → Tuesday
    [InlineData("2026-03-11T10:00:00Z", 5, "2026-03-04T10:00:00Z")] // a working week back
    [InlineData("2026-03-08T10:00:00Z", 1, "2026-03-06T10:00:00Z")] // Sunday → Friday
    [InlineData("2026-03-11T10:00:00Z", 0, "2026-03-11T10:00:00Z")]
    public void WorkingDaysSubtract_StepsBackOverWeekends(string to, int days, string expected) =>
        WorkingDays.Subtract(DateTimeOffset.Parse(to, CultureInfo.InvariantCulture), days)
            .Should().Be(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture));

    [Fact]
    public void ByDefault_AnOfferIsDueInFiveWorkingDays_AndRemindedOneWorkingDayBefore()
    {
        var sla = new SlaOptions();

        var due = sla.AnswerDueAt(Now);

        due.Should().Be(new DateTimeOffset(2026, 3, 11, 9, 30, 0, TimeSpan.Zero), "Wednesday to Wednesday, the weekend not counted");
        sla.ReminderAt(due, Now).Should().Be(new DateTimeOffset(2026, 3, 10, 9, 30, 0, TimeSpan.Zero));
        // Due on a Monday: reminded on the Friday before, not on the Sunday.
        var monday = new DateTimeOffset(2026, 3, 16, 9, 30, 0, TimeSpan.Zero);
        sla.ReminderAt(monday, Now).Should().Be(new DateTimeOffset(2026, 3, 13, 9, 30, 0, TimeSpan.Zero));
    }

    [Fact]
    public void TheDemoOverrides_SetTheDeadlineAndTheReminder_InsteadOfWorkingDays()
    {
        var sla = new SlaOptions { AnswerWithin = TimeSpan.FromMinutes(10), ReminderBefore = TimeSpan.FromMinutes(4) };

        var due = sla.AnswerDueAt(Now);

        due.Should().Be(Now.AddMinutes(10));
        sla.ReminderAt(due, Now).Should().Be(Now.AddMinutes(6));
    }

    [Fact]
    public void NoReminder_WhenTurnedOff_OrWhenItWouldNotFallAfterTheOffer()
    {
        new SlaOptions { ReminderWorkingDays = 0 }.ReminderAt(Now.AddDays(7), Now).Should().BeNull();
        new SlaOptions { ReminderBefore = TimeSpan.Zero }.ReminderAt(Now.AddDays(7), Now).Should().BeNull();
        new SlaOptions { ReminderBefore = TimeSpan.FromHours(2) }.ReminderAt(Now.AddHours(1), Now).Should().BeNull("the deadline is nearer than the lead");
        new SlaOptions { ReminderBefore = TimeSpan.FromHours(2) }.ReminderAt(Now.AddHours(2), Now).Should().BeNull("it would fall at the offer itself");
        new SlaOptions { AnswerWorkingDays = 1 }.ReminderAt(new SlaOptions { AnswerWorkingDays = 1 }.AnswerDueAt(Now), Now)
            .Should().BeNull("a deadline one working day ahead: the offer is the reminder");
    }

    [Fact]
    public void AnOffer_ArmsItsReminder_WhichRemindsOnce_WithoutAStep()
    {
        var ticket = Offered(Now.AddDays(6));
        var version = ticket.Version;
        ticket.AnswerReminderAt.Should().Be(Now.AddDays(6));

        var reminder = ticket.RemindOfAnswer(Now.AddDays(6).AddMinutes(1));

        reminder.Should().BeEquivalentTo(new
        {
            HandoverId = ticket.Id,
            ticket.CaseId,
            ticket.OriginOrganisationId,
            ReceiverOrganisationId = Receiver,
            AnswerDueAt = Now.AddDays(7),
            Version = version,
            At = Now.AddDays(6).AddMinutes(1),
        });
        ticket.Version.Should().Be(version);
        ticket.Status.Should().Be(HandoverStatus.Offered);
        ticket.AnswerReminderAt.Should().BeNull();
        ticket.Timeline[^1].Should().Match<TimelineEntry>(e => e.Action == "answer-due-soon" && e.Actor == TimelineActor.System && e.Version == version);
        ticket.Invoking(t => t.RemindOfAnswer(Now.AddDays(6).AddMinutes(2))).Should().Throw<InvalidOperationException>("once per offer");
    }

    [Fact]
    public void AReminderAtOrBeforeTheOffer_OrAtTheDeadline_IsNotArmed()
    {
        Offered(Now).AnswerReminderAt.Should().BeNull();
        Offered(Now.AddDays(7)).AnswerReminderAt.Should().BeNull();
        Offered(null).AnswerReminderAt.Should().BeNull();
    }

    [Fact]
    public void EveryStep_DisarmsTheReminder_AndAReassignmentArmsOneForTheNewReceiver()
    {
        After(t => t.Accept(new(Receiver), Now.AddDays(1), TimeSpan.FromDays(30))).AnswerReminderAt.Should().BeNull();
        After(t => t.Decline(new(Receiver), DeclineReason.NoCapacity, null, Now.AddDays(1))).AnswerReminderAt.Should().BeNull();
        After(t => t.Withdraw(new(t.OriginOrganisationId), Now.AddDays(1))).AnswerReminderAt.Should().BeNull();
        After(t => t.Revoke(RevocationCause.ConsentWithdrawn, Now.AddDays(1))).AnswerReminderAt.Should().BeNull();
        After(t => t.Escalate(Now.AddDays(7))).AnswerReminderAt.Should().BeNull();

        var ticket = Offered(Now.AddDays(6));
        ticket.Escalate(Now.AddDays(7));
        ticket.Reassign(new(Guid.NewGuid()), OtherReceiver, Now.AddDays(14), Now.AddDays(13), Now.AddDays(8));

        ticket.AnswerReminderAt.Should().Be(Now.AddDays(13));
        ticket.RemindOfAnswer(Now.AddDays(13)).ReceiverOrganisationId.Should().Be(OtherReceiver);
    }

    private static HandoverTicket After(Action<HandoverTicket> step)
    {
        var ticket = Offered(Now.AddDays(6));
        step(ticket);
        return ticket;
    }

    private static HandoverTicket Offered(DateTimeOffset? reminderAt)
    {
        var ticket = HandoverTicket.Request(Guid.NewGuid(), new(Guid.NewGuid()), Receiver, ["EDU"], null, null, Now);
        ticket.Offer(Now.AddDays(7), reminderAt, Now);
        return ticket;
    }
}

/// <summary>
/// The SLA job's reminders, through the outbox onto the broker: once each. This class moves the service's clock, so it
/// has a service of its own.
/// </summary>
public sealed class ReminderTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task AnOfferUnansweredAtItsReminderTime_RemindsTheReceiverOnce_OneWorkingDayBeforeTheDeadline()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverAnswerDueSoon));
        var scene = await Scene.SetUpAsync(service);
        var ticket = await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver);
        var id = (string)ticket["id"]!;
        var stored = await TicketAsync(id);
        var due = stored.AnswerDueAt!.Value;
        var reminder = stored.AnswerReminderAt!.Value;
        (due - reminder).Should().Be(TimeSpan.FromDays(due.DayOfWeek == DayOfWeek.Monday ? 3 : 1), "one working day before the deadline");

        service.Time.Advance(reminder - service.Time.GetUtcNow() + TimeSpan.FromMinutes(1));

        var reminded = await tap.WaitForAsync<HandoverAnswerDueSoon>(m => (string?)m["handoverId"] == id);
        ((Guid)reminded["caseId"]!).Should().Be(scene.CaseId);
        ((Guid)reminded["originOrganisationId"]!).Should().Be(scene.Origin.Id);
        ((Guid)reminded["receiverOrganisationId"]!).Should().Be(scene.Receiver.Id);
        DateTimeOffset.Parse((string)reminded["answerDueAt"]!, CultureInfo.InvariantCulture).Should().Be(due);
        reminded["version"]!.GetValue<long>().Should().Be(2, "the offer's version: a reminder is not a step");
        await RaceAsync();
        (await RemindersOfAsync(tap, id)).Should().Be(1, "the reminder is announced once, however often the jobs look");
        var read = await service.ReadAsync(scene.Receiver, id);
        ((string?)read["status"]).Should().Be("offered");
        read["version"]!.GetValue<long>().Should().Be(2);
        read["timeline"]!.AsArray().Select(e => (string?)e!["action"]).Should().ContainSingle(a => a == "answer-due-soon");
    }

    [Fact]
    public async Task AnOfferAcceptedOrDeclinedBeforeItsReminderTime_IsNotReminded()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverAnswerDueSoon));
        var accepted = await Scene.SetUpAsync(service);
        var acceptedId = (string)(await service.RequestAsync(accepted.Origin, accepted.CaseId, accepted.Receiver))["id"]!;
        var declined = await Scene.SetUpAsync(service);
        var declinedId = (string)(await service.RequestAsync(declined.Origin, declined.CaseId, declined.Receiver))["id"]!;
        // Unanswered, offered last: its reminder is the latest, so when it is announced the others' time had come too.
        var unanswered = await Scene.SetUpAsync(service);
        var unansweredId = (string)(await service.RequestAsync(unanswered.Origin, unanswered.CaseId, unanswered.Receiver))["id"]!;
        (await service.SendAsync(accepted.Receiver, HttpMethod.Post, $"/handovers/{acceptedId}/accept")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await service.SendAsync(declined.Receiver, HttpMethod.Post, $"/handovers/{declinedId}/decline", new { reason = "outside-service-area" }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var reminder = (await TicketAsync(unansweredId)).AnswerReminderAt!.Value;

        service.Time.Advance(reminder - service.Time.GetUtcNow() + TimeSpan.FromMinutes(1));

        await tap.WaitForAsync<HandoverAnswerDueSoon>(m => (string?)m["handoverId"] == unansweredId);
        await RaceAsync();
        (await RemindersOfAsync(tap, acceptedId)).Should().Be(0, "an accepted offer needs no reminder");
        (await RemindersOfAsync(tap, declinedId)).Should().Be(0, "a declined offer needs no reminder");
    }

    [Fact]
    public async Task AnOfferPastBothItsReminderAndItsDeadline_IsEscalated_NotReminded()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverAnswerDueSoon), typeof(HandoverEscalated));
        var scene = await Scene.SetUpAsync(service);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        var due = (await TicketAsync(id)).AnswerDueAt!.Value;

        // One pass sees the reminder's time and the deadline passed at once: the escalation is the news.
        service.Time.Advance(due - service.Time.GetUtcNow() + TimeSpan.FromMinutes(1));

        await tap.WaitForAsync<HandoverEscalated>(m => (string?)m["handoverId"] == id);
        await RaceAsync();
        (await RemindersOfAsync(tap, id)).Should().Be(0);
        (await TicketAsync(id)).AnswerReminderAt.Should().BeNull("an escalated ticket has no reminder armed");
    }

    [Fact]
    public async Task AReassignment_ArmsTheReminderAgain_ForTheNewReceiver()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverAnswerDueSoon));
        var scene = await Scene.SetUpAsync(service);
        var named = await service.OrganisationAsync("receiving-service");
        var coordinator = await service.OrganisationAsync("coordinator");
        await service.ConsentAsync(scene.CaseId, scene.Origin, named);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        var first = await TicketAsync(id);
        service.Time.Advance(first.AnswerReminderAt!.Value - service.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        await tap.WaitForAsync<HandoverAnswerDueSoon>(m => (string?)m["handoverId"] == id && (Guid)m["receiverOrganisationId"]! == scene.Receiver.Id);
        service.Time.Advance(first.AnswerDueAt!.Value - service.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        await service.StatusAsync(id, "Escalated");

        (await service.SendAsync(coordinator, HttpMethod.Post, $"/admin/handovers/{id}/reassign", new { receiverOrganisationId = named.Id }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var reassigned = await TicketAsync(id);
        reassigned.AnswerReminderAt.Should().NotBeNull().And.BeAfter(service.Time.GetUtcNow()).And.BeBefore(reassigned.AnswerDueAt!.Value);
        service.Time.Advance(reassigned.AnswerReminderAt!.Value - service.Time.GetUtcNow() + TimeSpan.FromMinutes(1));

        var reminded = await tap.WaitForAsync<HandoverAnswerDueSoon>(m => (string?)m["handoverId"] == id && (Guid)m["receiverOrganisationId"]! == named.Id);
        DateTimeOffset.Parse((string)reminded["answerDueAt"]!, CultureInfo.InvariantCulture).Should().Be(reassigned.AnswerDueAt!.Value);
        reminded["version"]!.GetValue<long>().Should().Be(4, "offered, escalated, reassigned");
        await RaceAsync();
        (await RemindersOfAsync(tap, id)).Should().Be(2, "one for each receiver");
    }

    [Fact]
    public async Task AnAcceptedHandoverWithoutFirstContact_AnnouncesHandoverFollowUpDue_Once()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverFollowUpDue));
        var scene = await Scene.SetUpAsync(service);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        var accepted = await (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/accept")).Content.ReadFromJsonAsync<JsonObject>();
        var followUp = DateTimeOffset.Parse((string)accepted!["followUpDueAt"]!, CultureInfo.InvariantCulture);

        service.Time.Advance(followUp - service.Time.GetUtcNow() + TimeSpan.FromMinutes(1));

        var due = await tap.WaitForAsync<HandoverFollowUpDue>(m => (string?)m["handoverId"] == id);
        ((Guid)due["caseId"]!).Should().Be(scene.CaseId);
        ((Guid)due["originOrganisationId"]!).Should().Be(scene.Origin.Id);
        ((Guid)due["receiverOrganisationId"]!).Should().Be(scene.Receiver.Id);
        ((string?)due["plannedArrivalMonth"]).Should().Be(new DateOnly(TestDates.Arrival.Year, TestDates.Arrival.Month, 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        due["version"]!.GetValue<long>().Should().Be(3, "the acceptance's version: a flag is not a step");
        await RaceAsync();
        await tap.DrainAsync();
        tap.Received.Count(r => r.Type == nameof(HandoverFollowUpDue) && r.Body.Contains(id, StringComparison.Ordinal)).Should().Be(1);
    }

    /// <summary>Two more SLA jobs race each other for whatever is due, as more instances would; then their events go out.</summary>
    private async Task RaceAsync()
    {
        var services = service.Factory.Services;
        SlaJob[] jobs = [ActivatorUtilities.CreateInstance<SlaJob>(services), ActivatorUtilities.CreateInstance<SlaJob>(services)];
        await Task.WhenAll(jobs.Select(job => Task.Run(() => job.RunOnceAsync(CancellationToken.None))));
        await Eventually.UntilCount(() => service.Database.CountAsync("SELECT count(*) FROM messaging.outbox_messages"), 0, "the outbox to drain");
    }

    private static async Task<int> RemindersOfAsync(EventTap tap, string handoverId)
    {
        await tap.DrainAsync();
        return tap.Received.Count(r => r.Type == nameof(HandoverAnswerDueSoon) && r.Body.Contains(handoverId, StringComparison.Ordinal));
    }

    private async Task<HandoverTicket> TicketAsync(string id)
    {
        await using var scope = service.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HandoversDbContext>();
        return await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == Guid.Parse(id));
    }
}

/// <summary>Demo settings: an offer due in minutes, reminded minutes before (Handovers:Sla:AnswerWithin, ReminderBefore).</summary>
public sealed class DemoReminderTests(DemoReminderTests.DemoService service) : IClassFixture<DemoReminderTests.DemoService>
{
    public sealed class DemoService : HandoversService
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Handovers:Sla:AnswerWithin"] = "00:10:00",
            ["Handovers:Sla:ReminderBefore"] = "00:04:00",
        };
    }

    [Fact]
    public async Task WithTheDemoOverrides_TheDeadlineAndTheReminderFollowThem()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverAnswerDueSoon));
        var scene = await Scene.SetUpAsync(service);
        var requestedAt = service.Time.GetUtcNow();
        var ticket = await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver);
        var id = (string)ticket["id"]!;
        var due = DateTimeOffset.Parse((string)ticket["answerDueAt"]!, CultureInfo.InvariantCulture);
        due.Should().BeCloseTo(requestedAt.AddMinutes(10), TimeSpan.FromSeconds(30), "ten minutes, not five working days");

        service.Time.Advance(TimeSpan.FromMinutes(5));
        await ActivatorUtilities.CreateInstance<SlaJob>(service.Factory.Services).RunOnceAsync(CancellationToken.None);
        await Eventually.UntilCount(() => service.Database.CountAsync("SELECT count(*) FROM messaging.outbox_messages"), 0, "the outbox to drain");
        await tap.DrainAsync();
        tap.Received.Should().BeEmpty("five minutes in, the reminder (four minutes before the deadline) is not yet due");

        service.Time.Advance(TimeSpan.FromMinutes(2));

        var reminded = await tap.WaitForAsync<HandoverAnswerDueSoon>(m => (string?)m["handoverId"] == id);
        // The event's deadline as stored: PostgreSQL keeps microseconds.
        DateTimeOffset.Parse((string)reminded["answerDueAt"]!, CultureInfo.InvariantCulture).Should().BeCloseTo(due, TimeSpan.FromMilliseconds(1));
        DateTimeOffset.Parse((string)reminded["at"]!, CultureInfo.InvariantCulture).Should().BeOnOrAfter(due.AddMinutes(-4));
    }
}
