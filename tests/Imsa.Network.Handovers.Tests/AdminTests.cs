using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Contracts.Handovers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Handovers.Tests;

/// <summary>What coordinators repair: dead letters, the outbox quarantine, escalated handovers; every action audited.</summary>
public sealed class AdminTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task APoisonMessage_IsListed_AndAfterTheCauseIsFixed_ReplayedSuccessfully()
    {
        var coordinator = await service.OrganisationAsync("coordinator");
        var owner = await service.OrganisationAsync("origin-partner");
        var caseId = Guid.NewGuid();
        var messageId = Guid.NewGuid();

        // The cause: the projection's table is gone (a botched manual change), so every attempt fails.
        await service.Database.ExecuteAsync("ALTER TABLE case_owners RENAME TO case_owners_away");
        await service.PublishAsync(new CaseOpened(caseId, owner.Id, "study", null, null, null, DateTimeOffset.UtcNow), messageId);
        var listed = await Eventually.Until(
            async () => (await (await service.SendAsync(coordinator, HttpMethod.Get, "/admin/dead-letters")).Content.ReadFromJsonAsync<JsonArray>())!,
            queues => queues.Any(q => q!["messages"]!.AsArray().Any(m => (Guid?)m!["messageId"] == messageId)),
            "the poison message among the dead letters");
        var queue = listed.Single(q => q!["messages"]!.AsArray().Any(m => (Guid?)m!["messageId"] == messageId))!;
        var letter = queue["messages"]!.AsArray().Single(m => (Guid?)m!["messageId"] == messageId)!;
        ((string?)letter["messageType"]).Should().Be("CaseOpened");
        ((string?)letter["exceptionType"]).Should().Contain("PostgresException");
        var queueName = (string)queue["queue"]!;
        queueName.Should().Be("handovers-case-events");

        (await service.SendAsync(coordinator, HttpMethod.Post, $"/admin/dead-letters/{queueName}/{Guid.NewGuid()}/replay")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await service.SendAsync(coordinator, HttpMethod.Post, $"/admin/dead-letters/no-such-queue/replay")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await service.Database.ExecuteAsync("ALTER TABLE case_owners_away RENAME TO case_owners");
        var replayed = await service.SendAsync(coordinator, HttpMethod.Post, $"/admin/dead-letters/{queueName}/{messageId}/replay?reason=table%20restored");

        replayed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await replayed.Content.ReadFromJsonAsync<JsonObject>())!["count"]!.GetValue<int>().Should().Be(1);
        await Eventually.UntilCount(() => service.Database.CountAsync($"SELECT count(*) FROM case_owners WHERE case_id = '{caseId}'"), 1, "the replayed message to be consumed");
        (await service.Database.CountAsync($"SELECT count(*) FROM messaging.inbox_messages WHERE message_id = '{messageId}'")).Should().Be(1, "the replay keeps the message id");
        var audit = (await (await service.SendAsync(coordinator, HttpMethod.Get, "/admin/audit")).Content.ReadFromJsonAsync<JsonArray>())!;
        var entry = audit.First(e => (string?)e!["action"] == "dead-letter.replay")!;
        ((string?)entry["target"]).Should().Be($"{queueName}/{messageId}");
        ((string?)entry["reason"]).Should().Be("table restored");
        ((Guid)entry["organisationId"]!).Should().Be(coordinator.Id);
    }

    [Fact]
    public async Task AMessageTheBrokerDeadLetteredAtItsDeliveryLimit_IsListedWithoutAnExceptionType_AndReplayed()
    {
        var coordinator = await service.OrganisationAsync("coordinator");
        var owner = await service.OrganisationAsync("origin-partner");
        var caseId = Guid.NewGuid();
        var messageId = Guid.NewGuid();

        // What RabbitMQ moves to _error when a message went back to its queue more often than the delivery limit
        // (ADR 0018, QuorumQueueTests): the message as it was, with the broker's death headers and no MT-Fault ones.
        var deadLetters = await service.Factory.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("exchange:handovers-case-events_error"));
        await deadLetters.Send(new CaseOpened(caseId, owner.Id, "study", null, null, null, DateTimeOffset.UtcNow), context =>
        {
            context.MessageId = messageId;
            context.Headers.Set("x-first-death-reason", "delivery_limit");
            context.Headers.Set("x-first-death-queue", "handovers-case-events");
        });
        var listed = await Eventually.Until(
            async () => (await (await service.SendAsync(coordinator, HttpMethod.Get, "/admin/dead-letters")).Content.ReadFromJsonAsync<JsonArray>())!,
            queues => queues.Any(q => q!["messages"]!.AsArray().Any(m => (Guid?)m!["messageId"] == messageId)),
            "the dead letter among the dead letters");
        var letter = listed.SelectMany(q => q!["messages"]!.AsArray()).Single(m => (Guid?)m!["messageId"] == messageId)!;
        ((string?)letter["messageType"]).Should().Be("CaseOpened");
        ((string?)letter["exceptionType"]).Should().BeNull("the broker, not a consumer, dead-lettered it");
        ((bool?)letter["passing"]).Should().BeFalse("nothing says it failed for a passing reason: it is replayed by hand, not in bulk");

        var replayed = await service.SendAsync(coordinator, HttpMethod.Post, $"/admin/dead-letters/handovers-case-events/{messageId}/replay?reason=consumer%20fixed");

        replayed.StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.UntilCount(() => service.Database.CountAsync($"SELECT count(*) FROM case_owners WHERE case_id = '{caseId}'"), 1, "the replayed message to be consumed");
    }

    [Fact]
    public async Task InboxRows_AreKeptForTheRetention_ThenRemoved()
    {
        var (old, fresh) = (Guid.NewGuid(), Guid.NewGuid());
        await service.Database.ExecuteAsync(
            "INSERT INTO messaging.inbox_messages (message_id, consumer, processed_at) VALUES ($1, 'Test', now() - interval '31 days'), ($2, 'Test', now() - interval '29 days')",
            old, fresh);

        await Eventually.UntilCount(() => service.Database.CountAsync($"SELECT count(*) FROM messaging.inbox_messages WHERE message_id = '{old}'"), 0, "the old row to go");

        (await service.Database.CountAsync($"SELECT count(*) FROM messaging.inbox_messages WHERE message_id = '{fresh}'")).Should().Be(1);
    }

    [Fact]
    public async Task AQuarantinedEvent_IsListed_AndRetried_OrAnUnknownOneIs404()
    {
        var coordinator = await service.OrganisationAsync("coordinator");
        var messageId = Guid.NewGuid();
        var body = JsonSerializer.Serialize(
            new HandoverEscalated(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 3, DateTimeOffset.UtcNow),
            JsonSerializerOptions.Web);
        await service.Database.ExecuteAsync(
            "INSERT INTO messaging.outbox_messages (id, message_type, body, created_at, attempts, last_error, quarantined_at) "
            + "VALUES ($1, $2, $3::jsonb, now(), 8, 'BrokerUnreachable', now())",
            messageId, $"{typeof(HandoverEscalated).FullName}, {typeof(HandoverEscalated).Assembly.GetName().Name}", body);
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverEscalated));

        var quarantine = (await (await service.SendAsync(coordinator, HttpMethod.Get, "/admin/outbox/quarantine")).Content.ReadFromJsonAsync<JsonArray>())!;
        quarantine.Select(m => (Guid?)m!["messageId"]).Should().Contain(messageId);
        (await service.SendAsync(coordinator, HttpMethod.Post, $"/admin/outbox/quarantine/{Guid.NewGuid()}/retry")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await service.SendAsync(coordinator, HttpMethod.Post, $"/admin/outbox/quarantine/{messageId}/retry")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await Eventually.UntilCount(() => service.Database.CountAsync($"SELECT count(*) FROM messaging.outbox_messages WHERE id = '{messageId}'"), 0, "the retried event to be published");
        await tap.WaitForAsync<HandoverEscalated>();
        tap.Received.Should().ContainSingle(r => r.Body.Contains(messageId.ToString(), StringComparison.Ordinal));
    }
}

/// <summary>Escalated and stale handovers for coordinators; this class moves the clock.</summary>
public sealed class AdminHandoverListTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task EscalatedAndStaleHandovers_AreListedForCoordinators_WithoutTheMessage()
    {
        var coordinator = await service.OrganisationAsync("coordinator");
        var scene = await Scene.SetUpAsync(service);
        var unanswered = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        var other = await service.OrganisationAsync("receiving-service");
        await service.ConsentAsync(scene.CaseId, scene.Origin, other);
        var accepted = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, other))["id"]!;
        (await service.SendAsync(other, HttpMethod.Post, $"/handovers/{accepted}/accept")).EnsureSuccessStatusCode();

        service.Time.Advance(TimeSpan.FromDays(200));

        var escalated = await Eventually.Until(
            async () => (await (await service.SendAsync(coordinator, HttpMethod.Get, "/admin/handovers/escalated")).Content.ReadFromJsonAsync<JsonArray>())!,
            list => list.Any(h => (string?)h!["id"] == unanswered),
            "the unanswered offer among the escalated");
        escalated.ToJsonString().Should().NotContain("apprenticeship", "coordinators never see the message");
        var stale = (await (await service.SendAsync(coordinator, HttpMethod.Get, "/admin/handovers/stale")).Content.ReadFromJsonAsync<JsonObject>())!;
        stale["withoutFirstContact"]!.AsArray().Select(h => (string?)h!["id"]).Should().Contain(accepted);
        (await service.SendAsync(scene.Origin, HttpMethod.Get, "/admin/handovers/escalated")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }
}
