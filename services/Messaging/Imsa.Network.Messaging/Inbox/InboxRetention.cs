using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Imsa.Network.ServiceDefaults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Messaging.Inbox;

/// <summary>"Messaging:Inbox" configuration.</summary>
public sealed class InboxOptions
{
    /// <summary>How long a consumed message's id is kept to recognise a redelivery. Redeliveries come within minutes; a month is ample.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    public int BatchSize { get; set; } = 10_000;
}

/// <summary>Deletes inbox rows past their retention, in batches, so the table stays the size of a month's traffic.</summary>
public sealed class InboxRetention<TDbContext>(
    IServiceScopeFactory scopes, IOptions<InboxOptions> options, ILogger<InboxRetention<TDbContext>> logger) : PeriodicJob(logger)
    where TDbContext : DbContext
{
    protected override TimeSpan Interval => options.Value.CleanupInterval;

    protected override async Task<bool> RunPassAsync(CancellationToken cancellationToken) =>
        await RunOnceAsync(cancellationToken) >= options.Value.BatchSize;

    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        // The database's clock, as the rows were stamped with it.
        return await db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM messaging.inbox_messages WHERE ctid IN (
                SELECT ctid FROM messaging.inbox_messages
                WHERE processed_at < now() - {options.Value.Retention}
                LIMIT {options.Value.BatchSize})
            """,
            cancellationToken);
    }
}
