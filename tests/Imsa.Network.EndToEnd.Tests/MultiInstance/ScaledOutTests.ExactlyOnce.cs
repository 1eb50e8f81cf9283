using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.EndToEnd.Tests.MultiInstance;

/// <summary>
/// Two instances of every service compete for the same queues, outbox rows, SLA timers and webhook deliveries: each
/// effect still happens once.
/// </summary>
public sealed partial class ScaledOutTests
{
    [Fact]
    public Task Journeys_WithTwoInstancesOfEachServiceConsuming_ApplyEveryEventsEffectOnce() => _network.ExplainAsync(async () =>
    {
        var (partner, receiver) = await Journeys.PartiesAsync(_network, "Once");

        await using var load = JourneyLoad.Start(_network, partner, receiver, workers: 4);
        await load.UntilCompletedAsync(16);
        await load.StopAsync();

        load.Failures.Should().BeEmpty();
        var journeys = load.Completed.ToList();
        await Journeys.ShouldBeCompleteOnceAsync(_network, partner, receiver, journeys, TimeSpan.FromSeconds(30));
        // Each instance took part: both consumed (the inbox rows name no instance, but each relay and consumer is
        // busy only if its process is), both answered the journeys' requests.
        foreach (var service in InstanceNetwork.ServiceNames)
        {
            _network.Instances(service).Should().OnlyContain(instance => instance.Running, $"both {service} instances still run");
        }
    });

    [Fact]
    public Task AnOfferLeftUnanswered_IsEscalatedOnce_ThoughBothInstancesRunTheSlaJob() => _network.ExplainAsync(async () =>
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var (partner, receiver) = await Journeys.PartiesAsync(_network, "Escalation");
        (await receiver.SendAsync(_network.Partners, HttpMethod.Post, $"/organisations/{receiver.Id}/webhooks",
            new { url = hook.Url.ToString(), eventTypes = new[] { "handover.escalated", "handover.accepted" } })).StatusCode.Should().Be(HttpStatusCode.Created);

        // Handovers:Sla:AnswerWorkingDays is 0: the offer is due at once, and every instance's SLA job looks every 500 ms.
        var (_, handoverId, _) = await Journeys.RequestedAsync(_network, partner, receiver);
        await Eventually.Until(() => Journeys.StatusAsync(_network.Handovers, partner, handoverId), s => s == "escalated", "the offer to be escalated");
        await Eventually.Until(
            () => Task.FromResult(hook.Requests.Count(r => r.Body.Contains("handover.escalated", StringComparison.Ordinal))), n => n >= 1, "the escalation's webhook");

        // Both instances' SLA jobs pass over the escalated ticket many times meanwhile (not a wait for an event: the time
        // in which a second escalation would show).
        await Task.Delay(TimeSpan.FromSeconds(2));
        // Answered after all: a later event, delivered through the same subscription, so the escalation had its chance to come twice.
        (await receiver.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{handoverId}/accept")).StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.Until(
            () => Task.FromResult(hook.Requests.Count(r => r.Body.Contains("handover.accepted", StringComparison.Ordinal))), n => n >= 1, "the acceptance's webhook");

        (await _network.HandoversDatabase.CountAsync($"SELECT count(*) FROM handover_timeline WHERE ticket_id = '{handoverId}' AND action = 'escalated'"))
            .Should().Be(1, "one escalation on the timeline");
        (await _network.PartnersDatabase.CountAsync(
            $"SELECT count(*) FROM webhook_deliveries WHERE event_type = 'handover.escalated' AND payload -> 'data' ->> 'handoverId' = '{handoverId}'"))
            .Should().Be(1, "one escalation event reached Partners' webhooks");
        hook.Requests.Where(r => r.Body.Contains("handover.escalated", StringComparison.Ordinal)).Should().ContainSingle("one escalation webhook delivered");
        var onTheCase = await Eventually.Until(
            () => _network.CounsellingDatabase.CountAsync($"SELECT count(*) FROM case_handovers WHERE handover_id = '{handoverId}' AND status = 'accepted'"),
            n => n == 1,
            "the acceptance on the partner's case");
        onTheCase.Should().Be(1);
    });

    [Fact]
    public Task EveryWebhookEvent_IsDeliveredOnce_ByTwoPartnersInstances() => _network.ExplainAsync(async () =>
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var (partner, receiver) = await Journeys.PartiesAsync(_network, "Webhooks");
        var created = await receiver.SendAsync(_network.Partners, HttpMethod.Post, $"/organisations/{receiver.Id}/webhooks", new { url = hook.Url.ToString() });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var subscription = (Guid)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        await using var load = JourneyLoad.Start(_network, partner, receiver, workers: 3);
        await load.UntilCompletedAsync(8);
        await load.StopAsync();
        load.Failures.Should().BeEmpty();
        var journeys = load.Completed.ToList();

        // Every journey ends with its first contact recorded: once each is delivered, all are created (the consumer
        // creates a journey's deliveries in the order of its events per instance, but not across instances: wait for all).
        await Eventually.Until(
            () => Task.FromResult(hook.Requests.Count(r => r.Body.Contains("handover.outcome-recorded", StringComparison.Ordinal))),
            n => n >= journeys.Count,
            "every journey's first contact delivered");
        await Eventually.UntilCount(
            () => _network.PartnersDatabase.CountAsync($"SELECT count(*) FROM webhook_deliveries WHERE subscription_id = '{subscription}' AND status <> 'Delivered'"),
            0,
            "every delivery delivered");
        var deliveries = await _network.PartnersDatabase.CountAsync($"SELECT count(*) FROM webhook_deliveries WHERE subscription_id = '{subscription}'");
        await Eventually.Until(() => Task.FromResult(hook.Requests.Count), n => n >= deliveries, "the last answers recorded");

        var received = hook.Requests.ToList();
        received.GroupBy(r => r.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key} ×{g.Count()}")
            .Should().BeEmpty("each event is delivered once, by one of the two dispatchers");
        received.Should().HaveCount((int)deliveries, "one request per delivery");
        foreach (var step in new[] { "handover.offered", "handover.accepted", "handover.outcome-recorded" })
        {
            var ofStep = received.Select(r => JsonNode.Parse(r.Body)!).Where(b => (string?)b["type"] == step).Select(b => (Guid)b["data"]!["handoverId"]!).ToList();
            ofStep.Should().BeEquivalentTo(journeys.Select(j => j.HandoverId), $"one {step} per journey");
        }
    });
}
