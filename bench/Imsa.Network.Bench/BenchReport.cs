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
    ThroughputResult Throughput,
    LatencyResult Latency,
    RabbitMqBaselineResult RabbitMq,
    PostgresBaselineResult Postgres,
    long EnvelopeBytes,
    long PeakWorkingSetBytes)
{
    /// <summary>Target of the issue: at least this many events/s end to end.</summary>
    public const double ThroughputTarget = 1_000;

    /// <summary>Target of the issue: p99 latency below this many ms at 200 events/s.</summary>
    public const double LatencyP99TargetMs = 50;

    public double BackboneVsRabbitMq => Throughput.EventsPerSecond / RabbitMq.MessagesPerSecond;

    public double BackboneVsPostgres => Throughput.EventsPerSecond / Postgres.TransactionsPerSecond;

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
        var (t, l, r, p, m, s) = (result.Throughput, result.Latency, result.RabbitMq, result.Postgres, result.Machine, result.Settings);
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line($"# Backbone benchmark, {result.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC (run {result.RunId})");
        Line();
        Line($"Machine: {m.Cores} cores, {m.OperatingSystem}, {m.Runtime}, PostgreSQL {m.PostgresVersion}, RabbitMQ {m.RabbitMqVersion}; " +
             $"load average {m.LoadAverageAtStart ?? "?"} at start, {m.LoadAverageAtEnd ?? "?"} at end.");
        Line($"Settings: {N(s.Events)} events from {s.Writers} writers; latency run {s.LatencyRate} events/s for {s.LatencySeconds} s; " +
             $"prefetch {s.PrefetchCount}; relay batch {s.OutboxBatchSize}; event envelope {N(result.EnvelopeBytes)} bytes.");
        Line();
        Line("| Measurement | Result | Target / reference |");
        Line("| --- | --- | --- |");
        Line($"| Backbone throughput: write → outbox → relay → RabbitMQ → idempotent consumer commit | **{N(t.EventsPerSecond)} events/s** ({N(t.Events)} in {F(t.Seconds, 1)} s) | ≥ {N(BenchResult.ThroughputTarget)} events/s: {Verdict(result.MeetsThroughputTarget)} |");
        Line($"| End-to-end latency at {l.TargetRate} events/s, p50 / p95 / p99 / max | **{F(l.EndToEnd.P50, 1)} / {F(l.EndToEnd.P95, 1)} / {F(l.EndToEnd.P99, 1)} / {F(l.EndToEnd.Max, 1)} ms** | p99 < {N(BenchResult.LatencyP99TargetMs)} ms: {Verdict(result.MeetsLatencyTarget)} |");
        Line($"| Raw RabbitMQ.Client 7: publish with confirms + async consume | {N(r.MessagesPerSecond)} msg/s | bare MassTransit ≈ 7,800 msg/s (measured elsewhere) |");
        Line($"| Raw Npgsql: two-insert transactions, {p.Connections} connections | {N(p.TransactionsPerSecond)} tx/s | ≈ 6,600 tx/s (measured elsewhere) |");
        Line($"| Backbone / raw RabbitMQ | {F(result.BackboneVsRabbitMq, 2)} | |");
        Line($"| Backbone / raw PostgreSQL | {F(result.BackboneVsPostgres, 2)} | ≤ 0.5: each event costs two transactions (writer and consumer) |");
        Line($"| CPU time per event, bench process (writer + relay + consumer), throughput run | {N(t.CpuMicrosecondsPerEvent)} µs | |");
        Line($"| Peak working set, bench process | {N(result.PeakWorkingSetBytes / 1024.0 / 1024.0)} MiB | |");
        Line();

        Line("## Throughput run: where the time goes");
        Line();
        Line($"- Writers: {N(t.Events)} SaveChanges (state row + outbox row) committed in {F(t.WritePhaseSeconds, 1)} s = {N(t.WritesPerSecond)}/s, while the relay and the consumer ran.");
        Line($"- Relay: {N(t.Relay.Publishes)} publishes in {F(t.Relay.Seconds, 1)} s = {N(t.Relay.PublishesPerSecond)}/s " +
             $"({Rate(t.Relay.PublishesPerSecondWhileWriting)}/s while the writers ran, {Rate(t.Relay.PublishesPerSecondAfterWriting)}/s after). " +
             $"One publish until its confirm: mean {F(t.Relay.PublishUntilConfirm.Mean, 2)} ms, p50 {F(t.Relay.PublishUntilConfirm.P50, 2)}, p99 {F(t.Relay.PublishUntilConfirm.P99, 2)}; " +
             $"{P(t.Relay.PublishShare)} of the relay's time was inside Publish; between publishes p50 {F(t.Relay.BetweenPublishes.P50, 3)} ms, p99 {F(t.Relay.BetweenPublishes.P99, 2)} ms.");
        Line($"- Backlogs: at most {N(t.MaxOutboxBacklog)} rows waiting in the outbox, at most {N(t.MaxPublishedNotConsumed)} events published but not yet consumed.");
        Line($"- End-to-end latency under full load: p50 {F(t.EndToEnd.P50, 0)} ms, p99 {F(t.EndToEnd.P99, 0)} ms, max {F(t.EndToEnd.Max, 0)} ms.");
        Line($"- CPU: {Cpu(t.Cpu)}");
        Line($"- Check: {N(t.EffectRows)} effect rows committed for {N(t.Events)} events; {N(t.OutboxRowsLeft)} outbox rows left.");
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

        Line("## Raw baselines");
        Line();
        Line($"- RabbitMQ.Client 7, default exchange → durable queue, persistent {N(r.BodyBytes)}-byte messages, up to {r.ConfirmWindow} confirms outstanding, " +
             $"prefetch {r.Prefetch}, one async consumer acking each: {N(r.Messages)} messages in {F(r.Seconds, 2)} s = **{N(r.MessagesPerSecond)} msg/s** " +
             $"(published at {N(r.PublishedPerSecond)}/s). CPU: {Cpu(r.Cpu)}");
        Line($"- The same, one publish at a time, each confirm awaited before the next (as the relay publishes): " +
             $"**{N(r.SequentialConfirmsPerSecond)} msg/s**, confirm p50 {F(r.SequentialConfirm.P50, 2)} ms, p99 {F(r.SequentialConfirm.P99, 2)} ms.");
        Line($"- Npgsql, {p.Connections} connections, each transaction two prepared inserts (a state row and an outbox-shaped row): " +
             $"{N(p.Transactions)} in {F(p.Seconds, 2)} s = **{N(p.TransactionsPerSecond)} tx/s**. CPU: {Cpu(p.Cpu)}");
        return md.ToString();

        void Stage(string name, DurationStats d) =>
            Line($"| {name} | {F(d.P50, 1)} | {F(d.P95, 1)} | {F(d.P99, 1)} | {F(d.Max, 1)} |");
    }

    private static string Cpu(CpuUsage cpu)
    {
        var text = $"bench process {F(cpu.BenchSeconds, 1)} s";
        if (cpu.MachineBusySeconds is not null)
        {
            text += $", PostgreSQL {F(cpu.PostgresSeconds ?? 0, 1)} s, RabbitMQ {F(cpu.RabbitMqSeconds ?? 0, 1)} s, other {F(cpu.OtherSeconds ?? 0, 1)} s " +
                    $"of {F(cpu.ElapsedSeconds * cpu.Cores, 1)} core-seconds; machine {P(cpu.MachineBusyShare ?? 0)} busy";
        }

        return text;
    }

    private static string Verdict(bool met) => met ? "met" : "**not met**";

    private static string Rate(double? rate) => rate is { } value ? N(value) : "n/a";

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => value.ToString($"F{decimals}", CultureInfo.InvariantCulture);

    private static string P(double share) => share.ToString("P0", CultureInfo.InvariantCulture);
}
