using System.Diagnostics.Metrics;
using Imsa.Network.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Messaging;

/// <summary>
/// The backbone's meter ("Imsa.Network.Messaging"): what the relay published and failed to publish, what the inbox
/// skipped as duplicates, which consumers failed; the outbox's depth and age are <see cref="OutboxGauges{TDbContext}"/>.
/// Labels are message type and consumer class names: a fixed set per release, never an id.
/// </summary>
public sealed class MessagingMetrics
{
    public const string MeterName = "Imsa.Network.Messaging";

    private readonly Counter<long> _published;
    private readonly Counter<long> _publishFailures;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _consumerFailures;

    public MessagingMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(MeterName);
        _published = Meter.CreateCounter<long>(
            "imsa.messaging.outbox.published", "{message}", "Outbox messages the broker confirmed, by message type.");
        _publishFailures = Meter.CreateCounter<long>(
            "imsa.messaging.outbox.publish_failures", "{attempt}", "Failed attempts to publish an outbox message, by message type.");
        _duplicates = Meter.CreateCounter<long>(
            "imsa.messaging.inbox.duplicates", "{message}", "Messages a consumer had already handled, skipped by the inbox.");
        _consumerFailures = Meter.CreateCounter<long>(
            "imsa.messaging.consumer.failures", "{attempt}", "Consume attempts that failed (each retry counts), by consumer and message type.");
    }

    internal Meter Meter { get; }

    internal void Published(string messageType) => _published.Add(1, new KeyValuePair<string, object?>("message_type", ShortName(messageType)));

    internal void PublishFailed(string messageType) => _publishFailures.Add(1, new KeyValuePair<string, object?>("message_type", ShortName(messageType)));

    internal void DuplicateSkipped(string consumer, string messageType) => _duplicates.Add(
        1, new KeyValuePair<string, object?>("consumer", consumer), new KeyValuePair<string, object?>("message_type", messageType));

    internal void ConsumerFailed(string consumer, string messageType) => _consumerFailures.Add(
        1, new KeyValuePair<string, object?>("consumer", consumer), new KeyValuePair<string, object?>("message_type", messageType));

    /// <summary>The metrics of the service that consumes <paramref name="context"/>; none outside a service (a bare test).</summary>
    internal static MessagingMetrics? Of(ConsumeContext context) =>
        context.TryGetPayload<IServiceProvider>(out var services) ? services.GetService<MessagingMetrics>() : null;

    // The outbox stores the assembly-qualified name ("Imsa.Network.Contracts.Handovers.HandoverEscalated, Imsa.Network.Contracts");
    // the type's own name is unique among the contracts.
    private static string ShortName(string messageType)
    {
        var fullName = messageType.Split(',', 2)[0].Trim();
        return fullName[(fullName.LastIndexOf('.') + 1)..];
    }
}

/// <summary>
/// The outbox's depth (messages waiting to be published), the age of the oldest of them, and the quarantined messages,
/// read from the service's database at most every <see cref="MetricsOptions.GaugeCacheDuration"/> and only when
/// scraped (<see cref="CachedReading{T}"/>).
/// </summary>
internal sealed class OutboxGauges<TDbContext> : IHostedService
    where TDbContext : DbContext
{
    private readonly CachedReading<OutboxReading> _reading;
    private readonly TimeProvider _time;

    public OutboxGauges(
        MessagingMetrics metrics, IServiceScopeFactory scopes, IOptions<MetricsOptions> options, TimeProvider time, ILogger<OutboxGauges<TDbContext>> logger)
    {
        _time = time;
        _reading = new CachedReading<OutboxReading>(
            async cancellationToken =>
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
                return await db.Database.SqlQuery<OutboxReading>($"""
                    SELECT count(*) FILTER (WHERE quarantined_at IS NULL) AS "Pending",
                           min(created_at) FILTER (WHERE quarantined_at IS NULL) AS "Oldest",
                           count(*) FILTER (WHERE quarantined_at IS NOT NULL) AS "Quarantined"
                    FROM messaging.outbox_messages
                    """).SingleAsync(cancellationToken);
            },
            options.Value.GaugeCacheDuration,
            time,
            logger);
        metrics.Meter.CreateObservableGauge(
            "imsa.messaging.outbox.depth", () => Measure(r => r.Pending), "{message}", "Outbox messages waiting to be published.");
        metrics.Meter.CreateObservableGauge(
            "imsa.messaging.outbox.age", () => Measure(r => r.Oldest is { } oldest ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0),
            "s", "Age of the oldest outbox message waiting to be published; 0 when none waits.");
        metrics.Meter.CreateObservableGauge(
            "imsa.messaging.outbox.quarantined", () => Measure(r => r.Quarantined), "{message}", "Outbox messages quarantined, waiting for an operator.");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<double>> Measure(Func<OutboxReading, double> value) =>
        _reading.Current is { } reading ? [new Measurement<double>(value(reading))] : [];
}

internal sealed class OutboxReading
{
    public long Pending { get; init; }

    public DateTimeOffset? Oldest { get; init; }

    public long Quarantined { get; init; }
}

internal static class MessagingMetricsRegistration
{
    /// <summary>The backbone's meter and the outbox gauges of <typeparamref name="TDbContext"/>'s database.</summary>
    public static IServiceCollection AddMessagingMetrics<TDbContext>(this IServiceCollection services)
        where TDbContext : DbContext
    {
        services.AddMetrics();
        services.AddOptions<MetricsOptions>().BindConfiguration("Metrics");
        services.TryAddSingleton<MessagingMetrics>();
        services.AddHostedService<OutboxGauges<TDbContext>>();
        return services;
    }
}
