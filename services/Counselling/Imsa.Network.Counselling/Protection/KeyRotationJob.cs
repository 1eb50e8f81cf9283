using Imsa.Network.Access;
using Imsa.Network.Counselling.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Counselling.Protection;

/// <summary>
/// After a master key rotation, re-wraps every case's data key under the active master key, in batches, so the
/// old master key can be retired once no key row names it (docs/privacy.md). The data itself is not touched.
/// </summary>
internal sealed partial class KeyRotationJob(
    IServiceScopeFactory scopes, MasterKeyRing keys, TimeProvider time, IOptions<EncryptionOptions> options, ILogger<KeyRotationJob> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var rewrapped = await RunOnceAsync(stoppingToken);
                if (rewrapped > 0)
                {
                    LogRewrapped(rewrapped, keys.ActiveKeyId);
                    continue;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex.GetType().Name);
            }

            try
            {
                await Task.Delay(options.Value.RotationInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Re-wraps one batch; returns how many keys it re-wrapped (0 when all are under the active key).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CounsellingDbContext>();
        var active = keys.ActiveKeyId;
        // Keys under a master key no longer configured cannot be re-wrapped; they are skipped (and counted in the
        // log) rather than stall every key behind them.
        var known = options.Value.MasterKeys.Keys.Where(id => id != active).ToList();
        var stale = await db.CaseKeys.Where(k => known.Contains(k.MasterKeyId)).Take(BatchSize).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var key in stale)
        {
            keys.Rewrap(key, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        var orphaned = await db.CaseKeys.CountAsync(k => k.MasterKeyId != active && !known.Contains(k.MasterKeyId), cancellationToken);
        if (orphaned > 0)
        {
            LogOrphaned(orphaned);
        }

        return stale.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-wrapped {Count} case keys under master key {ActiveKeyId}")]
    private partial void LogRewrapped(int count, string activeKeyId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} case keys are wrapped by a master key that is not configured: those cases cannot be read")]
    private partial void LogOrphaned(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key rotation run failed ({ExceptionType}); retrying at the next interval")]
    private partial void LogFailed(string exceptionType);
}
