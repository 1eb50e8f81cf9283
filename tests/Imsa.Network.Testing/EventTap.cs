using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

namespace Imsa.Network.Testing;

/// <summary>
/// Listens on the broker to the events of the given types, as serialized on the wire (MassTransit envelopes), so
/// tests can assert on exactly what left a service. Bind it before the events are published.
/// </summary>
public sealed class EventTap : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;

    private EventTap(IConnection connection, IChannel channel, string queue)
    {
        _connection = connection;
        _channel = channel;
        _queue = queue;
    }

    /// <summary>Every message received so far: its message type name and its raw body.</summary>
    public List<(string Type, string Body)> Received { get; } = [];

    public static async Task<EventTap> StartAsync(RabbitMqVirtualHost virtualHost, params Type[] eventTypes)
    {
        ArgumentNullException.ThrowIfNull(virtualHost);
        ArgumentNullException.ThrowIfNull(eventTypes);
        var connection = await virtualHost.ConnectAsync();
        var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync($"test-tap-{Guid.NewGuid():N}", durable: false, exclusive: true, autoDelete: true)).QueueName;
        foreach (var type in eventTypes)
        {
            // MassTransit's exchange for a message type: fanout, durable, named "Namespace:Type".
            var exchange = $"{type.Namespace}:{type.Name}";
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
            await channel.QueueBindAsync(queue, exchange, "");
        }

        return new EventTap(connection, channel, queue);
    }

    /// <summary>Waits until a message of the type with the given property values arrives; returns its "message" part.</summary>
    public async Task<JsonObject> WaitForAsync<TEvent>(Func<JsonObject, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Eventually.DefaultTimeout);
        while (true)
        {
            var found = Received
                .Where(r => r.Type == typeof(TEvent).Name)
                .Select(r => (JsonObject)JsonNode.Parse(r.Body)!["message"]!)
                .FirstOrDefault(m => match is null || match(m));
            if (found is not null)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No {typeof(TEvent).Name} arrived in time; received: {string.Join(", ", Received.Select(r => r.Type))}.");
            }

            await DrainAsync();
            await Task.Delay(20);
        }
    }

    /// <summary>Takes every message waiting in the tap's queue into <see cref="Received"/>.</summary>
    public async Task DrainAsync()
    {
        while (await _channel.BasicGetAsync(_queue, autoAck: true) is { } delivery)
        {
            var body = Encoding.UTF8.GetString(delivery.Body.Span);
            var types = JsonNode.Parse(body)?["messageType"]?.AsArray().Select(t => (string?)t).ToList() ?? [];
            var type = types.FirstOrDefault(t => t is not null && t.StartsWith("urn:message:", StringComparison.Ordinal))?.Split(':')[^1] ?? "?";
            Received.Add((type, body));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
