using Microsoft.Extensions.Logging;

namespace Imsa.Network.ServiceDefaults;

/// <summary>
/// A value read from the database for an observable gauge. A scrape gets the last reading at once and, when it is
/// older than the cache duration, starts the next one in the background: a scrape never waits for the database and
/// never fails because of it. A reading that fails is logged by exception type and yields nothing until one succeeds,
/// so a gauge goes missing rather than showing an old value as current.
/// </summary>
public sealed partial class CachedReading<T>(
    Func<CancellationToken, Task<T>> read, TimeSpan cacheDuration, TimeProvider time, ILogger logger)
    where T : class
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private T? _value;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private Task? _reading;

    /// <summary>The last reading, or null before the first one succeeded or after one failed.</summary>
    public T? Current
    {
        get
        {
            lock (_gate)
            {
                if (_reading is null && time.GetUtcNow() - _readAt >= cacheDuration)
                {
                    _reading = Task.Run(RefreshAsync);
                }

                return _value;
            }
        }
    }

    /// <summary>Reads now (a test, or a caller that wants the value fresh).</summary>
    public async Task<T?> RefreshAsync()
    {
        T? value = null;
        try
        {
            using var timeout = new CancellationTokenSource(ReadTimeout);
            value = await read(timeout.Token);
        }
#pragma warning disable CA1031 // A gauge must never take the scrape down: the database may be away.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(ex.GetType().Name);
        }

        lock (_gate)
        {
            _value = value;
            _readAt = time.GetUtcNow();
            _reading = null;
        }

        return value;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading a metric from the database failed ({ExceptionType}); the gauge is left out until a reading succeeds")]
    private partial void LogFailed(string exceptionType);
}
