using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Imsa.Network.Messaging.Tests;

/// <summary>Receive queues are quorum queues with a delivery limit; their dead letters land in the _error queue (ADR 0018).</summary>
public sealed class QuorumQueueTests : BackboneTestBase
{
    private const string ErrorQueue = Backbone.ConsumerQueue + "_error";

    [Fact]
    public async Task StartedService_DeclaresEveryDurableQueueAsQuorum_TheReceiveQueueWithItsLimitAndDeadLetterTarget()
    {
        await using (var service = await Backbone.StartAsync(Database, VirtualHost))
        {
            // A fault and a message of a type nobody on the queue consumes: MassTransit declares _error and _skipped too.
            await service.CreateWidgetAsync(number: -1);
            await PublishRawAsync(Backbone.ConsumerQueue, """{"messageType":["urn:message:Elsewhere:SomethingElse"],"message":{}}""");
            await Eventually.Until(() => VirtualHost.MessageCountAsync(ErrorQueue), n => n >= 1, "the poison message in _error");
            await Eventually.Until(() => VirtualHost.MessageCountAsync(Backbone.ConsumerQueue + "_skipped"), n => n == 1, "the unknown message in _skipped");
        }

        var queues = (await VirtualHost.QueuesAsync()).Where(q => q.Durable).ToDictionary(q => q.Name);
        queues.Keys.Should().BeEquivalentTo(Backbone.ConsumerQueue, ErrorQueue, Backbone.ConsumerQueue + "_skipped");
        queues.Values.Should().OnlyContain(q => q.Type == "quorum" && q.Argument("x-queue-type") == "quorum");

        var receive = queues[Backbone.ConsumerQueue];
        receive.Argument("x-delivery-limit").Should().Be("20");
        receive.Argument("x-dead-letter-exchange").Should().Be(ErrorQueue);
        receive.Argument("x-dead-letter-strategy").Should().Be("at-least-once");
        // A dead letter stays until an operator replays or discards it: listing one (a get without acknowledging)
        // must not count towards a limit that would drop it.
        foreach (var deadLetters in new[] { ErrorQueue, Backbone.ConsumerQueue + "_skipped" })
        {
            queues[deadLetters].Arguments.Keys.Should().BeEquivalentTo(["x-queue-type"], $"{deadLetters} has no limit and no target");
        }
    }

    [Fact]
    public async Task SettingOff_DeclaresClassicQueuesWithoutArguments()
    {
        await using (var service = await Backbone.StartAsync(Database, VirtualHost, settings: new Dictionary<string, string?> { ["Messaging:QuorumQueues"] = "false" }))
        {
            await service.CreateWidgetAsync(number: -1);
            await Eventually.Until(() => VirtualHost.MessageCountAsync(ErrorQueue), n => n == 1, "the poison message in _error");
        }

        var queues = (await VirtualHost.QueuesAsync()).Where(q => q.Durable).ToList();
        queues.Select(q => q.Name).Should().BeEquivalentTo(Backbone.ConsumerQueue, ErrorQueue);
        queues.Should().OnlyContain(q => q.Type == "classic" && q.Arguments.Count == 0);
    }

    [Fact]
    public async Task MessageWhoseConsumerDiesEachTime_IsDeadLetteredToTheErrorQueue_AfterTheDeliveryLimit()
    {
        // The service declares its queue (limit 2) and goes away; what consumes next dies with the message in hand
        // each time: its connection drops without an acknowledgement, as when a process is killed.
        var settings = new Dictionary<string, string?> { ["Messaging:DeliveryLimit"] = "2" };
        await (await Backbone.StartAsync(Database, VirtualHost, settings: settings)).DisposeAsync();
        var messageId = Guid.NewGuid().ToString();
        await PublishRawAsync(Backbone.ConsumerQueue, "{}", messageId);

        var deliveryCounts = new List<long>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            deliveryCounts.Add(await ReceiveAndDieAsync(Backbone.ConsumerQueue));
        }

        // Returned twice (counted 1 and 2); the third return is one too many: the broker moves it to _error.
        deliveryCounts.Should().Equal(0, 1, 2);
        await Eventually.Until(() => VirtualHost.MessageCountAsync(ErrorQueue), n => n == 1, "the message in _error");
        (await VirtualHost.MessageCountAsync(Backbone.ConsumerQueue)).Should().Be(0);

        await using var connection = await VirtualHost.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var dead = await channel.BasicGetAsync(ErrorQueue, autoAck: false);
        dead!.BasicProperties.MessageId.Should().Be(messageId, "the dead-letter operations find it under its message id");
        var death = (List<object>)dead.BasicProperties.Headers!["x-death"]!;
        var first = (Dictionary<string, object?>)death[0];
        Encoding.UTF8.GetString((byte[])first["reason"]!).Should().Be("delivery_limit");
        Encoding.UTF8.GetString((byte[])first["queue"]!).Should().Be(Backbone.ConsumerQueue);
    }

    [Fact]
    public async Task ServiceStartedAgain_AfterItsMessageWasDeadLettered_FindsItsQueuesAsItLeftThem()
    {
        // A second start declares the same arguments: nothing inequivalent (PRECONDITION_FAILED) between two starts.
        await (await Backbone.StartAsync(Database, VirtualHost)).DisposeAsync();
        await using var service = await Backbone.StartAsync(Database, VirtualHost);
        await WaitForEffect(await service.CreateWidgetAsync());
    }

    private async Task PublishRawAsync(string exchange, string body, string? messageId = null)
    {
        await using var connection = await VirtualHost.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.BasicPublishAsync(exchange, string.Empty, mandatory: true,
            new BasicProperties { MessageId = messageId ?? Guid.NewGuid().ToString(), Persistent = true, ContentType = "application/vnd.masstransit+json" },
            Encoding.UTF8.GetBytes(body));
    }

    /// <summary>Takes the next message of <paramref name="queue"/> and drops the connection unacknowledged; returns the delivery count the broker gave it.</summary>
    private async Task<long> ReceiveAndDieAsync(string queue)
    {
        var connection = await VirtualHost.ConnectAsync();
        var channel = await connection.CreateChannelAsync();
        var received = new TaskCompletionSource<BasicDeliverEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            received.TrySetResult(delivery);
            return Task.CompletedTask;
        };
        await channel.BasicQosAsync(0, 1, false);
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var count = message.BasicProperties.Headers?.TryGetValue("x-delivery-count", out var value) == true ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        await connection.AbortAsync();
        connection.Dispose();
        return count;
    }
}
