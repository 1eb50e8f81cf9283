namespace Imsa.Network.Messaging;

/// <summary>The broker connection, bound from the "RabbitMq" configuration section.</summary>
public sealed class RabbitMqOptions
{
    public string Host { get; set; } = "localhost";

    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    public string Username { get; set; } = "guest";

    public string Password { get; set; } = "guest";

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
    };
}

/// <summary>
/// In-process consumer retries with exponential backoff before a message goes to its queue's _error queue
/// ("Messaging:ConsumerRetry").
/// </summary>
public sealed class ConsumerRetryOptions
{
    /// <summary>Retries after the first attempt; 0 sends a failing message to _error at once.</summary>
    public int Limit { get; set; } = 4;

    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(5);
}
