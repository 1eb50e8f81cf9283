using Imsa.Network.Handovers.Data;
using Imsa.Network.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Handovers.Domain;

/// <summary>"Handovers:Sla" configuration.</summary>
internal sealed class SlaOptions
{
    /// <summary>Working days a receiver has to answer an offer before it is escalated to the coordinators.</summary>
    public int AnswerWorkingDays { get; set; } = 5;

    /// <summary>Days after the planned arrival (or the acceptance, if later) without first contact before a follow-up is due.</summary>
    public int FollowUpDaysAfterArrival { get; set; } = 30;

    /// <summary>
    /// How long a handover request may wait for its case or a consent naming the receiver to arrive before the service
    /// declines it (case-not-found, no-consent). Events take a second; the rest is room for an outage.
    /// </summary>
    public TimeSpan RequestWait { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the timers are checked. The deadlines are rows in the database, so nothing is lost between checks.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    public int BatchSize { get; set; } = 200;
}

/// <summary>
/// The SLA timers, kept in the database (RabbitMQ here has no delayed messages) and driven by
/// <see cref="TimeProvider"/>: a request waiting for its case or consent is decided again (<see cref="PendingRequests"/>:
/// offered, or declined once its wait is over); an offer past its answer deadline is escalated (HandoverEscalated); an
/// accepted handover with no first contact past its follow-up date is flagged. Safe with several instances: each
/// ticket is taken under FOR UPDATE SKIP LOCKED and its version guards the change.
/// </summary>
internal sealed partial class SlaJob(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<SlaOptions> options, HandoversMetrics metrics, ILogger<SlaJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int escalated, flagged;
                do
                {
                    // A full batch means more may be due: go on at once rather than wait an interval.
                    (escalated, flagged) = await RunOnceAsync(stoppingToken);
                    if (escalated + flagged > 0)
                    {
                        LogRun(escalated, flagged);
                    }
                }
                while (Math.Max(escalated, flagged) >= options.Value.BatchSize && !stoppingToken.IsCancellationRequested);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex.GetType().Name);
            }

            // After the timers, on its own: a request that cannot be decided now holds up no escalation.
            try
            {
                await DecideWaitingAsync(stoppingToken);
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

    /// <summary>
    /// Decides every request still waiting, one transaction each (one failing check or lost race costs only its own),
    /// each once per pass: in the order of their ids, from the last one decided on. A request or case locked elsewhere
    /// (decided on an arrival right now) is skipped.
    /// </summary>
    private async Task DecideWaitingAsync(CancellationToken cancellationToken)
    {
        for (var after = Guid.Empty; !cancellationToken.IsCancellationRequested;)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HandoversDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var ticket = (await db.Tickets
                .FromSql($"""
                    SELECT * FROM handover_tickets
                    WHERE status = 'Requested' AND id > {after}
                    ORDER BY id LIMIT 1
                    FOR UPDATE SKIP LOCKED
                    """)
                .ToListAsync(cancellationToken)).SingleOrDefault();
            if (ticket is null)
            {
                break;
            }

            after = ticket.Id;
            try
            {
                // An arrival deciding the case's requests right now holds the case: it decides this one too.
                if (await PendingRequests.TryLockCaseAsync(db, ticket.CaseId, cancellationToken))
                {
                    await PendingRequests.DecideAsync(db, ticket, options.Value, time, cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // A race lost to a step of another ticket (the one-open-handover index): decided again next pass.
                LogRequestNotDecided();
            }
        }
    }

    public async Task<(int Escalated, int Flagged)> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HandoversDbContext>();
        var now = time.GetUtcNow();
        var batch = options.Value.BatchSize;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var overdue = await db.Tickets
            .FromSql($"""
                SELECT * FROM handover_tickets
                WHERE status = 'Offered' AND answer_due_at <= {now}
                ORDER BY answer_due_at LIMIT {batch}
                FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);
        foreach (var ticket in overdue)
        {
            db.AddEvent(ticket.Escalate(now), time);
        }

        var silent = await db.Tickets
            .FromSql($"""
                SELECT * FROM handover_tickets
                WHERE status = 'Accepted' AND follow_up_flagged_at IS NULL AND follow_up_due_at <= {now}
                ORDER BY follow_up_due_at LIMIT {batch}
                FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);
        foreach (var ticket in silent)
        {
            ticket.FlagFollowUp(now);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        metrics.Escalated(overdue.Count);
        metrics.FlaggedForFollowUp(silent.Count);
        return (overdue.Count, silent.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SLA: {Escalated} offers escalated, {Flagged} handovers flagged for follow-up")]
    private partial void LogRun(int escalated, int flagged);

    [LoggerMessage(Level = LogLevel.Information, Message = "A waiting handover request lost a race to another handover of its case; deciding it again at the next interval")]
    private partial void LogRequestNotDecided();

    [LoggerMessage(Level = LogLevel.Warning, Message = "SLA run failed ({ExceptionType}); retrying at the next interval")]
    private partial void LogFailed(string exceptionType);
}
