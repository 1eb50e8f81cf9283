using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using RabbitMQ.Client;

namespace Imsa.Network.Testing;

/// <summary>A virtual host of its own on the real RabbitMQ (made through the management API), deleted when disposed.</summary>
public sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _management;

    private RabbitMqVirtualHost(string name, HttpClient management)
    {
        Name = name;
        _management = management;
    }

    public string Name { get; }

    public static async Task<RabbitMqVirtualHost> CreateAsync(string purpose)
    {
        var name = $"imsa-test-{purpose.ToLowerInvariant()}-{Guid.NewGuid():N}";
        var management = new HttpClient
        {
            BaseAddress = new Uri($"http://{TestInfrastructure.RabbitMqHost}:{TestInfrastructure.RabbitMqManagementPort}/api/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestInfrastructure.RabbitMqUser}:{TestInfrastructure.RabbitMqPassword}"));
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);

        var vhost = new RabbitMqVirtualHost(name, management);
        (await management.PutAsJsonAsync($"vhosts/{Uri.EscapeDataString(name)}", new { })).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync(
            $"permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(TestInfrastructure.RabbitMqUser)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        // The services' own users get here what they get on the local network's virtual host.
        foreach (var permission in BrokerUsers.Permissions)
        {
            (await management.PutAsJsonAsync(
                $"permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(permission.User)}",
                new { configure = permission.Configure, write = permission.Write, read = permission.Read })).EnsureSuccessStatusCode();
        }

        return vhost;
    }

    /// <summary>
    /// The "RabbitMq" configuration section a service needs to use this virtual host, as the tests' administrator
    /// (so a test can publish, through the service's own bus, the events of the services it stands in for). With
    /// <paramref name="service"/>, its dead-letter operations use their own user ("RabbitMq:DeadLetters").
    /// </summary>
    public Dictionary<string, string?> Settings(int? port = null, string? service = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RabbitMq:Host"] = TestInfrastructure.RabbitMqHost,
            ["RabbitMq:Port"] = (port ?? TestInfrastructure.RabbitMqPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = Name,
            ["RabbitMq:Username"] = TestInfrastructure.RabbitMqUser,
            ["RabbitMq:Password"] = TestInfrastructure.RabbitMqPassword,
        };
        if (service is not null)
        {
            settings["RabbitMq:DeadLetters:Username"] = BrokerUsers.DeadLetters(service);
            settings["RabbitMq:DeadLetters:Password"] = BrokerUsers.Password(BrokerUsers.DeadLetters(service));
        }

        return settings;
    }

    /// <summary>The "RabbitMq" configuration section of <paramref name="service"/> as it runs on the network: its own user, and its dead-letter operations' user.</summary>
    public Dictionary<string, string?> ServiceSettings(string service, int? port = null)
    {
        var settings = Settings(port, service);
        settings["RabbitMq:Username"] = BrokerUsers.Service(service);
        settings["RabbitMq:Password"] = BrokerUsers.Password(BrokerUsers.Service(service));
        return settings;
    }

    /// <summary>A plain RabbitMQ.Client connection to this virtual host as <paramref name="user"/>, one of <see cref="BrokerUsers"/>.</summary>
    public Task<IConnection> ConnectAsAsync(string user) => new ConnectionFactory
    {
        HostName = TestInfrastructure.RabbitMqHost,
        Port = TestInfrastructure.RabbitMqPort,
        VirtualHost = Name,
        UserName = user,
        Password = BrokerUsers.Password(user),
    }.CreateConnectionAsync();

    /// <summary>The names of this virtual host's exchanges, the default and amq.* ones left out.</summary>
    public async Task<IReadOnlyList<string>> ExchangeNamesAsync()
    {
        var exchanges = await _management.GetFromJsonAsync<List<QueueName>>($"exchanges/{Uri.EscapeDataString(Name)}?columns=name");
        return [.. exchanges!.Select(e => e.Name).Where(name => name.Length > 0 && !name.StartsWith("amq.", StringComparison.Ordinal))];
    }

    /// <summary>A plain RabbitMQ.Client connection to this virtual host, to look at queues as an operator would.</summary>
    public Task<IConnection> ConnectAsync() => new ConnectionFactory
    {
        HostName = TestInfrastructure.RabbitMqHost,
        Port = TestInfrastructure.RabbitMqPort,
        VirtualHost = Name,
        UserName = TestInfrastructure.RabbitMqUser,
        Password = TestInfrastructure.RabbitMqPassword,
    }.CreateConnectionAsync();

    /// <summary>Messages ready in a queue of this virtual host, or null if the queue does not exist.</summary>
    public async Task<uint?> MessageCountAsync(string queue)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return null;
        }
    }

    /// <summary>The names of this virtual host's queues (the management API's list; the names are current, its counts are not).</summary>
    public async Task<IReadOnlyList<string>> QueueNamesAsync()
    {
        var queues = await _management.GetFromJsonAsync<List<QueueName>>($"queues/{Uri.EscapeDataString(Name)}?columns=name");
        return [.. queues!.Select(q => q.Name)];
    }

    /// <summary>Messages in every "_error" queue of this virtual host, by queue, counted exactly (passive declares).</summary>
    public async Task<IReadOnlyDictionary<string, uint>> DeadLettersAsync()
    {
        var counts = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var queue in (await QueueNamesAsync()).Where(name => name.EndsWith("_error", StringComparison.Ordinal)))
        {
            counts[queue] = await MessageCountAsync(queue) ?? 0;
        }

        return counts;
    }

    /// <summary>The body of every message waiting in any queue of this virtual host, left where it was (not acknowledged).</summary>
    public async Task<IReadOnlyList<string>> PeekAllAsync()
    {
        var bodies = new List<string>();
        await using var connection = await ConnectAsync();
        foreach (var queue in await QueueNamesAsync())
        {
            // A channel per queue: closing it without acknowledging returns its messages to the queue.
            await using var channel = await connection.CreateChannelAsync();
            while (await channel.BasicGetAsync(queue, autoAck: false) is { } message)
            {
                bodies.Add(Encoding.UTF8.GetString(message.Body.Span));
            }

            await channel.CloseAsync();
        }

        return bodies;
    }

    /// <summary>Every queue of this virtual host as the management API describes it: name, type, durability and arguments.</summary>
    public async Task<IReadOnlyList<QueueDescription>> QueuesAsync()
    {
        var queues = await _management.GetFromJsonAsync<List<QueueDescription>>(
            $"queues/{Uri.EscapeDataString(Name)}?columns=name,type,durable,arguments");
        return queues!;
    }

    private sealed record QueueName(string Name);

    /// <summary>A queue as the management API lists it; <see cref="Arguments"/> are its declaration's (x-queue-type, x-delivery-limit, ...).</summary>
    public sealed record QueueDescription(
        string Name,
        string Type,
        bool Durable,
        Dictionary<string, System.Text.Json.JsonElement> Arguments)
    {
        public string? Argument(string key) => Arguments.TryGetValue(key, out var value) ? value.ToString() : null;
    }

    public async ValueTask DisposeAsync()
    {
        using (_management)
        {
            await _management.DeleteAsync($"vhosts/{Uri.EscapeDataString(Name)}");
        }
    }
}
