using System.Globalization;
using System.Text;
using System.Text.Json;
using Imsa.Network.Bench.Backbone;
using Imsa.Network.Bench.Baselines;
using Imsa.Network.Bench.Measurement;

namespace Imsa.Network.Bench;

/// <summary>The machine a run measured; the load average says whether other work was running.</summary>
public sealed record MachineInfo(
    int Cores,
    string OperatingSystem,
    string Runtime,
    string PostgresVersion,
    string RabbitMqVersion,
    string? LoadAverageAtStart,
    string? LoadAverageAtEnd);

/// <summary>Everything one run measured, as written to bench/results.</summary>
public sealed record BenchResult(
    DateTimeOffset StartedAt,
    string RunId,
    MachineInfo Machine,
    BenchSettings Settings,
    IReadOnlyList<WarmupRound> Warmup,
    ThroughputResult Throughput,
    LatencyResult Latency,
    IReadOnlyList<PublishPatternResult> PublishPatterns,
    RabbitMqBaselineResult RabbitMq,
    IReadOnlyList<PostgresBaselineResult> Postgres,
    long EnvelopeBytes,
    long PeakWorkingSetBytes)
{
    /// <summary>Target of the issue: at least this many events/s end to end.</summary>
    public const double ThroughputTarget = 1_000;

    /// <summary>Target of the issue: p99 latency below this many ms at 200 events/s.</summary>
    public const double LatencyP99TargetMs = 50;

    public double BackboneVsRabbitMq => Throughput.EventsPerSecond / RabbitMq.MessagesPerSecond;

    /// <summary>Against the PostgreSQL baseline on the same connection settings as the backbone (the first).</summary>
    public double BackboneVsPostgres => Throughput.EventsPerSecond / Postgres[0].TransactionsPerSecond;

    public bool MeetsThroughputTarget => Throughput.EventsPerSecond >= ThroughputTarget;

    public bool MeetsLatencyTarget => Latency.EndToEnd.P99 < LatencyP99TargetMs;
}

/// <summary>Renders a result as Markdown (printed and saved) and saves it as JSON.</summary>
public static class BenchReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes bench-{timestamp}.json and .md into the results directory; returns the Markdown file's path.</summary>
    public static async Task<string> SaveAsync(BenchResult result, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        var name = Path.Combine(directory, $"bench-{result.StartedAt.UtcDateTime:yyyyMMdd-HHmmss}-{result.RunId}");
        await File.WriteAllTextAsync($"{name}.json", JsonSerializer.Serialize(result, Json), cancellationToken);
        await File.WriteAllTextAsync($"{name}.md", ToMarkdown(result), cancellationToken);
        return $"{name}.md";
    }

    public static string ToMarkdown(BenchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (t, l, r, p, m, s) = (result.Throughput, result.Latency, result.RabbitMq, result.Postgres[0], result.Machine, result.Settings);
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line($"# Backbone benchmark, {result.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC (run {result.RunId})");
        Line();
        Line($"Machine: {m.Cores} cores, {m.OperatingSystem}, {m.Runtime}, PostgreSQL {m.PostgresVersion}, RabbitMQ {m.RabbitMqVersion}; " +
             $"load average {m.LoadAverageAtStart ?? "?"} at start, {m.LoadAverageAtEnd ?? "?"} at end.");
        Line($"Settings: {N(s.Events)} events from {s.Writers} writers; latency run {s.LatencyRate} events/s for {s.LatencySeconds} s; " +
             $"prefetch {s.PrefetchCount}; relay batch {s.OutboxBatchSize}; event envelope {N(result.EnvelopeBytes)} bytes" +
             (s.NpgsqlSettings is null ? "." : $"; Npgsql settings \"{s.NpgsqlSettings}\"."));
        Line();
        Line("| Measurement | Result | Target / reference |");
        Line("| --- | --- | --- |");
        Line($"| Backbone throughput: write → outbox → relay → RabbitMQ → idempotent consumer commit | **{N(t.EventsPerSecond)} events/s** ({N(t.Events)} in {F(t.Seconds, 1)} s) | ≥ {N(BenchResult.ThroughputTarget)} events/s: {Verdict(result.MeetsThroughputTarget)} |");
        Line($"| End-to-end latency at {l.TargetRate} events/s, p50 / p95 / p99 / max | **{F(l.EndToEnd.P50, 1)} / {F(l.EndToEnd.P95, 1)} / {F(l.EndToEnd.P99, 1)} / {F(l.EndToEnd.Max, 1)} ms** | p99 < {N(BenchResult.LatencyP99TargetMs)} ms: {Verdict(result.MeetsLatencyTarget)} |");
        Line($"| Raw RabbitMQ.Client 7: publish with confirms + async consume | {N(r.MessagesPerSecond)} msg/s | bare MassTransit ≈ 7,800 msg/s (measured elsewhere) |");
        Line($"| Raw Npgsql: two-insert transactions, {p.Connections} connections, {(p.Tls ? "TLS as the backbone uses it" : "no TLS")} | {N(p.TransactionsPerSecond)} tx/s | ≈ 6,600 tx/s (measured elsewhere) |");
        Line($"| Backbone / raw RabbitMQ | {F(result.BackboneVsRabbitMq, 2)} | |");
        Line($"| Backbone / raw PostgreSQL | {F(result.BackboneVsPostgres, 2)} | ≤ 0.5: each event costs two transactions (writer and consumer) |");
        Line($"| CPU time per event, bench process (writer + relay + consumer), throughput run | {N(t.CpuMicrosecondsPerEvent)} µs | |");
        Line($"| Peak working set, bench process | {N(result.PeakWorkingSetBytes / 1024.0 / 1024.0)} MiB | |");
        Line();

        Line("## Throughput run: where the time goes");
        Line();
        Line("| | |");
        Line("| --- | --- |");
        Row("End to end", $"**{N(t.EventsPerSecond)} events/s** ({N(t.Events)} in {F(t.Seconds, 1)} s)");
        Row("Writers' SaveChanges (state + outbox row), while everything ran", $"{N(t.WritesPerSecond)}/s, done after {F(t.WritePhaseSeconds, 1)} s");
        Row("Relay publishes: overall / while the writers ran / after", $"{N(t.Relay.PublishesPerSecond)} / {Rate(t.Relay.PublishesPerSecondWhileWriting)} / {Rate(t.Relay.PublishesPerSecondAfterWriting)} per s");
        Row("One publish until its confirm: mean / p50 / p99", $"{F(t.Relay.PublishUntilConfirm.Mean, 2)} / {F(t.Relay.PublishUntilConfirm.P50, 2)} / {F(t.Relay.PublishUntilConfirm.P99, 2)} ms");
        Row("Relay time with a publish in flight", P(t.Relay.PublishShare));
        Row("Most rows waiting in the outbox", N(t.MaxOutboxBacklog));
        Row("Most events published, not yet consumed", N(t.MaxPublishedNotConsumed));
        Row("Latency under this full load: p50 / p99", $"{F(t.EndToEnd.P50, 0)} / {F(t.EndToEnd.P99, 0)} ms");
        Row("CPU per event: bench process / PostgreSQL / RabbitMQ", $"{N(t.CpuMicrosecondsPerEvent)} / {PerEvent(t.Cpu.PostgresSeconds, t.Events)} / {PerEvent(t.Cpu.RabbitMqSeconds, t.Events)} µs");
        Row("Machine busy (of which other processes)", Busy(t.Cpu));
        Row("GC: collections gen0/1/2, pauses, allocated per event",
            $"{t.Cpu.Runtime.Gen0Collections}/{t.Cpu.Runtime.Gen1Collections}/{t.Cpu.Runtime.Gen2Collections}, {N(t.Cpu.Runtime.GcPauseMilliseconds)} ms, {N(t.Cpu.Runtime.AllocatedMegabytes * 1024.0 / t.Events)} KiB");
        Row("Thread-pool work items per event; JIT during the run",
            $"{N((double)t.Cpu.Runtime.ThreadPoolWorkItems / t.Events)}; {N(t.Cpu.Runtime.JitCompiledMethods)} methods, {N(t.Cpu.Runtime.JitMilliseconds)} ms");
        Row("Check: effect rows / outbox rows left", $"{N(t.EffectRows)} / {N(t.OutboxRowsLeft)}");
        Line();

        Line($"## Latency run: {N(l.Events)} events at {N(l.AchievedRate)} events/s");
        Line();
        Line("| Stage (ms) | p50 | p95 | p99 | max |");
        Line("| --- | --- | --- | --- | --- |");
        Stage("Writer's SaveChanges (state + outbox row)", l.WriteTransaction);
        Stage("Commit → relay starts publishing the row", l.RelayPickup);
        Stage("Relay's publish until the broker's confirm", l.PublishUntilConfirm);
        Stage("Relay's publish → consumer's commit", l.PublishToEffect);
        Stage("**End to end** (writer's transaction start → consumer's commit)", l.EndToEnd);
        Line();
        Line($"CPU: {Cpu(l.Cpu)}; {N(l.CpuMicrosecondsPerEvent)} µs of bench-process CPU per event.");
        Line();

        Line("## Publish patterns: the writer's bus publishing directly (no outbox, no writer transaction)");
        Line();
        Line("Why the relay starts a batch's publishes before awaiting their confirms: the same events through the same bus and consumer, published two ways.");
        Line();
        Line("| Pattern | Published/s | Effects committed/s | Bench CPU per event | Delivered out of publish order | Machine busy (other processes) |");
        Line("| --- | --- | --- | --- | --- | --- |");
        foreach (var pattern in result.PublishPatterns)
        {
            Line($"| {pattern.Pattern} ({N(pattern.Events)} events) | {N(pattern.PublishedPerSecond)} | {N(pattern.ConsumedPerSecond)} | " +
                 $"{N(pattern.CpuMicrosecondsPerEvent)} µs | {N(pattern.DeliveredOutOfOrder)} | {Busy(pattern.Cpu)} |");
        }

        Line();
        Line("## Raw baselines");
        Line();
        Line($"- RabbitMQ.Client 7, default exchange → durable queue, persistent {N(r.BodyBytes)}-byte messages, up to {r.ConfirmWindow} confirms outstanding, " +
             $"prefetch {r.Prefetch}, one async consumer acking each: {N(r.Messages)} messages in {F(r.Seconds, 2)} s = **{N(r.MessagesPerSecond)} msg/s** " +
             $"(published at {N(r.PublishedPerSecond)}/s). CPU: {Cpu(r.Cpu)}");
        Line($"- The same, one publish at a time, each confirm awaited before the next (as the relay publishes): " +
             $"**{N(r.SequentialConfirmsPerSecond)} msg/s**, confirm p50 {F(r.SequentialConfirm.P50, 2)} ms, p99 {F(r.SequentialConfirm.P99, 2)} ms.");
        foreach (var pg in result.Postgres)
        {
            Line($"- Npgsql, {pg.Connections} connections, {(pg.Tls ? "TLS" : "no TLS")}, each transaction two prepared inserts (a state row and an outbox-shaped row): " +
                 $"{N(pg.Transactions)} in {F(pg.Seconds, 2)} s = **{N(pg.TransactionsPerSecond)} tx/s**. CPU: {Cpu(pg.Cpu)}");
        }

        Line();
        Line($"Warm-up before the first throughput run, rounds of {N(s.WarmupEvents)} events until under {P(JitWarmup.SettledShare)} of a round went to the JIT: " +
             string.Join(", ", result.Warmup.Select(w => $"{N(w.EventsPerSecond)}/s (JIT {P(w.JitShare)})")) + ".");
        return md.ToString();

        void Row(string name, string value) => Line($"| {name} | {value} |");

        void Stage(string name, DurationStats d) =>
            Line($"| {name} | {F(d.P50, 1)} | {F(d.P95, 1)} | {F(d.P99, 1)} | {F(d.Max, 1)} |");
    }

    private static string Cpu(CpuUsage cpu)
    {
        var text = $"bench process {F(cpu.BenchSeconds, 1)} s";
        if (cpu.MachineBusySeconds is not null)
        {
            text += $", PostgreSQL {F(cpu.PostgresSeconds ?? 0, 1)} s, RabbitMQ {F(cpu.RabbitMqSeconds ?? 0, 1)} s, other {F(Math.Max(0, cpu.OtherSeconds ?? 0), 1)} s " +
                    $"of {F(cpu.ElapsedSeconds * cpu.Cores, 1)} core-seconds; machine {P(cpu.MachineBusyShare ?? 0)} busy";
        }

        return text;
    }

    private static string Busy(CpuUsage cpu) =>
        cpu.MachineBusyShare is { } busy ? $"{P(busy)} ({P(Math.Max(0, cpu.OtherSeconds ?? 0) / (cpu.ElapsedSeconds * cpu.Cores))})" : "n/a";

    private static string PerEvent(double? seconds, int events) => seconds is { } value ? N(value * 1e6 / events) : "n/a";

    private static string Verdict(bool met) => met ? "met" : "**not met**";

    private static string Rate(double? rate) => rate is { } value ? N(value) : "n/a";

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => value.ToString($"F{decimals}", CultureInfo.InvariantCulture);

    private static string P(double share) => share.ToString("P0", CultureInfo.InvariantCulture);
}
