using System.Diagnostics;
using System.Runtime.CompilerServices;
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
    /// Claims the message for <paramref name="consumer"/> and applies <paramref name="effect"/> in one autocommitted
    /// statement, one round trip: the claim is a CTE named <c>claim</c> (a row when the message is new), and the effect
    /// is an <c>INSERT … SELECT … FROM claim</c> (an upsert that keeps only newer versions, say), so a duplicate finds
    /// the claim's key taken and changes nothing, and a concurrent duplicate waits on it until the first commits.
    /// For effects that one statement can say; the others use <see cref="ConsumeOnceAsync{TMessage}"/>.
    /// </summary>
    /// <returns>The rows the effect wrote: 0 for a duplicate, or when the effect's own condition held nothing new.</returns>
    public static async Task<int> ApplyOnceAsync<TMessage>(DbContext db, ConsumeContext<TMessage> context, string consumer, FormattableString effect)
        where TMessage : class
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(effect);
        if (db.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException("ApplyOnceAsync commits by itself: it runs outside any transaction.");
        }

        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"A {typeof(TMessage).Name} without a MessageId cannot be consumed idempotently.");
        // The claim's two values follow the effect's, so the effect's placeholders keep their numbers.
        var arguments = effect.GetArguments().Append(messageId).Append(consumer).ToArray();
        var (id, name) = (arguments.Length - 2, arguments.Length - 1);
        var format = $$"""
            WITH claim AS (
                INSERT INTO messaging.inbox_messages (message_id, consumer, processed_at)
                VALUES ({{{id}}}, {{{name}}}, now())
                ON CONFLICT DO NOTHING
                RETURNING 1)
            """ + "\n" + effect.Format;
        try
        {
            // No duplicate count here: 0 rows is a duplicate or an effect whose own condition held nothing new.
            return await db.Database.ExecuteSqlAsync(FormattableStringFactory.Create(format, arguments), context.CancellationToken);
        }
        catch (Exception) when (!context.CancellationToken.IsCancellationRequested)
        {
            MessagingMetrics.Of(context)?.ConsumerFailed(consumer, typeof(TMessage).Name);
            throw;
        }
    }

    /// <summary>Claims the message for <paramref name="consumer"/> and applies its effects, in one transaction.</summary>
    public static async Task ConsumeOnceAsync<TMessage>(
        DbContext db, ConsumeContext<TMessage> context, string consumer, Func<Task> applyEffects)
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
            var claimed = await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO messaging.inbox_messages (message_id, consumer, processed_at)
                VALUES ({messageId}, {consumer}, now())
                ON CONFLICT DO NOTHING
                """,
                cancellationToken);
            if (claimed == 0)
            {
                Activity.Current?.SetTag("imsa.inbox.duplicate", true);
                MessagingMetrics.Of(context)?.DuplicateSkipped(consumer, typeof(TMessage).Name);
                return;
            }

            await applyEffects();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            // A retry may run in the same scope: start it from a clean slate.
            db.ChangeTracker.Clear();
            if (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                MessagingMetrics.Of(context)?.ConsumerFailed(consumer, typeof(TMessage).Name);
            }

            throw;
        }
    }
}
