using Imsa.Network.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Operations;

/// <summary>What an operator sees of a quarantined outbox row: never its body.</summary>
public sealed record QuarantinedMessage(
    Guid MessageId,
    string MessageType,
    DateTimeOffset CreatedAt,
    int Attempts,
    string? LastError,
    DateTimeOffset QuarantinedAt);

/// <summary>The operators' view of the outbox rows the relay gave up on: list, retry, discard.</summary>
public sealed class OutboxQuarantine(DbContext db, OutboxSignal signal)
{
    public Task<List<QuarantinedMessage>> ListAsync(CancellationToken cancellationToken = default) =>
        db.Set<OutboxMessage>()
            .AsNoTracking()
            .Where(m => m.QuarantinedAt != null)
            .OrderBy(m => m.Sequence)
            .Select(m => new QuarantinedMessage(m.Id, m.MessageType, m.CreatedAt, m.Attempts, m.LastError, m.QuarantinedAt!.Value))
            .ToListAsync(cancellationToken);

    /// <summary>Puts a quarantined row back in line with a fresh attempt count; false if there is no such row.</summary>
    public async Task<bool> RetryAsync(Guid messageId, CancellationToken cancellationToken = default)
    {
        var updated = await db.Set<OutboxMessage>()
            .Where(m => m.Id == messageId && m.QuarantinedAt != null)
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(m => m.QuarantinedAt, (DateTimeOffset?)null)
                    .SetProperty(m => m.NextAttemptAt, (DateTimeOffset?)null)
                    .SetProperty(m => m.Attempts, 0),
                cancellationToken);
        if (updated > 0)
        {
            signal.Notify();
        }

        return updated > 0;
    }

    /// <summary>Drops a quarantined row for good; false if there is no such row.</summary>
    public async Task<bool> DiscardAsync(Guid messageId, CancellationToken cancellationToken = default) =>
        await db.Set<OutboxMessage>()
            .Where(m => m.Id == messageId && m.QuarantinedAt != null)
            .ExecuteDeleteAsync(cancellationToken) > 0;
}
