using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Imsa.Network.Messaging.Outbox;

/// <summary>
/// Signals the relay once outbox rows are durable: after SaveChanges when it ran in its own transaction,
/// or after the commit of the explicit transaction that SaveChanges joined.
/// </summary>
public sealed class OutboxCommitInterceptor(OutboxSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    // Contexts whose open transaction holds outbox rows not yet signalled.
    private readonly ConditionalWeakTable<DbContext, object> _pending = [];

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Track(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Track(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        SignalIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        SignalIfCommitted(eventData.Context);
        return result;
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        SignalIfPending(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => SignalIfPending(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    private void Track(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        foreach (var entry in context.ChangeTracker.Entries<OutboxMessage>())
        {
            if (entry.State == EntityState.Added)
            {
                _pending.AddOrUpdate(context, this);
                return;
            }
        }
    }

    private void SignalIfCommitted(DbContext? context)
    {
        if (context is not null && context.Database.CurrentTransaction is null)
        {
            SignalIfPending(context);
        }
    }

    private void SignalIfPending(DbContext? context)
    {
        if (context is not null && _pending.Remove(context))
        {
            signal.Notify();
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
        }
    }
}
