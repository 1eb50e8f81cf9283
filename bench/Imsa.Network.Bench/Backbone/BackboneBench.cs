using System.Diagnostics;
using System.Globalization;
using Imsa.Network.Bench.Measurement;
using Imsa.Network.Messaging;
using Imsa.Network.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Imsa.Network.Bench.Backbone;

/// <summary>
/// The backbone as two services use it, in one process: a writing service commits a state row and its
/// event (db.AddEvent) in one SaveChanges and its outbox relay publishes the event to RabbitMQ; a reading
/// service's idempotent consumer commits an effect row (and its inbox row) in its own database. Both are
/// generic hosts wired by <see cref="MessagingServiceCollectionExtensions.AddMessaging{TDbContext}"/>, each
/// with its own database, on the run's own virtual host.
/// </summary>
public sealed class BackboneBench : IAsyncDisposable
{
    private const string OutboxBacklogSql = "SELECT count(*) FROM messaging.outbox_messages";
    private const int MaxWarmupRounds = 12;
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);

    private readonly BenchSettings _settings;
    private readonly BackboneProbe _probe;
    private readonly IHost _reader;
    private readonly IHost _writer;
    private readonly NpgsqlDataSource _writerDatabase;
    private readonly NpgsqlDataSource _readerDatabase;
    private readonly List<IHost> _started = [];
    private int _phase;

    private BackboneBench(BenchSettings settings, BenchInfrastructure infrastructure)
    {
        _settings = settings;
        _probe = new BackboneProbe();
        var readerConnection = infrastructure.ConnectionString(infrastructure.ReaderDatabase);
        var writerConnection = infrastructure.ConnectionString(infrastructure.WriterDatabase);
        _reader = BuildHost<ReaderDbContext>("bench-reader", readerConnection, infrastructure.VirtualHost, relayEnabled: false,
            bus => bus.AddConsumer<BenchOrderPlacedConsumer>(),
            services =>
            {
                services.AddSingleton(_probe);
                services.AddConsumeObserver<BackboneConsumeObserver>();
            });
        _writer = BuildHost<WriterDbContext>("bench-writer", writerConnection, infrastructure.VirtualHost, relayEnabled: true);
        _writerDatabase = NpgsqlDataSource.Create(writerConnection);
        _readerDatabase = NpgsqlDataSource.Create(readerConnection);
    }

    /// <summary>Size of one event's MassTransit envelope as the consumer received it.</summary>
    public long EnvelopeBytes => _probe.EnvelopeBytes;

    /// <summary>Creates both schemas and starts the reader (its queue and bindings), then the writer.</summary>
    public static async Task<BackboneBench> StartAsync(BenchSettings settings, BenchInfrastructure infrastructure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(infrastructure);
        var bench = new BackboneBench(settings, infrastructure);
        try
        {
            await bench.StartHostAsync<ReaderDbContext>(bench._reader, cancellationToken);
            await bench.StartHostAsync<WriterDbContext>(bench._writer, cancellationToken);
            return bench;
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends rounds of events through every stage until JIT, pools and channels are warm.</summary>
    public async Task<IReadOnlyList<WarmupRound>> WarmUpAsync(CancellationToken cancellationToken)
    {
        var rounds = new List<WarmupRound>();
        await JitWarmup.UntilSettledAsync(
            async () =>
            {
                var timeline = _probe.Begin(++_phase, _settings.WarmupEvents);
                var before = CpuSnapshot.Take();
                await AwaitDeliveryAsync(timeline, WriteFlatOutAsync(timeline, cancellationToken), cancellationToken);
                var usage = before.Until(CpuSnapshot.Take());
                _probe.End();
                rounds.Add(new WarmupRound(
                    timeline.Count,
                    timeline.Count / usage.ElapsedSeconds,
                    usage.Runtime.JitCompiledMethods,
                    usage.Runtime.JitMilliseconds / 1000 / usage.ElapsedSeconds));
            },
            MaxWarmupRounds);
        return rounds;
    }

    /// <summary>Measurement 1: <see cref="BenchSettings.Events"/> events from <see cref="BenchSettings.Writers"/> concurrent writers.</summary>
    public async Task<ThroughputResult> MeasureThroughputAsync(CancellationToken cancellationToken)
    {
        var timeline = _probe.Begin(++_phase, _settings.Events);
        var cpuBefore = CpuSnapshot.Take();
        var progress = await AwaitDeliveryAsync(timeline, WriteFlatOutAsync(timeline, cancellationToken), cancellationToken);
        var cpu = cpuBefore.Until(CpuSnapshot.Take());
        _probe.End();

        var seconds = Stopwatch.GetElapsedTime(timeline.FirstWriteStarted, timeline.LastConsumed).TotalSeconds;
        var writeSeconds = Stopwatch.GetElapsedTime(timeline.FirstWriteStarted, timeline.LastWriteCommitted).TotalSeconds;
        return new ThroughputResult(
            timeline.Count,
            _settings.Writers,
            seconds,
            timeline.Count / seconds,
            writeSeconds,
            timeline.Count / writeSeconds,
            ProfileRelay(timeline),
            progress.Select(p => p.OutboxBacklog).DefaultIfEmpty().Max(),
            progress.Select(p => p.Published - p.Consumed).DefaultIfEmpty().Max(),
            timeline.EndToEnd(),
            cpu,
            cpu.BenchSeconds * 1e6 / timeline.Count,
            await CountAsync(_readerDatabase, "SELECT count(*) FROM bench_effects WHERE phase = $1", timeline.Phase, cancellationToken),
            await CountAsync(_writerDatabase, OutboxBacklogSql, phase: null, cancellationToken),
            progress);
    }

    /// <summary>Measurement 2: <see cref="BenchSettings.LatencyRate"/> events/s for <see cref="BenchSettings.LatencySeconds"/>.</summary>
    public async Task<LatencyResult> MeasureLatencyAsync(CancellationToken cancellationToken)
    {
        var rate = _settings.LatencyRate;
        var timeline = _probe.Begin(++_phase, rate * _settings.LatencySeconds);
        var cpuBefore = CpuSnapshot.Take();
        var pacing = WritePacedAsync(timeline, rate, cancellationToken);
        await AwaitDeliveryAsync(timeline, pacing, cancellationToken);
        var cpu = cpuBefore.Until(CpuSnapshot.Take());
        _probe.End();

        return new LatencyResult(
            rate,
            await pacing,
            timeline.Count,
            Stopwatch.GetElapsedTime(timeline.FirstWriteStarted, timeline.LastConsumed).TotalSeconds,
            timeline.EndToEnd(),
            timeline.WriteTransaction(),
            timeline.RelayPickup(),
            timeline.PublishUntilConfirm(),
            timeline.PublishToEffect(),
            cpu,
            cpu.BenchSeconds * 1e6 / timeline.Count);
    }

    /// <summary>
    /// Publish patterns: the writer's bus publishes events itself (no outbox, no writer transaction), either one at
    /// a time awaiting each confirm, or a relay batch at a time with all its confirms awaited together (as the relay
    /// does). The consumer is the same; the rate is up to the last effect committed.
    /// </summary>
    public async Task<PublishPatternResult> MeasurePublishPatternAsync(bool concurrent, int count, CancellationToken cancellationToken)
    {
        var bus = _writer.Services.GetRequiredService<IBus>();
        var timeline = _probe.Begin(++_phase, count);
        var cpuBefore = CpuSnapshot.Take();
        var start = Stopwatch.GetTimestamp();
        var publishing = concurrent
            ? PublishBatchesAsync(bus, timeline, _settings.OutboxBatchSize, cancellationToken)
            : PublishBatchesAsync(bus, timeline, 1, cancellationToken);
        await AwaitDeliveryAsync(timeline, publishing, cancellationToken);
        var cpu = cpuBefore.Until(CpuSnapshot.Take());
        _probe.End();

        return new PublishPatternResult(
            concurrent ? $"{_settings.OutboxBatchSize} publishes at a time, confirms awaited together" : "one publish at a time, each confirm awaited",
            count,
            count / Stopwatch.GetElapsedTime(start, await publishing).TotalSeconds,
            count / Stopwatch.GetElapsedTime(start, timeline.LastConsumed).TotalSeconds,
            timeline.DeliveredOutOfIndexOrder(),
            cpu.BenchSeconds * 1e6 / count,
            cpu);
    }

    public async ValueTask DisposeAsync()
    {
        _probe.End();
        // The writer first: its relay stops publishing before the consumer goes away.
        foreach (var host in Enumerable.Reverse(_started))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await host.StopAsync(timeout.Token);
        }

        _writer.Dispose();
        _reader.Dispose();
        await _writerDatabase.DisposeAsync();
        await _readerDatabase.DisposeAsync();
        _probe.Dispose();
    }

    private IHost BuildHost<TDbContext>(
        string serviceName,
        string connectionString,
        string virtualHost,
        bool relayEnabled,
        Action<IBusRegistrationConfigurator>? consumers = null,
        Action<IServiceCollection>? services = null)
        where TDbContext : DbContext
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = serviceName,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Database"] = connectionString,
            ["RabbitMq:Host"] = _settings.RabbitMqHost,
            ["RabbitMq:Port"] = _settings.RabbitMqPort.ToString(CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = virtualHost,
            ["RabbitMq:Username"] = _settings.RabbitMqUser,
            ["RabbitMq:Password"] = _settings.RabbitMqPassword,
            ["RabbitMq:PrefetchCount"] = _settings.PrefetchCount.ToString(CultureInfo.InvariantCulture),
            ["Messaging:Outbox:BatchSize"] = _settings.OutboxBatchSize.ToString(CultureInfo.InvariantCulture),
            ["Messaging:Outbox:RelayEnabled"] = relayEnabled ? "true" : "false",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Services.AddDbContext<TDbContext>(options => options.UseNpgsql(connectionString));
        builder.AddMessaging<TDbContext>(serviceName, consumers);
        // Unlike a web service, the bench must not write before the consumer's queue is bound: start once the bus is up.
        builder.Services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = true);
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    private async Task StartHostAsync<TDbContext>(IHost host, CancellationToken cancellationToken)
        where TDbContext : DbContext
    {
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TDbContext>().Database.EnsureCreatedAsync(cancellationToken);
        }

        await host.StartAsync(cancellationToken);
        _started.Add(host);
    }

    /// <summary>What a service's command handler does: one state row and its event, one SaveChanges.</summary>
    private async Task WriteAsync(EventTimeline timeline, int index, CancellationToken cancellationToken)
    {
        await using var scope = _writer.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WriterDbContext>();
        var started = Stopwatch.GetTimestamp();
        var order = new BenchOrder
        {
            Id = Guid.CreateVersion7(),
            Reference = string.Create(CultureInfo.InvariantCulture, $"B{timeline.Phase}-{index:D6}"),
            Phase = timeline.Phase,
            Index = index,
            PlacedAt = DateTimeOffset.UtcNow,
        };
        db.Orders.Add(order);
        var messageId = db.AddEvent(new BenchOrderPlaced(order.Id, order.Reference, order.Phase, index, started, order.PlacedAt));
        timeline.OnWriteStarted(index, messageId, started);
        await db.SaveChangesAsync(cancellationToken);
        timeline.OnWriteCommitted(index, Stopwatch.GetTimestamp());
    }

    /// <summary>The writers take the next event number until all are written.</summary>
    private Task WriteFlatOutAsync(EventTimeline timeline, CancellationToken cancellationToken)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, _settings.Writers).Select(_ => Task.Run(
            async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < timeline.Count; i = Interlocked.Increment(ref next))
                {
                    await WriteAsync(timeline, i, cancellationToken);
                }
            },
            cancellationToken)));
    }

    /// <summary>
    /// Starts event i at start + i/rate whether or not earlier writes have finished (at most Writers in flight),
    /// so a slow write delays no later event's start. Returns the rate achieved.
    /// </summary>
    private async Task<double> WritePacedAsync(EventTimeline timeline, int rate, CancellationToken cancellationToken)
    {
        var writes = new List<Task>(timeline.Count);
        using var inFlight = new SemaphoreSlim(_settings.Writers);
        var start = Stopwatch.GetTimestamp();
        try
        {
            for (var i = 0; i < timeline.Count; i++)
            {
                var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                await inFlight.WaitAsync(cancellationToken);
                writes.Add(WriteThenReleaseAsync(timeline, i, inFlight, cancellationToken));
            }
        }
        finally
        {
            await Task.WhenAll(writes).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var issuing = Stopwatch.GetElapsedTime(start, timeline.LastWriteStarted);
        await Task.WhenAll(writes);
        return timeline.Count > 1 ? (timeline.Count - 1) / issuing.TotalSeconds : rate;
    }

    /// <summary>Publishes the timeline's events, <paramref name="batch"/> at a time; returns when the last was confirmed.</summary>
    private static async Task<long> PublishBatchesAsync(IBus bus, EventTimeline timeline, int batch, CancellationToken cancellationToken)
    {
        await Task.Yield();
        for (var first = 0; first < timeline.Count; first += batch)
        {
            var publishes = Enumerable.Range(first, Math.Min(batch, timeline.Count - first)).Select(index =>
            {
                var started = Stopwatch.GetTimestamp();
                var messageId = NewId.NextSequentialGuid();
                timeline.OnWriteStarted(index, messageId, started);
                var message = new BenchOrderPlaced(Guid.CreateVersion7(), "direct", timeline.Phase, index, started, DateTimeOffset.UtcNow);
                return bus.Publish(message, context => context.MessageId = messageId, cancellationToken);
            });
            await Task.WhenAll(publishes);
        }

        return Stopwatch.GetTimestamp();
    }

    private async Task WriteThenReleaseAsync(EventTimeline timeline, int index, SemaphoreSlim inFlight, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(timeline, index, cancellationToken);
        }
        finally
        {
            inFlight.Release();
        }
    }

    /// <summary>
    /// Waits until every event's effect is committed, sampling progress; fails when a writer fails or when no
    /// effect is committed for <see cref="StallTimeout"/>.
    /// </summary>
    private async Task<IReadOnlyList<ProgressSample>> AwaitDeliveryAsync(EventTimeline timeline, Task writers, CancellationToken cancellationToken)
    {
        var samples = new List<ProgressSample>();
        var start = Stopwatch.GetTimestamp();
        var lastProgress = start;
        var lastConsumed = 0;
        while (!timeline.AllConsumed.IsCompleted)
        {
            if (writers.IsFaulted || writers.IsCanceled)
            {
                await writers;
            }

            await Task.WhenAny(timeline.AllConsumed, Task.Delay(SampleInterval, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();

            var backlog = await CountAsync(_writerDatabase, OutboxBacklogSql, phase: null, cancellationToken);
            var sample = new ProgressSample(Stopwatch.GetElapsedTime(start).TotalSeconds, backlog, timeline.PublishedCount, timeline.ConsumedCount);
            samples.Add(sample);
            if (sample.Consumed > lastConsumed)
            {
                (lastConsumed, lastProgress) = (sample.Consumed, Stopwatch.GetTimestamp());
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > StallTimeout && !timeline.AllConsumed.IsCompleted)
            {
                throw new TimeoutException(
                    $"No effect committed for {StallTimeout.TotalSeconds:0} s: {sample.Consumed} of {timeline.Count} consumed, " +
                    $"{sample.Published} published, {backlog} rows in the outbox, {_probe.Faults} consumer faults.");
            }
        }

        await writers;
        return samples;
    }

    private static RelayProfile ProfileRelay(EventTimeline timeline)
    {
        var publishes = timeline.Publishes();
        if (publishes.Count < 2)
        {
            return RelayProfile.None;
        }

        var first = publishes[0].Started;
        var last = publishes.Max(p => p.Ended);
        var writesDone = timeline.LastWriteCommitted;
        var seconds = Stopwatch.GetElapsedTime(first, last).TotalSeconds;
        var durations = publishes.Select(p => Stopwatch.GetElapsedTime(p.Started, p.Ended).TotalMilliseconds).ToArray();

        var whileWriting = publishes.Count(p => p.Ended <= writesDone);
        var afterWriting = publishes.Where(p => p.Started > writesDone).ToArray();
        return new RelayProfile(
            publishes.Count,
            seconds,
            publishes.Count / seconds,
            whileWriting > 1 ? whileWriting / Stopwatch.GetElapsedTime(first, writesDone).TotalSeconds : null,
            afterWriting.Length > 1 ? afterWriting.Length / Stopwatch.GetElapsedTime(afterWriting[0].Started, last).TotalSeconds : null,
            DurationStats.Of(durations),
            InFlightSeconds(publishes) / seconds);
    }

    /// <summary>How long at least one publish was in flight (publishes sorted by start; they may overlap).</summary>
    private static double InFlightSeconds(IReadOnlyList<(long Started, long Ended)> publishes)
    {
        double seconds = 0;
        var (from, to) = publishes[0];
        foreach (var (started, ended) in publishes.Skip(1))
        {
            if (started > to)
            {
                seconds += Stopwatch.GetElapsedTime(from, to).TotalSeconds;
                from = started;
            }

            to = Math.Max(to, ended);
        }

        return seconds + Stopwatch.GetElapsedTime(from, to).TotalSeconds;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource database, string sql, int? phase, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(sql);
        if (phase is { } value)
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = value });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
