using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Messaging.Outbox;

public static class OutboxDbContextExtensions
{
    /// <summary>
    /// Adds an event to the outbox of this context. It is written by the next SaveChanges, in the same
    /// transaction as the state change it announces, and published by the relay after commit.
    /// </summary>
    /// <returns>The event's MessageId, fixed now.</returns>
    public static Guid AddEvent<TEvent>(this DbContext db, TEvent @event, TimeProvider? time = null)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(@event);

        var message = new OutboxMessage
        {
            Id = NewId.NextSequentialGuid(),
            // The runtime type, so an event passed as object is still published as what it is.
            MessageType = OutboxMessageTypes.NameOf(@event.GetType()),
            Body = JsonSerializer.Serialize(@event, @event.GetType(), OutboxMessageTypes.JsonOptions),
            TraceParent = Activity.Current?.Id,
            CreatedAt = (time ?? TimeProvider.System).GetUtcNow(),
        };
        db.Set<OutboxMessage>().Add(message);
        return message.Id;
    }
}
