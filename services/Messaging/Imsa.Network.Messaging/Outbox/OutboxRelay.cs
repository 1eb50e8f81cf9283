using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Messaging.Outbox;

/// <summary>
/// Publishes committed outbox rows to RabbitMQ, oldest first, each with its fixed MessageId, and deletes a row
/// once the broker has confirmed it. Rows are locked in batches with FOR UPDATE SKIP LOCKED, so several instances
/// can run against one database and each row is published by one of them. Within a batch the publishes start in
/// sequence order and their confirms are awaited together; order holds within one relay, not across instances.
/// </summary>
/// <remarks>
/// A row that fails while the broker is reachable is retried with backoff, and while it backs off the rows
/// behind it wait (rows of its own batch may already be out), up to <see cref="OutboxOptions.MaxAttempts"/>;
/// then it is quarantined, visible to operators, and the rest flow on. A row that can never be published
/// (unknown type, body not of its type) is quarantined at once. While the broker is unreachable
/// (<see cref="BrokerProbe"/>) nothing counts as an attempt: the relay waits.
/// </remarks>
public sealed partial class OutboxRelay<TDbContext>(
    IServiceScopeFactory scopes,
    IBusControl bus,
    BrokerProbe broker,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    MessagingMetrics metrics,
    ILogger<OutboxRelay<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private const string SelectBatchSql = """
        SELECT * FROM messaging.outbox_messages
        WHERE quarantined_at IS NULL
        ORDER BY sequence
        LIMIT {0}
        FOR UPDATE SKIP LOCKED
        """;

    private readonly OutboxOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.RelayEnabled)
        {
            return;
        }

        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await DrainAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The relay must outlive any single failure (database restart, network blip).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogPassFailed(ex);
                wait = _options.PollInterval;
            }

            try
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Publishes until nothing is ready; returns how long to wait before the next look.</summary>
    internal async Task<TimeSpan> DrainAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await broker.IsReachableAsync(cancellationToken) || bus.CheckHealth().Status == BusHealthStatus.Unhealthy)
            {
                return _options.PollInterval;
            }

            var pass = await PublishBatchAsync(cancellationToken);
            if (!pass.MoreReady)
            {
                return pass.Wait;
            }
        }
    }

    private async Task<Pass> PublishBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var rows = await db.Set<OutboxMessage>()
            .FromSqlRaw(SelectBatchSql, _options.BatchSize)
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        // Rows behind one that is backing off wait for it, to keep the order.
        var now = time.GetUtcNow();
        var ready = rows.TakeWhile(row => !(row.NextAttemptAt > now)).ToList();
        var pass = ready.Count < rows.Count
            ? new Pass(false, Min(rows[ready.Count].NextAttemptAt!.Value - now, _options.PollInterval))
            : new Pass(rows.Count == _options.BatchSize, _options.PollInterval);

        // Publishes start in sequence order and their confirms are awaited together: one round trip per batch
        // instead of one per row (docs/benchmarks.md).
        var publishes = ready.Select(row => (Row: row, Task: PublishAsync(row, cancellationToken))).ToList();
        try
        {
            await Task.WhenAll(publishes.Select(p => p.Task));
        }
#pragma warning disable CA1031 // Each publish's outcome is read below.
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
        }

        var published = new List<long>(publishes.Count);
        foreach (var (row, publish) in publishes)
        {
            if (publish.IsCompletedSuccessfully)
            {
                published.Add(row.Sequence);
            }
            else
            {
                var failed = await RecordFailureAsync(db, row, publish.Exception?.InnerException ?? new TaskCanceledException(), cancellationToken);
                pass = new Pass(pass.MoreReady && failed.MoreReady, Min(pass.Wait, failed.Wait));
            }
        }

        if (published.Count > 0)
        {
            var sequences = published.ToArray();
            await db.Database.ExecuteSqlAsync(
                $"DELETE FROM messaging.outbox_messages WHERE sequence = ANY({sequences})",
                cancellationToken);
        }

        // Not cancellable: what the broker confirmed must be marked as published.
        await transaction.CommitAsync(CancellationToken.None);
        foreach (var (row, publish) in publishes)
        {
            if (publish.IsCompletedSuccessfully)
            {
                metrics.Published(row.MessageType);
            }
        }

        return pass;
    }

    private async Task PublishAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        var type = OutboxMessageTypes.Resolve(row.MessageType)
            ?? throw new OutboxPoisonException($"Unknown message type '{row.MessageType}'.");
        object message;
        try
        {
            message = JsonSerializer.Deserialize(row.Body, type, OutboxMessageTypes.JsonOptions)
                ?? throw new OutboxPoisonException($"The body is not a {type.Name}.");
        }
        catch (JsonException ex)
        {
            throw new OutboxPoisonException($"The body is not a {type.Name}: {ex.Message}", ex);
        }

        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = MessagingTelemetry.Source.StartActivity($"outbox relay {type.Name}", ActivityKind.Internal, parent);
        activity?.SetTag("messaging.message.id", row.Id);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        await bus.Publish(message, type, context => context.MessageId = row.Id, timeout.Token);
    }

    private async Task<Pass> RecordFailureAsync(TDbContext db, OutboxMessage row, Exception error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var attempts = row.Attempts + 1;
        var quarantine = error is OutboxPoisonException || attempts >= _options.MaxAttempts;
        var backoff = Min(_options.InitialBackoff * Math.Pow(2, Math.Min(attempts - 1, 30)), _options.MaxBackoff);
        DateTimeOffset? quarantinedAt = quarantine ? now : null;
        DateTimeOffset? nextAttemptAt = quarantine ? null : now + backoff;
        var lastError = Describe(error);
        metrics.PublishFailed(row.MessageType);

        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE messaging.outbox_messages
            SET attempts = {attempts}, last_error = {lastError}, next_attempt_at = {nextAttemptAt}, quarantined_at = {quarantinedAt}
            WHERE sequence = {row.Sequence}
            """,
            cancellationToken);

        if (quarantine)
        {
            LogQuarantined(row.Id, row.MessageType, attempts, lastError);
            return new Pass(true, TimeSpan.Zero);
        }

        LogPublishFailed(row.Id, row.MessageType, attempts, backoff, lastError);
        return new Pass(false, Min(backoff, _options.PollInterval));
    }

    private static string Describe(Exception error)
    {
        var text = $"{error.GetType().Name}: {error.Message}";
        return text.Length <= 2000 ? text : text[..2000];
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <param name="MoreReady">A full batch went out: look again at once.</param>
    /// <param name="Wait">Otherwise, how long until the next look (a commit signal wakes the relay earlier).</param>
    private readonly record struct Pass(bool MoreReady, TimeSpan Wait);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay pass failed; the relay looks again shortly")]
    private partial void LogPassFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing outbox message {MessageId} ({MessageType}) failed, attempt {Attempts}; next try in {Backoff}: {Error}")]
    private partial void LogPublishFailed(Guid messageId, string messageType, int attempts, TimeSpan backoff, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {MessageId} ({MessageType}) quarantined after {Attempts} attempt(s): {Error}")]
    private partial void LogQuarantined(Guid messageId, string messageType, int attempts, string error);
}
