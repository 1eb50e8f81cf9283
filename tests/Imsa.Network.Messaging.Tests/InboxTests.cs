namespace Imsa.Network.Messaging.Tests;

public sealed class InboxTests : BackboneTestBase
{
    [Fact]
    public async Task SameMessageDeliveredThreeTimes_HasOneEffect()
    {
        await using var service = await Backbone.StartAsync(Database, VirtualHost);
        var messageId = Guid.NewGuid();
        var message = new WidgetCreated(Guid.NewGuid(), 1);

        // Published concurrently, the copies may be consumed at the same time: the inbox key serialises them.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PublishDirectly(service, messageId, message)));

        await Eventually.Until(() => Task.FromResult(service.Deliveries.Of(messageId)), n => n == 3, "three deliveries");
        (await EffectsOf(messageId)).Should().Be(1);
        (await Database.CountAsync($"SELECT count(*) FROM messaging.inbox_messages WHERE message_id = '{messageId}'")).Should().Be(1);
    }

    [Fact]
    public async Task PoisonMessage_EndsInTheErrorQueue_AndDoesNotStopTheOthers()
    {
        await using var service = await Backbone.StartAsync(Database, VirtualHost);
        var poison = await service.CreateWidgetAsync(number: -1);
        var healthy = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            healthy.Add(await service.CreateWidgetAsync());
        }

        foreach (var messageId in healthy)
        {
            await WaitForEffect(messageId);
        }

        await Eventually.Until(
            () => VirtualHost.MessageCountAsync(Backbone.ConsumerQueue + "_error"), n => n == 1, "the poison message in the _error queue");

        // An operator reading the _error queue finds the message under its MessageId, with the reason.
        await using var connection = await VirtualHost.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var dead = await channel.BasicGetAsync(Backbone.ConsumerQueue + "_error", autoAck: false);
        dead.Should().NotBeNull();
        dead!.BasicProperties.MessageId.Should().Be(poison.ToString());
        System.Text.Encoding.UTF8.GetString((byte[])dead.BasicProperties.Headers!["MT-Fault-ExceptionType"]!)
            .Should().Be(typeof(InvalidOperationException).FullName);
        (await EffectsOf(poison)).Should().Be(0, "its effect rolled back with the inbox row");
        (await Database.CountAsync($"SELECT count(*) FROM messaging.inbox_messages WHERE message_id = '{poison}'")).Should().Be(0);
    }
}
