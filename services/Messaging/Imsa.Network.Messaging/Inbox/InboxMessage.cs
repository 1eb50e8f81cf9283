namespace Imsa.Network.Messaging.Inbox;

/// <summary>A message a consumer has processed; (MessageId, Consumer) is the key that makes consumers idempotent.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    public required string Consumer { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }
}
