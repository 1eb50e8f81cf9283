using Imsa.Network.Bench.Backbone;
using Imsa.Network.Bench.Baselines;
using Imsa.Network.Bench.Measurement;

namespace Imsa.Network.Bench.Journeys;

/// <summary>The HTTP calls of one step over a run.</summary>
/// <param name="Latency">From sending the request until its whole answer was read, every call (retries included), ms.</param>
/// <param name="Statuses">Answers by HTTP status code.</param>
public sealed record StepStats(JourneyStep Step, string Endpoint, string Service, int Calls, double CallsPerJourney, DurationStats Latency, IReadOnlyDictionary<int, int> Statuses);

/// <summary>CPU seconds spent during a run, per process (from /proc); "other" is the rest of the machine.</summary>
public sealed record JourneyCpu(
    double ElapsedSeconds,
    int Cores,
    IReadOnlyDictionary<string, double?> ServiceSeconds,
    double BenchSeconds,
    double? PostgresSeconds,
    double? RabbitMqSeconds,
    double? MachineBusySeconds)
{
    public double ProcessesSeconds => ServiceSeconds.Values.Sum(s => s ?? 0) + BenchSeconds + (PostgresSeconds ?? 0) + (RabbitMqSeconds ?? 0);

    public double? OtherSeconds => MachineBusySeconds - ProcessesSeconds;

    /// <summary>Busy share of cores × elapsed: /proc/stat's figure, or the processes' own sum where that is larger (tick sampling falls short at partial load).</summary>
    public double? MachineBusyShare => MachineBusySeconds is { } busy ? Math.Max(busy, ProcessesSeconds) / (ElapsedSeconds * Cores) : null;

    public double Capacity => ElapsedSeconds * Cores;
}

/// <summary>What the samplers saw during a run (every 250 ms; RabbitMQ's queues every second).</summary>
/// <param name="OutboxBacklogMax">Most rows waiting in each service's outbox.</param>
/// <param name="QueueDepthMax">Most messages (ready + unacknowledged) in each queue of the virtual host that had any.</param>
/// <param name="PostgresSessions">
/// Average PostgreSQL sessions per sample, by service database and what they were doing: running, waiting on a named event
/// (Lock: a row another transaction holds; IO: WALSync, a commit's flush), or idle in a transaction (waiting for the service).
/// </param>
/// <param name="Commits">Transactions committed in each service's database during the run.</param>
/// <param name="Rollbacks">Transactions rolled back (a failed consumer attempt, a refused request).</param>
/// <param name="ErrorLines">Lines each service logged at level Error.</param>
/// <param name="ConsumerRetries">MassTransit's R-RETRY lines: a consumer failed and will try the message again, after 200 ms or more.</param>
public sealed record MonitorSummary(
    int Samples,
    IReadOnlyDictionary<string, long> OutboxBacklogMax,
    IReadOnlyDictionary<string, long> QueueDepthMax,
    IReadOnlyDictionary<string, double> PostgresSessions,
    IReadOnlyDictionary<string, long> Commits,
    IReadOnlyDictionary<string, long> Rollbacks,
    IReadOnlyDictionary<string, long> ErrorLines,
    IReadOnlyDictionary<string, long> ConsumerRetries);

/// <summary>One load run of complete journeys.</summary>
/// <param name="Workers">Closed loop: concurrent journeys. Paced: most journeys in flight.</param>
/// <param name="OfferedRate">Paced runs: journeys started per second, whether or not earlier ones had finished.</param>
/// <param name="Completed">Journeys that reached first contact.</param>
/// <param name="Failures">Journeys that did not, by what stopped them.</param>
/// <param name="Seconds">The run's duration: journeys start during it; those in flight at its end finish afterwards.</param>
/// <param name="CompletedInTime">Journeys completed within the duration, over which the CPU was measured.</param>
/// <param name="Journey">A whole journey, from POST /cases to the first-contact answer, ms.</param>
/// <param name="HandoverWait">From the POST /handovers until the receiver's accept succeeded (the ticket offered), ms.</param>
/// <param name="Propagation">From the accept's answer until a read of the origin's case showed it accepted, ms.</param>
/// <param name="StartDelay">Paced runs: how late journeys started against when they were due, ms.</param>
/// <param name="CaughtUpSeconds">
/// Seconds from the run's end until no outbox row and no queued message was left (every consumer caught up); null when not
/// within three minutes. The next run starts only then.
/// </param>
public sealed record JourneyRun(
    string Name,
    bool Paced,
    int Workers,
    double? OfferedRate,
    double Seconds,
    int Completed,
    int Failed,
    IReadOnlyDictionary<string, int> Failures,
    string? FirstFailure,
    int CompletedInTime,
    DurationStats Journey,
    DurationStats HandoverWait,
    DurationStats Propagation,
    DurationStats StartDelay,
    IReadOnlyList<StepStats> Steps,
    double? CaughtUpSeconds,
    JourneyCpu Cpu,
    MonitorSummary Monitor)
{
    /// <summary>Journeys completed within the duration ÷ the duration.</summary>
    public double JourneysPerSecond => CompletedInTime / Seconds;

    public double CallsPerJourney => Steps.Sum(s => s.CallsPerJourney);

    /// <summary>CPU milliseconds per journey completed in time, of a process (by service name, or Bench, PostgreSQL, RabbitMQ).</summary>
    public double? CpuPerJourney(string process) => CompletedInTime == 0 ? null : process switch
    {
        "Bench" => Cpu.BenchSeconds * 1e3 / CompletedInTime,
        "PostgreSQL" => Cpu.PostgresSeconds * 1e3 / CompletedInTime,
        "RabbitMQ" => Cpu.RabbitMqSeconds * 1e3 / CompletedInTime,
        _ => Cpu.ServiceSeconds.GetValueOrDefault(process) * 1e3 / CompletedInTime,
    };
}

/// <summary>The backbone as bench/run.sh measures it, run first in the same process: the reference for the ratio.</summary>
public sealed record BackboneBaseline(IReadOnlyList<WarmupRound> Warmup, ThroughputResult Throughput);

/// <summary>
/// The floors of this machine, measured in the same run before the services start, each on databases and a virtual host
/// of its own: raw RabbitMQ (RabbitMqBaseline), raw Npgsql (PostgresBaseline, as configured) and the raw journey
/// (RawJourneyBaseline: one journey's writes, relays, messages and consumer transactions with raw Npgsql and RabbitMQ.Client).
/// </summary>
public sealed record RawBaselines(RabbitMqBaselineResult? RabbitMq, PostgresBaselineResult? Postgres, RawJourneyResult? Journey);

/// <summary>Everything one journeys run measured, as written to bench/results.</summary>
public sealed record JourneyResult(
    DateTimeOffset StartedAt,
    string RunId,
    MachineInfo Machine,
    JourneySettings Settings,
    string? Commit,
    BackboneBaseline? Backbone,
    RawBaselines? Raw,
    double ServiceStartSeconds,
    double SetupSeconds,
    double SettleSeconds,
    IReadOnlyList<JourneyRun> Warmup,
    IReadOnlyList<JourneyRun> Closed,
    JourneyRun? Paced,
    IReadOnlyDictionary<string, long?> ServicePeakResidentBytes)
{
    /// <summary>Target of issue 5: at least this many complete journeys/s on this machine.</summary>
    public const double ThroughputTarget = 150;

    /// <summary>Target of issue 5: accept → visible on the origin's case under this many ms at p99, at half the peak load.</summary>
    public const double PropagationP99TargetMs = 100;

    /// <summary>Issue 16: 150 journeys/s judged by the ratio to the same run's raw Npgsql baseline, journeys/s ÷ raw Npgsql tx/s.</summary>
    public const double RawNpgsqlRatioTarget = 0.036;

    /// <summary>The best closed-loop run; null when no services ran (--baselines-only).</summary>
    public JourneyRun? Peak => Closed.MaxBy(run => run.JourneysPerSecond);

    public double? BackboneRatio => Peak is { } peak && Backbone is { } backbone ? peak.JourneysPerSecond / backbone.Throughput.EventsPerSecond : null;

    /// <summary>The product's peak journeys/s ÷ the raw journey baseline's journeys/s: the share of this machine's floor the product reaches.</summary>
    public double? RawJourneyRatio => Peak is { } peak && Raw?.Journey is { } raw ? peak.JourneysPerSecond / raw.JourneysPerSecond : null;

    /// <summary>The product's peak journeys/s ÷ the raw Npgsql baseline's tx/s (issue 16's measure: ≥ 0.036 for 150/s).</summary>
    public double? RawNpgsqlRatio => Peak is { } peak && Raw?.Postgres is { } postgres ? peak.JourneysPerSecond / postgres.TransactionsPerSecond : null;

    public bool MeetsThroughputTarget => Peak?.JourneysPerSecond >= ThroughputTarget;

    public bool? MeetsRawNpgsqlRatioTarget => RawNpgsqlRatio is { } ratio ? ratio >= RawNpgsqlRatioTarget : null;

    public bool? MeetsPropagationTarget => Paced is { Completed: > 0 } paced ? paced.Propagation.P99 < PropagationP99TargetMs : null;
}
