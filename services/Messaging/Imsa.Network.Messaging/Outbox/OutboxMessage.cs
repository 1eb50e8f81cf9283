namespace Imsa.Network.Messaging.Outbox;

/// <summary>
/// An event waiting to be published. Written in the same transaction as the state change it announces;
/// deleted by the relay once the broker has confirmed it.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Insertion order; the relay publishes in this order.</summary>
    public long Sequence { get; set; }

    /// <summary>Fixed when the row is written; becomes the MassTransit MessageId, so redeliveries are recognisable.</summary>
    public Guid Id { get; set; }

    /// <summary>"Namespace.Type, Assembly" of the event's contract type.</summary>
    public required string MessageType { get; set; }

    /// <summary>The event serialised as JSON.</summary>
    public required string Body { get; set; }

    /// <summary>W3C traceparent of the operation that wrote the event, so one trace follows it to the consumer.</summary>
    public string? TraceParent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Publish attempts that failed while the broker was reachable.</summary>
    public int Attempts { get; set; }

    /// <summary>Not before this time will the relay try again (backoff after a failure).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>Short description of the last failure (exception type and message, never the body).</summary>
    public string? LastError { get; set; }

    /// <summary>Set when the relay gave up; the row stays until an operator retries or discards it.</summary>
    public DateTimeOffset? QuarantinedAt { get; set; }
}
