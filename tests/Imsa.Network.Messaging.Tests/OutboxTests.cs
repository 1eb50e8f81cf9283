using Imsa.Network.Messaging.Outbox;
using Imsa.Network.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Messaging.Tests;

public sealed class OutboxTests : BackboneTestBase
{
    [Fact]
    public async Task StateChangeAndEvent_CommitTogether_OrNotAtAll()
    {
        await using var service = await Backbone.StartAsync(Database, VirtualHost);
        var committedWidget = Guid.NewGuid();
        var committed = await service.CreateWidgetAsync(id: committedWidget);

        // A transaction that wrote the widget and its event, then rolled back.
        var rolledBackWidget = Guid.NewGuid();
        await using (var scope = service.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Widgets.Add(new Widget { Id = rolledBackWidget, Number = 2 });
            db.AddEvent(new WidgetCreated(rolledBackWidget, 2));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        // A SaveChanges that fails on a constraint (the widget exists): its event must not be written either.
        var failing = () => service.CreateWidgetAsync(number: 3, id: committedWidget);
        await failing.Should().ThrowAsync<DbUpdateException>();

        var later = await service.CreateWidgetAsync(number: 4);
        await WaitForEffect(committed);
        await WaitForEffect(later);

        (await Effects()).Should().Be(2, "only the two committed events were published");
        (await Database.CountAsync($"SELECT count(*) FROM effects WHERE \"WidgetId\" = '{rolledBackWidget}'")).Should().Be(0);
        (await Database.CountAsync("SELECT count(*) FROM widgets")).Should().Be(2);
        service.Deliveries.Total.Should().Be(2);
        (await PendingOutbox()).Should().Be(0);
    }

    [Fact]
    public async Task CrashBetweenCommitAndPublish_NextInstancePublishesExactlyOnce()
    {
        Guid messageId;
        await using (var crashed = await Backbone.StartAsync(Database, VirtualHost, relay: false, consumer: false))
        {
            messageId = await crashed.CreateWidgetAsync();
        }

        (await PendingOutbox()).Should().Be(1, "the process stopped before its relay ran");

        await using var restarted = await Backbone.StartAsync(Database, VirtualHost);
        await WaitForEffect(messageId);
        (await PendingOutbox()).Should().Be(0);

        // Everything published after it has arrived, so a second copy of it would have too.
        var after = await restarted.CreateWidgetAsync();
        await WaitForEffect(after);
        restarted.Deliveries.Of(messageId).Should().Be(1);
        (await EffectsOf(messageId)).Should().Be(1);
    }

    [Fact]
    public async Task CrashAfterPublishBeforeDelete_RepublishedCopyIsSkippedByTheInbox()
    {
        await using var consumer = await Backbone.StartAsync(Database, VirtualHost, relay: false);
        var messageId = await consumer.CreateWidgetAsync();

        // The relay published the row and died before deleting it: the broker has a copy, the row is still there.
        await PublishDirectly(consumer, messageId, new WidgetCreated(Guid.NewGuid(), 1));
        await Eventually.Until(() => Task.FromResult(consumer.Deliveries.Of(messageId)), n => n == 1, "the first copy");

        await using var relay = await Backbone.StartAsync(Database, VirtualHost, consumer: false);
        await Eventually.UntilCount(PendingOutbox, 0, "the relay to publish the row again");
        await Eventually.Until(() => Task.FromResult(consumer.Deliveries.Of(messageId)), n => n == 2, "the second copy");

        (await EffectsOf(messageId)).Should().Be(1, "the inbox recognised the second copy by its MessageId");
        (await Database.CountAsync($"SELECT count(*) FROM messaging.inbox_messages WHERE message_id = '{messageId}'")).Should().Be(1);
    }

    [Fact]
    public async Task Relay_IsWokenByTheCommit_NotByPolling()
    {
        await using var service = await Backbone.StartAsync(
            Database, VirtualHost, settings: new Dictionary<string, string?> { ["Messaging:Outbox:PollInterval"] = "01:00:00" });

        var messageId = await service.CreateWidgetAsync();

        await Eventually.UntilCount(() => EffectsOf(messageId), 1, "the effect without a poll", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task TwoRelaysOnOneDatabase_PublishEveryEventOnce()
    {
        var fastPolling = new Dictionary<string, string?> { ["Messaging:Outbox:PollInterval"] = "00:00:00.020", ["Messaging:Outbox:BatchSize"] = "20" };
        await using var first = await Backbone.StartAsync(Database, VirtualHost, settings: fastPolling);
        await using var second = await Backbone.StartAsync(Database, VirtualHost, settings: fastPolling);

        const int perInstance = 300;
        var writes = new[] { first, second }.Select(async instance =>
        {
            for (var i = 0; i < perInstance; i++)
            {
                await instance.CreateWidgetAsync();
            }
        });
        await Task.WhenAll(writes);

        await Eventually.UntilCount(Effects, 2 * perInstance, "every event's effect");
        await Eventually.UntilCount(PendingOutbox, 0, "an empty outbox");
        (await Database.CountAsync("SELECT count(DISTINCT \"MessageId\") FROM effects")).Should().Be(2 * perInstance);
        (first.Deliveries.Total + second.Deliveries.Total).Should().Be(2 * perInstance, "no event was published twice");
    }

    [Fact]
    public async Task UnpublishableRow_IsQuarantined_WithoutBlockingTheOthers_AndCanBeRetried()
    {
        await using var service = await Backbone.StartAsync(Database, VirtualHost);
        // A row whose type no longer exists (say, removed by a deployment) sits at the head of the outbox.
        var stuckWidget = Guid.NewGuid();
        var stuck = Guid.NewGuid();
        await Database.ExecuteAsync(
            "INSERT INTO messaging.outbox_messages (id, message_type, body, created_at, attempts) VALUES ($1, 'Gone.WidgetCreated, Gone', $2::jsonb, now(), 0)",
            stuck,
            $$"""{"widgetId":"{{stuckWidget}}","number":1}""");

        var behind = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            behind.Add(await service.CreateWidgetAsync());
        }

        foreach (var messageId in behind)
        {
            await WaitForEffect(messageId);
        }

        await using var scope = service.Services.CreateAsyncScope();
        var quarantine = new OutboxQuarantine(scope.ServiceProvider.GetRequiredService<TestDbContext>(), scope.ServiceProvider.GetRequiredService<OutboxSignal>());
        var listed = (await quarantine.ListAsync()).Should().ContainSingle().Subject;
        listed.MessageId.Should().Be(stuck);
        listed.LastError.Should().Contain("Unknown message type");

        // The operator fixes the cause (here: the type name) and retries it.
        await Database.ExecuteAsync(
            "UPDATE messaging.outbox_messages SET message_type = $1 WHERE id = $2",
            typeof(WidgetCreated).FullName + ", " + typeof(WidgetCreated).Assembly.GetName().Name,
            stuck);
        (await quarantine.RetryAsync(stuck)).Should().BeTrue();

        await WaitForEffect(stuck);
        (await quarantine.ListAsync()).Should().BeEmpty();
        (await quarantine.RetryAsync(Guid.NewGuid())).Should().BeFalse("an unknown id is not quarantined");
    }

    [Fact]
    public async Task QuarantinedRow_CanBeDiscarded()
    {
        await using var service = await Backbone.StartAsync(Database, VirtualHost);
        var unreadable = Guid.NewGuid();
        await Database.ExecuteAsync(
            "INSERT INTO messaging.outbox_messages (id, message_type, body, created_at, attempts) VALUES ($1, $2, '[1]'::jsonb, now(), 0)",
            unreadable,
            typeof(WidgetCreated).FullName + ", " + typeof(WidgetCreated).Assembly.GetName().Name);
        await Eventually.UntilCount(
            () => Database.CountAsync("SELECT count(*) FROM messaging.outbox_messages WHERE quarantined_at IS NOT NULL"), 1, "the quarantine");

        await using var scope = service.Services.CreateAsyncScope();
        var quarantine = new OutboxQuarantine(scope.ServiceProvider.GetRequiredService<TestDbContext>(), scope.ServiceProvider.GetRequiredService<OutboxSignal>());
        (await quarantine.ListAsync()).Single().LastError.Should().Contain("The body is not a WidgetCreated");
        (await quarantine.DiscardAsync(unreadable)).Should().BeTrue();

        (await PendingOutbox()).Should().Be(0);
        (await quarantine.DiscardAsync(unreadable)).Should().BeFalse();
    }
}
