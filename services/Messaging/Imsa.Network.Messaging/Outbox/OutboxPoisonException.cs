namespace Imsa.Network.Messaging.Outbox;

/// <summary>An outbox row that no retry can publish (its type or body cannot be read).</summary>
public sealed class OutboxPoisonException : Exception
{
    public OutboxPoisonException()
    {
    }

    public OutboxPoisonException(string message)
        : base(message)
    {
    }

    public OutboxPoisonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
