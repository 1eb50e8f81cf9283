using Imsa.Network.Counselling.Data;
using Imsa.Network.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Counselling.Domain;

/// <summary>"Counselling:ConsentExpiry" configuration.</summary>
internal sealed class ConsentExpiryOptions
{
    /// <summary>How often expired consents are looked for. Dossier reads check validity themselves; this announces it.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    public int BatchSize { get; set; } = 200;

    /// <summary>
    /// How long before its end a consent's coming end is announced (ConsentExpiring), so its owner may ask the person
    /// for a new one in time; zero: never.
    /// </summary>
    public TimeSpan NoticeBefore { get; set; } = TimeSpan.FromDays(14);
}

/// <summary>What one pass of the <see cref="ConsentExpiryJob"/> did: consents ended, and consents whose coming end it announced.</summary>
internal readonly record struct ConsentExpiryRun(int Ended, int Noticed);

/// <summary>
/// Ends every consent whose validity is over (a withdrawal by time) and announces ConsentExpired, so the Handovers
/// service revokes what rested on it; announces ConsentExpiring, once, for a consent whose end is
/// <see cref="ConsentExpiryOptions.NoticeBefore"/> away. Time comes from <see cref="TimeProvider"/>; several
/// instances may run.
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
                var run = await RunOnceAsync(stoppingToken);
                if (run.Ended + run.Noticed > 0)
                {
                    LogRun(run.Ended, run.Noticed);
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

    public async Task<ConsentExpiryRun> RunOnceAsync(CancellationToken cancellationToken) =>
        new(await EndExpiredAsync(cancellationToken), await NoticeExpiringAsync(cancellationToken));

    private async Task<int> EndExpiredAsync(CancellationToken cancellationToken)
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

    /// <summary>
    /// Announces the coming end of every consent in its notice period (<c>validUntil - NoticeBefore &lt;= now &lt;
    /// validUntil</c>), not ended, not yet announced, of a case not erased — and not of one whose notice time does not
    /// fall after it was recorded and became valid: its owner recorded it knowing it ends soon. Each is marked in the
    /// transaction that writes its event, so it is announced once. Instances share the work with FOR UPDATE SKIP
    /// LOCKED; the lock also orders it against a withdrawal (whose row's foreign key takes the consent's row): a
    /// withdrawal committed first keeps it from being announced, one committing later comes after the notice.
    /// </summary>
    private async Task<int> NoticeExpiringAsync(CancellationToken cancellationToken)
    {
        var notice = options.Value.NoticeBefore;
        if (notice <= TimeSpan.Zero)
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CounsellingDbContext>();
        var now = time.GetUtcNow();
        var horizon = now + notice;
        var batch = options.Value.BatchSize;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var expiring = await db.Consents
            .FromSql($"""
                SELECT c.* FROM consents c
                WHERE c.expiry_notice_at IS NULL AND c.valid_until > {now} AND c.valid_until <= {horizon}
                  AND c.valid_until - {notice} > GREATEST(c.recorded_at, c.valid_from)
                  AND NOT EXISTS (SELECT 1 FROM consent_withdrawals w WHERE w.consent_id = c.id)
                  AND EXISTS (SELECT 1 FROM cases k WHERE k.id = c.case_id AND k.status <> 'Erased')
                ORDER BY c.valid_until LIMIT {batch}
                FOR UPDATE OF c SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);
        foreach (var consent in expiring)
        {
            db.AddEvent(consent.NoticeExpiry(now), time);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return expiring.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Ended} consents expired, the coming end of {Noticed} consents announced")]
    private partial void LogRun(int ended, int noticed);

    // Only the exception's type: a message could carry data.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Consent expiry run failed ({ExceptionType}); retrying at the next interval")]
    private partial void LogFailed(string exceptionType);
}
