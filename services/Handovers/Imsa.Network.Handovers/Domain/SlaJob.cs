using Imsa.Network.Handovers.Data;
using Imsa.Network.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Handovers.Domain;

/// <summary>What one pass of the <see cref="SlaJob"/> did: offers escalated, receivers reminded, handovers flagged for follow-up.</summary>
internal readonly record struct SlaRun(int Escalated, int Reminded, int Flagged);

/// <summary>"Handovers:Sla" configuration.</summary>
internal sealed class SlaOptions
{
    /// <summary>Working days a receiver has to answer an offer before it is escalated to the coordinators.</summary>
    public int AnswerWorkingDays { get; set; } = 5;

    /// <summary>
    /// Working days before the answer deadline at which the receiver is reminded (HandoverAnswerDueSoon); 0: no
    /// reminder. Working days, like the deadline: a reminder on the Sunday before a Monday deadline would reach no one.
    /// </summary>
    public int ReminderWorkingDays { get; set; } = 1;

    /// <summary>
    /// For demos and trials: when set, an offer is due this long after it is made, instead of
    /// <see cref="AnswerWorkingDays"/> working days (which a demo cannot wait for).
    /// </summary>
    public TimeSpan? AnswerWithin { get; set; }

    /// <summary>
    /// For demos and trials: when set, the reminder comes this long before the answer deadline instead of
    /// <see cref="ReminderWorkingDays"/> working days; zero or less: no reminder.
    /// </summary>
    public TimeSpan? ReminderBefore { get; set; }

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

    /// <summary>The answer deadline of an offer made (or reassigned) at <paramref name="now"/>: the one place it is computed.</summary>
    public DateTimeOffset AnswerDueAt(DateTimeOffset now) =>
        AnswerWithin is { } within ? now + within : WorkingDays.Add(now, AnswerWorkingDays);

    /// <summary>
    /// When the receiver of an offer made at <paramref name="now"/> and due at <paramref name="answerDueAt"/> is
    /// reminded; null for no reminder: none configured, or one that would not fall after the offer (a deadline nearer
    /// than the reminder's lead, where the offer itself is the reminder).
    /// </summary>
    public DateTimeOffset? ReminderAt(DateTimeOffset answerDueAt, DateTimeOffset now)
    {
        DateTimeOffset at;
        if (ReminderBefore is { } before)
        {
            if (before <= TimeSpan.Zero)
            {
                return null;
            }

            at = answerDueAt - before;
        }
        else if (ReminderWorkingDays > 0)
        {
            at = WorkingDays.Subtract(answerDueAt, ReminderWorkingDays);
        }
        else
        {
            return null;
        }

        return at > now ? at : null;
    }
}

/// <summary>
/// The SLA timers, kept in the database (RabbitMQ here has no delayed messages) and driven by
/// <see cref="TimeProvider"/>: a request waiting for its case or consent is decided again (<see cref="PendingRequests"/>:
/// offered, or declined once its wait is over); an offer past its answer deadline is escalated (HandoverEscalated); an
/// offer whose reminder time has come reminds its receiver (HandoverAnswerDueSoon); an accepted handover with no first
/// contact past its follow-up date is flagged (HandoverFollowUpDue). Safe with several instances: each ticket is taken
/// under FOR UPDATE SKIP LOCKED and its version guards the change; a reminder or flag, once written, is not due again,
/// so each is announced once.
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
                SlaRun run;
                do
                {
                    // A full batch of any timer means more may be due: go on at once rather than wait an interval.
                    run = await RunOnceAsync(stoppingToken);
                    if (run.Escalated + run.Reminded + run.Flagged > 0)
                    {
                        LogRun(run.Escalated, run.Reminded, run.Flagged);
                    }
                }
                while (Math.Max(run.Escalated, Math.Max(run.Reminded, run.Flagged)) >= options.Value.BatchSize && !stoppingToken.IsCancellationRequested);
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

    public async Task<SlaRun> RunOnceAsync(CancellationToken cancellationToken)
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

        // Offers whose reminder time has come and whose deadline has not: one past its deadline is escalated instead
        // (above, in this pass — the rows read here are the database's, not yet the escalated entities, so the
        // deadline's condition is what keeps it out; an entity already escalated is skipped as well).
        var dueSoon = await db.Tickets
            .FromSql($"""
                SELECT * FROM handover_tickets
                WHERE status = 'Offered' AND answer_reminder_at <= {now} AND answer_due_at > {now}
                ORDER BY answer_reminder_at LIMIT {batch}
                FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);
        var reminded = 0;
        foreach (var ticket in dueSoon.Where(t => t.Status == HandoverStatus.Offered && t.AnswerReminderAt is not null))
        {
            db.AddEvent(ticket.RemindOfAnswer(now), time);
            reminded++;
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
            db.AddEvent(ticket.FlagFollowUp(now), time);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        metrics.Escalated(overdue.Count);
        metrics.RemindedOfAnswer(reminded);
        metrics.FlaggedForFollowUp(silent.Count);
        return new SlaRun(overdue.Count, reminded, silent.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SLA: {Escalated} offers escalated, {Reminded} receivers reminded of an answer deadline, {Flagged} handovers flagged for follow-up")]
    private partial void LogRun(int escalated, int reminded, int flagged);

    [LoggerMessage(Level = LogLevel.Information, Message = "A waiting handover request lost a race to another handover of its case; deciding it again at the next interval")]
    private partial void LogRequestNotDecided();

    [LoggerMessage(Level = LogLevel.Warning, Message = "SLA run failed ({ExceptionType}); retrying at the next interval")]
    private partial void LogFailed(string exceptionType);
}
