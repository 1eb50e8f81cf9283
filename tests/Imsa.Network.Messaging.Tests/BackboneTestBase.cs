using Imsa.Network.Messaging.Outbox;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Messaging.Tests;

/// <summary>Each test gets a database and a virtual host of its own, removed afterwards.</summary>
public abstract class BackboneTestBase : IAsyncLifetime
{
    protected PostgresDatabase Database { get; private set; } = null!;

    protected RabbitMqVirtualHost VirtualHost { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync("messaging");
        VirtualHost = await RabbitMqVirtualHost.CreateAsync("messaging");
    }

    public async Task DisposeAsync()
    {
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }

    protected Task<long> EffectsOf(Guid messageId) =>
        Database.CountAsync($"SELECT count(*) FROM effects WHERE \"MessageId\" = '{messageId}'");

    protected Task<long> Effects() => Database.CountAsync("SELECT count(*) FROM effects");

    protected Task<long> PendingOutbox() => Database.CountAsync("SELECT count(*) FROM messaging.outbox_messages");

    protected Task WaitForEffect(Guid messageId) =>
        Eventually.UntilCount(() => EffectsOf(messageId), 1, $"the effect of {messageId}");

    /// <summary>Publishes a WidgetCreated with a given MessageId straight to the bus, as a relay would.</summary>
    protected static Task PublishDirectly(Backbone instance, Guid messageId, WidgetCreated message) =>
        instance.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId);
}
