namespace Imsa.Network.Messaging.Tests;

/// <summary>A consumer whose database goes away waits it out: nothing is dead-lettered, nothing applied twice.</summary>
public sealed class OutageTests : BackboneTestBase
{
    [Fact]
    public async Task DatabaseAwayLongerThanThePoisonRetries_MessagesWaitInTheQueue_ThenEachIsAppliedOnce_NoneDeadLettered()
    {
        await using var proxy = Database.Proxy();
        // The consumer reaches its database only through the proxy; four messages at most in its hands at a time.
        await using var consumer = await Backbone.StartAsync(Database, VirtualHost, relay: false, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:Database"] = Database.ConnectionStringVia(proxy),
            ["RabbitMq:PrefetchCount"] = "4",
            // Waiting in the consumer's hands is no delivery: the least limit dead-letters none of them.
            ["Messaging:DeliveryLimit"] = "1",
        });
        await WaitForEffect(await PublishAsync(consumer));

        proxy.Cut();
        var sent = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            sent.Add(await PublishAsync(consumer));
        }

        // Far longer than a failure of the message's own is retried (one retry, 20 ms): these pass, so they wait.
        // Meanwhile the endpoint takes no more than it can hold: the rest stay ready in the queue, none in _error.
        await Eventually.Until(() => VirtualHost.MessageCountAsync(Backbone.ConsumerQueue), n => n >= 16, "the queue to keep what the consumer cannot take");
        await Task.Delay(TimeSpan.FromSeconds(2)); // the outage lasts: not a wait for an event
        (await VirtualHost.MessageCountAsync(Backbone.ConsumerQueue)).Should().BeGreaterThanOrEqualTo(16);
        (await VirtualHost.MessageCountAsync(Backbone.ConsumerQueue + "_error") ?? 0).Should().Be(0, "no _error queue, or an empty one");

        proxy.Restore();
        foreach (var messageId in sent)
        {
            await WaitForEffect(messageId);
        }

        (await Effects()).Should().Be(21, "each message applied once");
        (await VirtualHost.MessageCountAsync(Backbone.ConsumerQueue + "_error") ?? 0).Should().Be(0, "no _error queue, or an empty one");
    }

    private static async Task<Guid> PublishAsync(Backbone instance)
    {
        var messageId = Guid.NewGuid();
        await PublishDirectly(instance, messageId, new WidgetCreated(Guid.NewGuid(), 1));
        return messageId;
    }
}
