using System.Globalization;
using System.Text;
using Imsa.Network.Bench.Measurement;

namespace Imsa.Network.Bench.Journeys;

/// <summary>Renders a journeys result as Markdown (printed and saved beside its JSON).</summary>
public static class JourneyReport
{
    private static readonly string[] Services = ["Counselling", "Handovers", "Partners"];
    private static readonly string[] Processes = [.. Services, "PostgreSQL", "RabbitMQ", "Bench"];

    public static string ToMarkdown(JourneyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (s, m, paced) = (result.Settings, result.Machine, result.Paced);
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line($"## Complete journeys, {result.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, run {result.RunId}");
        Line();
        if (result.Peak is not { } peak)
        {
            Line($"Machine: {m.Cores} cores, {m.OperatingSystem}, {m.Runtime}; PostgreSQL {m.PostgresVersion}, RabbitMQ {m.RabbitMqVersion}; " +
                 $"load average {m.LoadAverageAtStart ?? "?"} at the start, {m.LoadAverageAtEnd ?? "?"} at the end. Commit {result.Commit ?? "?"}. " +
                 "Baselines only (--baselines-only): no services were started.");
            Line();
            Line("| Measurement | Result | Target / reference |");
            Line("| --- | --- | --- |");
            BaselineRows(result, Line);
            RawJourneyNote(result, Line);
            return md.ToString();
        }

        Line($"Machine: {m.Cores} cores, {m.OperatingSystem}, {m.Runtime}; PostgreSQL {m.PostgresVersion}, RabbitMQ {m.RabbitMqVersion}; " +
             $"load average {m.LoadAverageAtStart ?? "?"} at the start, {m.LoadAverageAtEnd ?? "?"} at the end. Commit {result.Commit ?? "?"}. " +
             "The three services (Release builds, each its own process, Production, log level Warning), PostgreSQL, RabbitMQ and this bench " +
             "(the load generator) share the cores.");
        if (s.ServiceEnvironment.Count > 0 || s.NpgsqlSettings is not null)
        {
            Line();
            Line($"Service settings changed for this run: {string.Join(", ", s.ServiceEnvironment)}" +
                 $"{(s.NpgsqlSettings is null ? "" : $" connection strings + \"{s.NpgsqlSettings}\"")}.");
        }

        Line();
        Line($"Network: {s.Partners} origin partners and {s.Receivers} receiving services (maxOpenHandovers {N(s.ReceiverCapacity)}), set up through the Partners API " +
             $"in {F(result.SetupSeconds, 1)} s; services ready {F(result.ServiceStartSeconds, 1)} s after their start. A journey: POST /cases, POST /cases/{{id}}/consents, " +
             $"POST /handovers, accept (again while 404/409, the ticket not yet offered, pausing {s.RetryMilliseconds} ms doubling up to 100 ms), GET /cases/{{id}} as the partner every {s.PollMilliseconds} ms " +
             "(after 100 ms: every tenth of the time waited) until the handover shows accepted, GET /cases/{id}/dossier, POST /handovers/{id}/outcomes " +
             "(first contact made); a random partner and receiver each. A journey that fails does not count; the figures of its calls do.");
        Line();

        Line("| Measurement | Result | Target / reference |");
        Line("| --- | --- | --- |");
        Line($"| **Peak, complete journeys/s** ({peak.Workers} concurrent journeys, closed loop, {F(peak.Seconds, 0)} s) | **{F(peak.JourneysPerSecond, 1)}** " +
             $"({N(peak.Completed)} completed, {peak.Failed} failed) | ≥ {N(JourneyResult.ThroughputTarget)}: {Verdict(result.MeetsThroughputTarget)} |");
        Line($"| Accept → visible on the origin's case at the peak, p50 / p95 / p99 / max | {Ms(peak.Propagation)} ms | |");
        if (peak.CpuPerJourney("Bench") is not null)
        {
            var perJourney = Processes.Sum(p => peak.CpuPerJourney(p) ?? 0);
            Line($"| CPU per journey at the peak, all processes (services, PostgreSQL, RabbitMQ, bench) | {F(perJourney, 1)} ms: {m.Cores} cores allow at most " +
                 $"{F(m.Cores * 1e3 / perJourney, 1)} journeys/s | ≥ {N(JourneyResult.ThroughputTarget)} journeys/s needs ≤ {F(m.Cores * 1e3 / JourneyResult.ThroughputTarget, 1)} ms |");
        }

        if (paced is not null)
        {
            Line($"| **Accept → visible on the origin's case at {F(paced.OfferedRate ?? 0, 1)} journeys/s** ({P(s.PacedShare)} of the peak, paced), p50 / p95 / p99 / max " +
                 $"| **{Ms(paced.Propagation)} ms** | p99 < {N(JourneyResult.PropagationP99TargetMs)} ms: {Verdict(result.MeetsPropagationTarget ?? false)} |");
        }

        BaselineRows(result, Line);
        RawJourneyNote(result, Line);
        Line();
        Line("### Runs");
        Line();
        Line("| Run | journeys/s | completed / failed | journey p50 / p95 / p99 ms | POST /handovers until accepted, p50 / p99 ms | accept → visible on the case, p50 / p95 / p99 / max ms | HTTP calls per journey | machine busy (other) | consumers caught up after |");
        Line("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var run in result.Warmup.Concat(result.Closed).Concat(paced is null ? [] : [paced]))
        {
            Line($"| {run.Name}{(run.Paced ? $" (late starts p99 {F(run.StartDelay.P99, 0)} ms)" : "")} | **{F(run.JourneysPerSecond, 1)}** | {N(run.Completed)} / {run.Failed} | " +
                 $"{F(run.Journey.P50, 0)} / {F(run.Journey.P95, 0)} / {F(run.Journey.P99, 0)} | {F(run.HandoverWait.P50, 0)} / {F(run.HandoverWait.P99, 0)} | " +
                 $"{Ms(run.Propagation)} | {F(run.CallsPerJourney, 1)} | {Busy(run.Cpu)} | {(run.CaughtUpSeconds is { } caughtUp ? $"{F(caughtUp, 1)} s" : "> 3 min")} |");
        }

        Line();
        Line("Consumers caught up after: from the run's end until no outbox row and no queued message was left in any service; the next run starts only then.");

        var failing = result.Warmup.Concat(result.Closed).Concat(paced is null ? [] : [paced]).Where(r => r.Failed > 0).ToList();
        if (failing.Count > 0)
        {
            Line();
            Line("Journeys that did not complete, by what stopped them:");
            Line();
            foreach (var run in failing)
            {
                Line($"- {run.Name}: {string.Join("; ", run.Failures.Select(f => $"{f.Value} × {f.Key}"))}. First: {run.FirstFailure}");
            }
        }

        foreach (var run in paced is null ? [peak] : new[] { peak, paced })
        {
            Line();
            Line($"### Steps, {run.Name}");
            Line();
            Line("| Step | service | calls per journey | p50 ms | p95 ms | p99 ms | max ms | answers |");
            Line("| --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var step in run.Steps)
            {
                Line($"| {step.Endpoint} | {step.Service} | {F(step.CallsPerJourney, 2)} | {F(step.Latency.P50, 1)} | {F(step.Latency.P95, 1)} | {F(step.Latency.P99, 1)} | " +
                     $"{F(step.Latency.Max, 1)} | {string.Join(", ", step.Statuses.Select(x => $"{x.Key}: {N(x.Value)}"))} |");
            }
        }

        Line();
        Line("### Where the CPU goes");
        Line();
        Line($"| Run | CPU ms per journey: {string.Join(" / ", Processes)} | share of the machine: {string.Join(" / ", Processes)} / other | machine busy |");
        Line("| --- | --- | --- | --- |");
        foreach (var run in result.Closed.Concat(paced is null ? [] : [paced]))
        {
            var c = run.Cpu;
            var shares = Processes.Select(p => Share(run.CpuPerJourney(p) * run.CompletedInTime / 1e3, c)).Append(Other(c.OtherSeconds / c.Capacity));
            Line($"| {run.Name} | {string.Join(" / ", Processes.Select(p => F(run.CpuPerJourney(p) ?? 0, 2)))} | {string.Join(" / ", shares)} | {P(c.MachineBusyShare ?? 0)} |");
        }

        Line();
        Line("CPU from /proc (utime + stime of each process). PostgreSQL: its server processes and the backends of this run's three databases, not those " +
             "of other databases; RabbitMQ: the Erlang VM, shared with anything else using the broker. \"Other\" is the machine's busy time (/proc/stat) " +
             "less these processes': other users' builds and tests, the kernel's own threads; – where the tick-sampled machine figure falls short.");
        Line();
        Line("### Where work waited");
        Line();
        Line("| Run | most rows in an outbox | most messages in a queue | PostgreSQL sessions of the three databases, average per sample |");
        Line("| --- | --- | --- | --- |");
        foreach (var run in result.Closed.Concat(paced is null ? [] : [paced]))
        {
            var w = run.Monitor;
            var queues = w.QueueDepthMax.OrderByDescending(q => q.Value).Take(4).Select(q => $"{q.Key} {N(q.Value)}").ToList();
            Line($"| {run.Name} | {string.Join(", ", w.OutboxBacklogMax.Select(o => $"{o.Key} {N(o.Value)}"))} | {(queues.Count == 0 ? "none seen" : string.Join(", ", queues))} | " +
                 $"{string.Join(", ", w.PostgresSessions.Where(x => x.Value >= 0.05).Select(x => $"{x.Key} {F(x.Value, 1)}"))} |");
        }

        Line();
        Line("Samples every 250 ms (queues every second; RabbitMQ's management statistics themselves refresh every 5 s).");
        Line();
        Line("### Per completed journey, inside the services");
        Line();
        Line($"| Run | transactions committed: {string.Join(" / ", Services)} | rolled back | error log lines | consumer retries (R-RETRY) |");
        Line("| --- | --- | --- | --- | --- |");
        foreach (var run in result.Closed.Concat(paced is null ? [] : [paced]))
        {
            var w = run.Monitor;
            string PerJourney(IReadOnlyDictionary<string, long> counts) =>
                string.Join(" / ", Services.Select(service => F(counts.GetValueOrDefault(service) / (double)Math.Max(run.CompletedInTime, 1), 2)));
            Line($"| {run.Name} | {PerJourney(w.Commits)} | {PerJourney(w.Rollbacks)} | {PerJourney(w.ErrorLines)} | {PerJourney(w.ConsumerRetries)} |");
        }

        Line();
        Line($"Each column: {string.Join(" / ", Services)}. Counted over the run's duration and divided by the journeys completed in it.");
        Line();
        Line($"Services' peak resident memory: {string.Join(", ", result.ServicePeakResidentBytes.Select(r => $"{r.Key} {(r.Value is { } bytes ? $"{bytes / 1024 / 1024:N0} MiB" : "?")}"))}.");
        if (result.Backbone is { } baseline)
        {
            Line($"Backbone warm-up rounds: {string.Join(", ", baseline.Warmup.Select(w => N(w.EventsPerSecond)))} events/s.");
        }

        return md.ToString();
    }

    /// <summary>The baselines of the same run and the product's ratios to them, as rows of the summary table.</summary>
    private static void BaselineRows(JourneyResult result, Action<string> line)
    {
        if (result.Backbone is { } backbone)
        {
            var b = backbone.Throughput;
            line($"| Backbone baseline in the same run ({N(b.Events)} events, {b.Writers} writers) | {N(b.EventsPerSecond)} events/s " +
                 $"(machine {P(b.Cpu.MachineBusyShare ?? 0)} busy, other processes {P(Math.Max(0, b.Cpu.OtherSeconds ?? 0) / (b.Cpu.ElapsedSeconds * b.Cpu.Cores))}) | bench/run.sh |");
            if (result.BackboneRatio is { } ratio)
            {
                line($"| Journeys/s ÷ backbone events/s | **{F(ratio, 3)}** (one journey ≈ {F(1 / ratio, 1)} backbone events) | |");
            }
        }

        if (result.Raw?.RabbitMq is { } rabbitMq)
        {
            line($"| Raw RabbitMQ baseline in the same run ({N(rabbitMq.Messages)} persistent messages of {N(rabbitMq.BodyBytes)} bytes, confirms, prefetch {rabbitMq.Prefetch}) " +
                 $"| {N(rabbitMq.MessagesPerSecond)} msgs/s (one at a time awaiting each confirm: {N(rabbitMq.SequentialConfirmsPerSecond)}/s) | bench/run.sh |");
        }

        if (result.Raw?.Postgres is { } postgres)
        {
            line($"| Raw Npgsql baseline in the same run ({N(postgres.Transactions)} transactions of two inserts, {postgres.Connections} connections, TLS {postgres.Tls}) " +
                 $"| {N(postgres.TransactionsPerSecond)} tx/s (machine {P(postgres.Cpu.MachineBusyShare ?? 0)} busy) | bench/run.sh |");
        }

        if (result.Raw?.Journey is { } raw)
        {
            var c = raw.Cpu;
            line($"| **Raw journey baseline** in the same run ({N(raw.Journeys)} journeys, {raw.Workers} at once; raw Npgsql and RabbitMQ.Client) " +
                 $"| **{F(raw.JourneysPerSecond, 1)} journeys/s**: journey p50 / p99 {F(raw.Journey.P50, 1)} / {F(raw.Journey.P99, 1)} ms; " +
                 $"CPU per journey {F(raw.CpuMillisecondsPerJourney, 2)} ms (bench {F(c.BenchSeconds * 1e3 / raw.Journeys, 2)}, PostgreSQL {F(raw.PostgresMillisecondsPerJourney, 2)}, " +
                 $"RabbitMQ {F((c.RabbitMqSeconds ?? 0) * 1e3 / raw.Journeys, 2)}); machine {P(c.MachineBusyShare ?? 0)} busy, other processes " +
                 $"{(raw.OtherShare is { } other ? P(other) : "?")} | the floor of this machine |");
        }

        if (result.RawJourneyRatio is { } journeyRatio)
        {
            line($"| Peak journeys/s ÷ raw journeys/s | **{F(journeyRatio, 3)}** (the raw journey is {F(1 / journeyRatio, 1)} × as fast) | |");
        }

        if (result.RawNpgsqlRatio is { } npgsqlRatio)
        {
            line($"| Peak journeys/s ÷ raw Npgsql tx/s | **{F(npgsqlRatio, 4)}** | target ≥ {F(JourneyResult.RawNpgsqlRatioTarget, 3)} for issue 16's 150/s: " +
                 $"{Verdict(result.MeetsRawNpgsqlRatioTarget ?? false)} |");
        }
    }

    private static void RawJourneyNote(JourneyResult result, Action<string> line)
    {
        if (result.Raw?.Journey is not { } raw)
        {
            return;
        }

        line("");
        line("Raw journey baseline (Baselines/RawJourneyBaseline.cs): one journey's 6 write transactions (case + CaseOpened, consent + ConsentGranted, " +
             "ticket + HandoverOffered, acceptance + HandoverAccepted, dossier read + disclosure row, outcome + HandoverOutcomeRecorded), " +
             "each with its outbox rows; per service database a relay (up to 100 rows FOR UPDATE SKIP LOCKED, published with publisher confirms, deleted); " +
             $"8 consumer transactions (inbox insert ON CONFLICT DO NOTHING + effect upsert, then ack; prefetch {raw.Prefetch}, {raw.ConsumerConcurrency} at once per consumer): " +
             "Handovers 2, Counselling 3, Partners 3; and a read of the case. In this process with raw Npgsql (prepared statements, no reset on a pooled " +
             "connection's return) and RabbitMQ.Client: no ASP.NET Core, EF Core, MassTransit, HTTP, tokens or encryption; waits are in-process signals, not polls. " +
             $"Warm-up rounds of 200 journeys until the JIT took under 5 % of a round ({raw.WarmupJitShares.Count}: {string.Join(", ", raw.WarmupJitShares.Select(P))}); " +
             $"timed until every message was consumed. {F(raw.TransactionsPerJourney, 1)} PostgreSQL transactions per journey ({F(raw.RelayPassesPerJourney, 2)} relay passes). " +
             "PostgreSQL's CPU counts its server processes and the backends of the baseline's three databases, not other databases'; RabbitMQ's the whole broker. " +
             "Other processes (other databases' backends included) take cores from it: the figure is this machine's floor only when they are near 0 %.");
    }

    private static string Ms(DurationStats d) => $"{F(d.P50, 1)} / {F(d.P95, 1)} / {F(d.P99, 1)} / {F(d.Max, 1)}";

    private static string Busy(JourneyCpu cpu) =>
        cpu.MachineBusyShare is { } busy ? $"{P(busy)} ({Other(cpu.OtherSeconds / cpu.Capacity)})" : "n/a";

    private static string Share(double? seconds, JourneyCpu cpu) => seconds is { } value ? P(value / cpu.Capacity) : "?";

    /// <summary>Below −2 %, the machine's tick-sampled busy time fell short of the processes' own counters: not derivable.</summary>
    private static string Other(double? share) => share is null or < -0.02 ? "–" : P(Math.Max(0, share.Value));

    private static string Verdict(bool met) => met ? "met" : "**not met**";

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => value.ToString($"F{decimals}", CultureInfo.InvariantCulture);

    private static string P(double share) => share.ToString("P0", CultureInfo.InvariantCulture);
}
