using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Contracts.Handovers;

namespace Imsa.Network.Handovers.Tests;

/// <summary>Consent ends, a case is erased: open handovers end Revoked, whatever the order and however often the news comes.</summary>
public sealed class RevocationTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task AWithdrawalGivenBeforeTheRequestButArrivingAfterIt_StillEndsInRevoked_AndALateAcceptIsRefused()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverRevoked));
        var scene = await Scene.SetUpAsync(service);
        var withdrawnAt = service.Time.GetUtcNow();
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;

        // The person withdrew before the partner asked; the news reaches this service only now.
        await service.PublishAsync(new ConsentWithdrawn(scene.ConsentId, scene.CaseId, scene.Origin.Id, [scene.Receiver.Id], "data-subject", withdrawnAt));
        await service.StatusAsync(id, "Revoked");

        var revoked = await service.ReadAsync(scene.Origin, id);
        ((string?)revoked["revocationCause"]).Should().Be("consent-withdrawn");
        ((string?)revoked["timeline"]!.AsArray().Last()!["action"]).Should().Be("revoked");
        var late = await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/accept");
        late.StatusCode.Should().Be(HttpStatusCode.Conflict);
        ((string?)(await late.ReadProblemAsync())["detail"]).Should().Contain("revoked");
        ((string?)(await tap.WaitForAsync<HandoverRevoked>(m => (string?)m["handoverId"] == id))["cause"]).Should().Be("consent-withdrawn");
    }

    [Fact]
    public async Task AnEndThatArrivesBeforeItsGrant_StaysEnded_SoNoHandoverCanRestOnIt()
    {
        var origin = await service.OrganisationAsync("origin-partner");
        var receiver = await service.OrganisationAsync("receiving-service");
        var caseId = await service.CaseAsync(origin);
        var consentId = Guid.NewGuid();
        var now = service.Time.GetUtcNow();

        await service.PublishAsync(new ConsentExpired(consentId, caseId, origin.Id, [receiver.Id], now));
        await Eventually.UntilCount(() => service.Database.CountAsync($"SELECT count(*) FROM consent_coverage WHERE consent_id = '{consentId}' AND ended_at IS NOT NULL"), 1, "the end");
        await service.PublishAsync(new ConsentGranted(consentId, caseId, origin.Id, [receiver.Id], ["identity"], "continuation-of-counselling", now.AddDays(-1), now.AddYears(1), now.AddDays(-1)));
        await Eventually.UntilCount(() => service.Database.CountAsync($"SELECT count(*) FROM consent_coverage WHERE consent_id = '{consentId}' AND granted"), 1, "the grant");

        var waiting = await service.RequestAsync(origin, caseId, receiver);
        ((string?)waiting["status"]).Should().Be("requested", "no active consent names the receiver: it is not offered");
        service.Time.Advance(TimeSpan.FromMinutes(16));
        await service.StatusAsync((string)waiting["id"]!, "Declined");
        ((string?)(await service.ReadAsync(origin, (string)waiting["id"]!))["declineReason"]).Should().Be("no-consent");
    }

    [Fact]
    public async Task TheSameWithdrawalTwice_RevokesOnce_AndAnotherConsentNamingTheReceiverKeepsItsHandover()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverRevoked));
        var scene = await Scene.SetUpAsync(service);
        var second = await service.OrganisationAsync("receiving-service");
        var broader = await service.ConsentAsync(scene.CaseId, scene.Origin, scene.Receiver, second);
        var first = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        var other = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, second))["id"]!;

        // The first consent ends; the broader one still names the first receiver.
        await service.PublishAsync(new ConsentWithdrawn(scene.ConsentId, scene.CaseId, scene.Origin.Id, [scene.Receiver.Id], "owner-partner", DateTimeOffset.UtcNow));
        await Eventually.UntilCount(() => service.Database.CountAsync($"SELECT count(*) FROM consent_coverage WHERE consent_id = '{scene.ConsentId}' AND ended_at IS NOT NULL"), 1, "the end");
        ((string?)(await service.ReadAsync(scene.Origin, first))["status"]).Should().Be("offered");

        var consumedBefore = await service.Database.CountAsync("SELECT count(*) FROM messaging.inbox_messages WHERE consumer = 'ConsentEventsConsumer'");
        var withdrawal = Guid.NewGuid();
        var message = new ConsentWithdrawn(broader, scene.CaseId, scene.Origin.Id, [scene.Receiver.Id, second.Id], "owner-partner", DateTimeOffset.UtcNow);
        await service.PublishAsync(message, withdrawal);
        await service.PublishAsync(message, withdrawal);
        await service.PublishAsync(message);
        await service.StatusAsync(first, "Revoked");
        await service.StatusAsync(other, "Revoked");
        await Eventually.UntilCount(
            () => service.Database.CountAsync("SELECT count(*) FROM messaging.inbox_messages WHERE consumer = 'ConsentEventsConsumer'"),
            consumedBefore + 2,
            "the two distinct messages to be consumed (the redelivered one is not recorded twice)");
        await Eventually.Until(async () => { await tap.DrainAsync(); return tap.Received.Count; }, n => n >= 2, "the revocations");

        (await service.Database.CountAsync($"SELECT count(*) FROM handover_timeline WHERE ticket_id IN ('{first}', '{other}') AND action = 'revoked'")).Should().Be(2);
        tap.Received.Count(r => r.Body.Contains(first, StringComparison.Ordinal)).Should().Be(1);
    }

    [Fact]
    public async Task AnErasedCase_RevokesEveryOpenHandover_ClearsTheFreeText_AndTakesNoNewOnes()
    {
        var scene = await Scene.SetUpAsync(service);
        var other = await service.OrganisationAsync("receiving-service");
        await service.ConsentAsync(scene.CaseId, scene.Origin, other);
        var declined = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, other))["id"]!;
        (await service.SendAsync(other, HttpMethod.Post, $"/handovers/{declined}/decline", new { reason = "other", note = "Frau Leakcheck braucht Hilfe in Mainz." }))
            .EnsureSuccessStatusCode();
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/accept")).EnsureSuccessStatusCode();
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE case_id = '{scene.CaseId}' AND sealed_message IS NOT NULL")).Should().Be(2);

        await service.PublishAsync(new CaseErased(scene.CaseId, scene.Origin.Id, DateTimeOffset.UtcNow));
        await service.StatusAsync(id, "Revoked");

        (await service.Database.CountAsync(
            $"SELECT count(*) FROM handover_tickets WHERE case_id = '{scene.CaseId}' AND (message IS NOT NULL OR decline_note IS NOT NULL "
            + "OR sealed_message IS NOT NULL OR sealed_decline_note IS NOT NULL)"))
            .Should().Be(0, "the message and the decline note go with the case");
        (await service.Database.CountAsync($"SELECT count(*) FROM case_text_keys WHERE case_id = '{scene.CaseId}'"))
            .Should().Be(0, "the case's key for them is shredded");
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE id = '{declined}' AND status = 'Declined'"))
            .Should().Be(1, "a final ticket stays as it was, without its text");

        ((string?)(await service.ReadAsync(scene.Receiver, id))["revocationCause"]).Should().Be("case-erased");
        var outgoing = (await (await service.SendAsync(scene.Origin, HttpMethod.Get, $"/handovers/outgoing?caseId={scene.CaseId}")).Content.ReadFromJsonAsync<JsonArray>())!;
        outgoing.Select(t => (string?)t!["status"]).Should().BeEquivalentTo(["revoked", "declined"]);
        var afterwards = await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver);
        ((string?)afterwards["status"]).Should().Be("requested", "an erased case is as unknown as a missing one: it is never offered");
        service.Time.Advance(TimeSpan.FromMinutes(16));
        await service.StatusAsync((string)afterwards["id"]!, "Declined");
        ((string?)(await service.ReadAsync(scene.Origin, (string)afterwards["id"]!))["declineReason"]).Should().Be("case-not-found");
    }
}

/// <summary>The SLA timers; this class moves the service's clock, so it has a service of its own.</summary>
public sealed class SlaTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task AnOfferUnansweredPastItsDeadline_IsEscalated_AndAnnounced()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverEscalated));
        var scene = await Scene.SetUpAsync(service);
        var ticket = await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver);
        var id = (string)ticket["id"]!;
        var due = DateTimeOffset.Parse((string)ticket["answerDueAt"]!, System.Globalization.CultureInfo.InvariantCulture);

        service.Time.Advance(due - service.Time.GetUtcNow() + TimeSpan.FromMinutes(1));

        await service.StatusAsync(id, "Escalated");
        var escalated = await tap.WaitForAsync<HandoverEscalated>(m => (string?)m["handoverId"] == id);
        escalated["version"]!.GetValue<long>().Should().Be(3);
        var read = await service.ReadAsync(scene.Receiver, id);
        ((string?)read["timeline"]!.AsArray().Last()!["actor"]).Should().Be("system");
        // A late answer is still welcome.
        (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/accept")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnAcceptedHandoverWithoutFirstContactLongAfterArrival_IsFlaggedForFollowUp()
    {
        var scene = await Scene.SetUpAsync(service);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        var accepted = await (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/accept")).Content.ReadFromJsonAsync<JsonObject>();
        var followUp = DateTimeOffset.Parse((string)accepted!["followUpDueAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        followUp.Should().Be(new DateTimeOffset(TestDates.Arrival.AddDays(30).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), "30 days after the planned arrival");
        accepted["followUpDue"]!.GetValue<bool>().Should().BeFalse();

        service.Time.Advance(followUp - service.Time.GetUtcNow() + TimeSpan.FromMinutes(1));

        var flagged = await Eventually.Until(() => service.ReadAsync(scene.Origin, id), t => t["followUpDue"]!.GetValue<bool>(), "the follow-up flag");
        ((string?)flagged["status"]).Should().Be("accepted");
        ((string?)flagged["timeline"]!.AsArray().Last()!["action"]).Should().Be("follow-up-due");
    }

    [Fact]
    public async Task AnEscalatedHandover_IsReassignedByACoordinator_OnlyToAReceiverTheConsentNames()
    {
        var scene = await Scene.SetUpAsync(service);
        var named = await service.OrganisationAsync("receiving-service");
        var unnamed = await service.OrganisationAsync("receiving-service");
        var coordinator = await service.OrganisationAsync("coordinator");
        await service.ConsentAsync(scene.CaseId, scene.Origin, named);
        var ticket = await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver);
        var id = (string)ticket["id"]!;
        service.Time.Advance(DateTimeOffset.Parse((string)ticket["answerDueAt"]!, System.Globalization.CultureInfo.InvariantCulture) - service.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        await service.StatusAsync(id, "Escalated");

        (await service.SendAsync(scene.Origin, HttpMethod.Post, $"/admin/handovers/{id}/reassign", new { receiverOrganisationId = named.Id }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var refused = await service.SendAsync(coordinator, HttpMethod.Post, $"/admin/handovers/{id}/reassign", new { receiverOrganisationId = unnamed.Id });
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        ((string?)(await refused.ReadProblemAsync())["detail"]).Should().Contain("consent");
        var reassigned = await service.SendAsync(coordinator, HttpMethod.Post, $"/admin/handovers/{id}/reassign", new { receiverOrganisationId = named.Id });

        reassigned.StatusCode.Should().Be(HttpStatusCode.OK);
        var now = await service.ReadAsync(named, id);
        ((string?)now["status"]).Should().Be("offered");
        ((Guid)now["receiverOrganisationId"]!).Should().Be(named.Id);
        (await service.SendAsync(scene.Receiver, HttpMethod.Get, $"/handovers/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the previous receiver is no longer party");
        (await service.SendAsync(named, HttpMethod.Post, $"/handovers/{id}/accept")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
