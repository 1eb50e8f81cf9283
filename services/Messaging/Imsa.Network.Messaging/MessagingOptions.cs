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

/// <summary>
/// The type of the receive queues and their poison-message limit, bound from the "Messaging" section
/// (docs/adr/0018-quorum-queues.md). Every service on a virtual host must use the same values: RabbitMQ refuses to
/// declare an existing queue with other arguments.
/// </summary>
public sealed class QueueOptions
{
    /// <summary>
    /// Quorum queues (replicated, each message's deliveries counted): the receive queues with <see cref="DeliveryLimit"/>
    /// and their _error queue as dead-letter target, the _error and _skipped queues quorum too. <c>false</c> declares
    /// classic queues without arguments, as before: for an installation whose classic queues are not migrated yet.
    /// </summary>
    public bool QuorumQueues { get; set; } = true;

    /// <summary>
    /// How often RabbitMQ may give a message back to a receive queue (a connection or channel closed while the message was
    /// unacknowledged, a consumer timeout, a requeue) before it moves it to the queue's _error queue: it ends the loop of
    /// a message that kills the process consuming it. Failures the consumer catches never count (they are retried in
    /// process), nor does a database outage while the broker's consumer timeout has not expired.
    /// </summary>
    public int DeliveryLimit { get; set; } = 20;
}
