using Imsa.Network.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Operations;

/// <summary>
/// Deletes one batch of what a rule keeps no longer: everything older than <paramref name="cutoff"/>, at most
/// <paramref name="batchSize"/> items; returns how many it deleted. <paramref name="services"/> is a scope of its own.
/// </summary>
public delegate Task<int> RetentionBatch(IServiceProvider services, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken);

/// <summary>
/// A retention rule as a service applies it: its name (the setting "Retention:Periods:&lt;name&gt;"), its default and
/// shortest period, whether the period counts from the end of the year (§ 199(1) BGB), why, and its deletion.
/// </summary>
public sealed record RetentionRule(
    string Name, TimeSpan Default, TimeSpan Minimum, bool FromEndOfYear, string Reason, string MinimumReason, RetentionBatch DeleteBatch)
{
    public string Setting => $"Retention:Periods:{Name}";

    /// <summary>
    /// What is older than this is due at <paramref name="now"/>. Counted from the end of the year, an item that ended in
    /// year Y is due once the period has passed since 1 January of Y + 1: everything before 1 January of the year of (now − period).
    /// </summary>
    public DateTimeOffset CutoffAt(DateTimeOffset now, TimeSpan period)
    {
        var cutoff = now.ToUniversalTime() - period;
        return FromEndOfYear ? new DateTimeOffset(cutoff.Year, 1, 1, 0, 0, 0, TimeSpan.Zero) : cutoff;
    }
}

/// <summary>"Retention" configuration: how often the job runs, its batch size, and each rule's period.</summary>
public sealed class RetentionOptions
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    public int BatchSize { get; set; } = 500;

    /// <summary>A rule's period by its name ("Retention:Periods:ClosedCases" = "730.00:00:00"); unset, its default.</summary>
    public Dictionary<string, TimeSpan> Periods { get; } = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan PeriodOf(RetentionRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Periods.TryGetValue(rule.Name, out var period) ? period : rule.Default;
    }
}

/// <summary>Refuses start-up on a period below its rule's minimum, or a period for a rule the service does not have.</summary>
internal sealed class RetentionOptionsValidation(IEnumerable<RetentionRule> rules) : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var known = rules.ToDictionary(rule => rule.Name, StringComparer.OrdinalIgnoreCase);
        var failures = new List<string>();
        if (options.Interval <= TimeSpan.Zero)
        {
            failures.Add("Retention:Interval must be positive.");
        }

        if (options.BatchSize < 1)
        {
            failures.Add("Retention:BatchSize must be at least 1.");
        }

        foreach (var (rule, period) in options.Periods)
        {
            if (!known.TryGetValue(rule, out var found))
            {
                failures.Add($"Retention:Periods:{rule} names no retention rule of this service (its rules: {string.Join(", ", known.Keys.Order(StringComparer.Ordinal))}).");
            }
            else if (period < found.Minimum)
            {
                failures.Add($"{found.Setting} is {period:c}, shorter than its minimum of {found.Minimum:c} ({found.Minimum.TotalDays:0} days): {found.MinimumReason}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>One pass of one rule that deleted something: when, and how many. Counts only, never what.</summary>
public sealed class RetentionRun
{
    public long Id { get; init; }

    public required string Rule { get; init; }

    public DateTimeOffset At { get; init; }

    /// <summary>Items older than this were due.</summary>
    public DateTimeOffset Cutoff { get; init; }

    public int Deleted { get; init; }
}

/// <summary>
/// Applies the service's retention rules every "Retention:Interval". Safe with several instances: each rule runs under
/// a PostgreSQL advisory lock of its own, taken without waiting, so while one instance deletes a rule's items the others
/// skip that rule, and an item is deleted once. Time comes from <see cref="TimeProvider"/>, so tests move it.
/// </summary>
public sealed partial class RetentionJob(
    IServiceScopeFactory scopes,
    IEnumerable<RetentionRule> rules,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionJob> logger) : PeriodicJob(logger)
{
    protected override TimeSpan Interval => options.Value.Interval;

    protected override async Task<bool> RunPassAsync(CancellationToken cancellationToken)
    {
        await RunOnceAsync(cancellationToken);
        return false;
    }

    /// <summary>One pass over every rule; returns what each rule deleted in it (0 also for a rule another instance held).</summary>
    public async Task<IReadOnlyDictionary<string, int>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var deleted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            try
            {
                deleted[rule.Name] = await RunRuleAsync(rule, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One rule failing (the database away, a lock timeout) holds up none of the others.
                LogRuleFailed(rule.Name, ex.GetType().Name);
                deleted[rule.Name] = 0;
            }
        }

        return deleted;
    }

    private async Task<int> RunRuleAsync(RetentionRule rule, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var now = time.GetUtcNow();
        var cutoff = rule.CutoffAt(now, options.Value.PeriodOf(rule));
        var lockKey = $"imsa-retention:{rule.Name}";
        // The lock belongs to the session: the connection stays open until it is released.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock(hashtext({lockKey})) AS \"Value\"").SingleAsync(cancellationToken);
            if (!locked)
            {
                return 0;
            }

            try
            {
                var total = 0;
                int batch;
                do
                {
                    await using var batchScope = scopes.CreateAsyncScope();
                    batch = await rule.DeleteBatch(batchScope.ServiceProvider, cutoff, options.Value.BatchSize, cancellationToken);
                    total += batch;
                }
                while (batch >= options.Value.BatchSize && !cancellationToken.IsCancellationRequested);

                if (total > 0)
                {
                    db.Set<RetentionRun>().Add(new RetentionRun { Rule = rule.Name, At = now, Cutoff = cutoff, Deleted = total });
                    await db.SaveChangesAsync(cancellationToken);
                    LogDeleted(rule.Name, total);
                }

                return total;
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock(hashtext({lockKey}))", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention rule {Rule} deleted {Count} items")]
    private partial void LogDeleted(string rule, int count);

    // Only the exception's type: a message could quote a row.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention rule {Rule} failed ({ExceptionType}); trying again at the next interval")]
    private partial void LogRuleFailed(string rule, string exceptionType);
}

/// <summary>The rules every service has through this library: its activity and its audit trail.</summary>
public static class OperationsRetention
{
    public static Task<int> DeleteActivityAsync(IServiceProvider services, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) =>
        services.GetRequiredService<DbContext>().Database.ExecuteSqlAsync(
            $"""
            DELETE FROM admin.activity WHERE id IN (
                SELECT id FROM admin.activity WHERE at < {cutoff} ORDER BY id LIMIT {batchSize} FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken);

    public static Task<int> DeleteAuditTrailAsync(IServiceProvider services, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) =>
        services.GetRequiredService<DbContext>().Database.ExecuteSqlAsync(
            $"""
            DELETE FROM admin.audit_trail WHERE id IN (
                SELECT id FROM admin.audit_trail WHERE at < {cutoff} ORDER BY id LIMIT {batchSize} FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken);
}

/// <summary>A rule as coordinators read it (GET /admin/retention).</summary>
/// <param name="Setting">Its configuration key.</param>
/// <param name="Period">The period this instance applies.</param>
/// <param name="FromEndOfYear">The period counts from the end of the year of the item's end (§ 199(1) BGB).</param>
public sealed record RetentionRuleView(
    string Name, string Setting, TimeSpan Period, TimeSpan Default, TimeSpan Minimum, bool FromEndOfYear, string Reason);

/// <summary>A pass that deleted something: the rule, when, the cutoff, and how many items. Counts only.</summary>
public sealed record RetentionRunView(string Rule, DateTimeOffset At, DateTimeOffset Cutoff, int Deleted);

/// <param name="Interval">How often each instance runs the rules.</param>
/// <param name="Runs">The newest passes that deleted something, newest first.</param>
public sealed record RetentionReport(TimeSpan Interval, IReadOnlyList<RetentionRuleView> Rules, IReadOnlyList<RetentionRunView> Runs);
