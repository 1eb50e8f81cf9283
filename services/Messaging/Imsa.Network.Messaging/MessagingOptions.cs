namespace Imsa.Network.Messaging;

/// <summary>The broker connection, bound from the "RabbitMq" configuration section.</summary>
public sealed class RabbitMqOptions
{
    public string Host { get; set; } = "localhost";

    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    public string Username { get; set; } = "guest";

    public string Password { get; set; } = "guest";

    /// <summary>AMQP over TLS (port 5671 by convention), the broker's certificate checked against <see cref="Host"/>: in production, always.</summary>
    public bool UseTls { get; set; }

    /// <summary>Unacknowledged messages per consumer queue.</summary>
    public ushort PrefetchCount { get; set; } = 32;

    /// <summary>A RabbitMQ.Client connection factory for the same broker, for work beside MassTransit's bus.</summary>
    public RabbitMQ.Client.ConnectionFactory ConnectionFactory(string clientName) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = Username,
        Password = Password,
        ClientProvidedName = clientName,
        Ssl = new RabbitMQ.Client.SslOption(Host, enabled: UseTls),
    };
}

/// <summary>
/// In-process consumer retries ("Messaging:ConsumerRetry"). A failure that passes — the database unreachable or
/// briefly unable (<see cref="ServiceDefaults.DatabaseFailures"/>) — is retried for as long as it lasts, with growing
/// waits up to <see cref="TransientMaxInterval"/>: the message stays unacknowledged meanwhile, and with every prefetched
/// message waiting, the queue delivers no more until the database is back. Any other failure is the message's own:
/// it is retried <see cref="Limit"/> times, then the message goes to its queue's _error queue.
/// </summary>
public sealed class ConsumerRetryOptions
{
    /// <summary>Retries of a failure of the message's own after the first attempt; 0 sends it to _error at once.</summary>
    public int Limit { get; set; } = 4;

    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between retries of a passing failure: how late a consumer resumes after an outage at most.</summary>
    public TimeSpan TransientMaxInterval { get; set; } = TimeSpan.FromSeconds(5);
}
