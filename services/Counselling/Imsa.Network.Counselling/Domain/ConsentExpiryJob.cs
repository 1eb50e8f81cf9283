using Imsa.Network.Counselling.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Counselling.Domain;

/// <summary>"Counselling:ConsentExpiry" configuration.</summary>
internal sealed class ConsentExpiryOptions
{
    /// <summary>How often expired consents are looked for. Dossier reads check validity themselves; this announces it.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    public int BatchSize { get; set; } = 200;
}

/// <summary>
/// Ends every consent whose validity is over (a withdrawal by time) and announces ConsentExpired, so the Handovers
/// service revokes what rested on it. Time comes from <see cref="TimeProvider"/>; several instances may run.
/// </summary>
internal sealed partial class ConsentExpiryJob(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<ConsentExpiryOptions> options, CounsellingMetrics metrics, ILogger<ConsentExpiryJob> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var ended = await RunOnceAsync(stoppingToken);
                if (ended > 0)
                {
                    LogExpired(ended);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex.GetType().Name);
            }

            try
            {
                await Task.Delay(options.Value.Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CounsellingDbContext>();
        var now = time.GetUtcNow();
        var due = await db.Consents
            .Where(c => c.Withdrawal == null && c.ValidUntil <= now
                && db.Cases.Any(k => k.Id == c.CaseId && k.Status != CaseStatus.Erased))
            .OrderBy(c => c.ValidUntil)
            .Take(options.Value.BatchSize)
            .ToListAsync(cancellationToken);
        foreach (var consent in due)
        {
            await ConsentLedger.EndAsync(db, consent, WithdrawalChannel.Expiry, null, time, metrics, cancellationToken);
        }

        return due.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} consents expired")]
    private partial void LogExpired(int count);

    // Only the exception's type: a message could carry data.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Consent expiry run failed ({ExceptionType}); retrying at the next interval")]
    private partial void LogFailed(string exceptionType);
}
