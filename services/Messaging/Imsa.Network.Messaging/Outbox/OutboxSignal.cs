namespace Imsa.Network.Messaging.Outbox;

/// <summary>Wakes the relay right after a transaction that wrote outbox rows has committed.</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Notify()
    {
        // Already signalled: one wake-up drains everything committed so far.
        if (_pending.CurrentCount > 0)
        {
            return;
        }

        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another commit signalled between the check and the release.
        }
    }

    /// <summary>Waits for a signal or until <paramref name="timeout"/> passes (the polling fallback).</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _pending.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _pending.Dispose();
}
