using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Messaging.Inbox;

/// <summary>
/// A consumer whose effects happen at most once per message: the (MessageId, consumer) inbox row is inserted
/// in the same transaction as the effects, so a redelivered or duplicated message finds it and is acknowledged
/// without doing anything. A concurrent duplicate waits on the row's key until the first one commits or rolls back.
/// </summary>
public abstract class IdempotentConsumer<TMessage, TDbContext>(TDbContext db) : IConsumer<TMessage>
    where TMessage : class
    where TDbContext : DbContext
{
    protected TDbContext Db { get; } = db;

    /// <summary>The name the inbox records: the class name. Override it to keep the old name when renaming the class.</summary>
    protected virtual string ConsumerName => GetType().Name;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"A {typeof(TMessage).Name} without a MessageId cannot be consumed idempotently.");
        var cancellationToken = context.CancellationToken;
        var consumer = ConsumerName;

        try
        {
            await using var transaction = await Db.Database.BeginTransactionAsync(cancellationToken);
            var claimed = await Db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO messaging.inbox_messages (message_id, consumer, processed_at)
                VALUES ({messageId}, {consumer}, now())
                ON CONFLICT DO NOTHING
                """,
                cancellationToken);
            if (claimed == 0)
            {
                Activity.Current?.SetTag("imsa.inbox.duplicate", true);
                return;
            }

            await HandleAsync(context);
            await Db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            // A retry may run in the same scope: start it from a clean slate.
            Db.ChangeTracker.Clear();
            throw;
        }
    }

    /// <summary>Applies the message's effects to <see cref="Db"/>; SaveChanges and commit follow.</summary>
    protected abstract Task HandleAsync(ConsumeContext<TMessage> context);
}
