using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// Each service runs as its own broker user (deploy/broker/permissions.tsv): enough for everything it does — the
/// network starts, consumes and publishes with them in every end-to-end test — and nothing more. Above all, nobody
/// but a service may publish to an exchange it owns, so no other service can forge a Handovers event that opens a
/// dossier: RabbitMQ itself refuses (ACCESS_REFUSED).
/// </summary>
public sealed class BrokerPermissionTests
{
    private const ushort AccessRefused = 403;

    private static readonly string[] Services = ["partners", "counselling", "handovers"];

    [Fact]
    public async Task EveryExchangeAServiceOwns_RefusesEveryOtherUsersPublish()
    {
        await using var network = await Network.StartAsync();
        var vhost = network.VirtualHost;
        // The event exchanges of every event type, declared by their owner (as its first publish would); the endpoint
        // exchanges the running services declared.
        var owned = new List<(string Exchange, string Owner, bool Endpoint)>();
        foreach (var service in Services)
        {
            var area = char.ToUpperInvariant(service[0]) + service[1..];
            await using var connection = await vhost.ConnectAsAsync(BrokerUsers.Service(service));
            await using var channel = await connection.CreateChannelAsync();
            foreach (var type in EventTypes(area))
            {
                var exchange = $"Imsa.Network.Contracts.{area}:{type.Name}";
                await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
                owned.Add((exchange, service, false));
            }
        }

        foreach (var exchange in await vhost.ExchangeNamesAsync())
        {
            if (Services.FirstOrDefault(s => exchange.StartsWith(s + "-", StringComparison.Ordinal)) is { } service)
            {
                owned.Add((exchange, service, true));
            }
        }

        owned.Select(o => o.Exchange).Should().Contain(
            ["Imsa.Network.Contracts.Handovers:HandoverAccepted", "Imsa.Network.Contracts.Handovers:IHandoverEvent", "counselling-handover-projection"],
            "the facts that open a dossier, and the queue that takes them in, are among what is checked");
        owned.Count(o => o.Endpoint).Should().BeGreaterThanOrEqualTo(12, "every service's receive endpoints are there");

        var refusals = new List<string>();
        foreach (var (exchange, owner, endpoint) in owned)
        {
            foreach (var user in BrokerUsers.Permissions.Select(p => p.User))
            {
                // The owner publishes there; its dead-letter user sends dead letters back through its endpoints.
                var allowed = user == BrokerUsers.Service(owner) || (endpoint && user == BrokerUsers.DeadLetters(owner));
                if (!allowed && !await RefusedAsync(vhost, user, exchange))
                {
                    refusals.Add($"{user} could publish to {exchange}");
                }
            }
        }

        refusals.Should().BeEmpty();
    }

    [Fact]
    public async Task AServicesOwnUser_MayPublishItsOwnEvents_SoTheRefusalsAboveAreTheBrokers()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync("permissions");
        // An event exchange no consumer is bound to: publishing there is harmless.
        const string probe = "Imsa.Network.Contracts.Handovers:PermissionProbe";
        await using (var connection = await vhost.ConnectAsAsync(BrokerUsers.Service("handovers")))
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.ExchangeDeclareAsync(probe, ExchangeType.Fanout, durable: false, autoDelete: false);
            await channel.BasicPublishAsync(probe, string.Empty, "probe"u8.ToArray());
        }

        (await RefusedAsync(vhost, BrokerUsers.Service("partners"), probe)).Should().BeTrue();
        (await RefusedAsync(vhost, BrokerUsers.Service("counselling"), probe)).Should().BeTrue();
        (await RefusedAsync(vhost, BrokerUsers.DeadLetters("handovers"), probe)).Should().BeTrue();
    }

    /// <summary>Publishes as <paramref name="user"/> and waits for the broker's confirm: true when the broker closed the channel with ACCESS_REFUSED.</summary>
    private static async Task<bool> RefusedAsync(RabbitMqVirtualHost vhost, string user, string exchange)
    {
        await using var connection = await vhost.ConnectAsAsync(user);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        try
        {
            await channel.BasicPublishAsync(exchange, string.Empty, "{}"u8.ToArray());
            return false;
        }
        catch (Exception ex) when (ex is OperationInterruptedException or AlreadyClosedException or PublishException)
        {
            return channel.CloseReason?.ReplyCode == AccessRefused;
        }
    }

    // Every event record and event interface of an area (static classes of constants left out).
    private static IEnumerable<Type> EventTypes(string area) =>
        typeof(Imsa.Network.Contracts.Handovers.HandoverAccepted).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == $"Imsa.Network.Contracts.{area}" && !t.IsEnum && !(t.IsAbstract && t.IsSealed));
}
