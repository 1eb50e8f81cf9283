using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Messaging.Inbox;

/// <summary>
/// Applies a message's effects at most once per consumer: the (MessageId, consumer) inbox row is inserted in the
/// same transaction as the effects, so a redelivered or duplicated message finds it and is acknowledged without
/// doing anything. A concurrent duplicate waits on the row's key until the first one commits or rolls back.
/// </summary>
public static class Inbox
{
    /// <summary>
    /// Serialises, until the transaction ends, the effects of messages about one thing (a ticket, a case): the
    /// second waits for the first and then sees its row, instead of racing it to insert and being retried.
    /// <see cref="ConsumeOnceAsync{TMessage}(DbContext, ConsumeContext{TMessage}, string, Guid?, Func{Task})"/> takes it with the
    /// inbox claim, in the same statement.
    /// </summary>
    public static Task LockAsync(DbContext db, Guid subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockKey(subject)})", cancellationToken);
    }

    /// <summary>The advisory lock's key of a subject: its two halves folded into one 64-bit number.</summary>
    public static long LockKey(Guid subject)
    {
        Span<byte> bytes = stackalloc byte[16];
        subject.TryWriteBytes(bytes);
        return BitConverter.ToInt64(bytes[..8]) ^ BitConverter.ToInt64(bytes[8..]);
    }

    public static Task ConsumeOnceAsync<TMessage>(DbContext db, ConsumeContext<TMessage> context, string consumer, Func<Task> applyEffects)
        where TMessage : class =>
        ConsumeOnceAsync(db, context, consumer, null, applyEffects);

    /// <summary>
    /// Claims the message for <paramref name="consumer"/> and applies its effects, in one transaction; with
    /// <paramref name="serialisedBy"/>, the messages about that subject are applied one at a time (<see cref="LockAsync"/>),
    /// the lock taken in the claim's own statement: one round trip for both.
    /// </summary>
    public static async Task ConsumeOnceAsync<TMessage>(
        DbContext db, ConsumeContext<TMessage> context, string consumer, Guid? serialisedBy, Func<Task> applyEffects)
        where TMessage : class
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(applyEffects);
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"A {typeof(TMessage).Name} without a MessageId cannot be consumed idempotently.");
        var cancellationToken = context.CancellationToken;

        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var claimed = serialisedBy is { } subject
                ? await db.Database.ExecuteSqlAsync(
                    $"""
                    WITH serialised AS (SELECT pg_advisory_xact_lock({LockKey(subject)}))
                    INSERT INTO messaging.inbox_messages (message_id, consumer, processed_at)
                    SELECT {messageId}, {consumer}, now() FROM serialised
                    ON CONFLICT DO NOTHING
                    """,
                    cancellationToken)
                : await db.Database.ExecuteSqlAsync(
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

            await applyEffects();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            // A retry may run in the same scope: start it from a clean slate.
            db.ChangeTracker.Clear();
            throw;
        }
    }
}
