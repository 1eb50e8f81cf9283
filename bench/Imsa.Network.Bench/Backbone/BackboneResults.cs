using Imsa.Network.Bench.Measurement;

namespace Imsa.Network.Bench.Backbone;

/// <summary>Events written flat out by concurrent writers, from the first write to the last effect committed.</summary>
public sealed record ThroughputResult(
    int Events,
    int Writers,
    double Seconds,
    double EventsPerSecond,
    double WritePhaseSeconds,
    double WritesPerSecond,
    RelayProfile Relay,
    long MaxOutboxBacklog,
    int MaxPublishedNotConsumed,
    DurationStats EndToEnd,
    CpuUsage Cpu,
    double CpuMicrosecondsPerEvent,
    long EffectRows,
    long OutboxRowsLeft,
    IReadOnlyList<ProgressSample> Progress);

/// <summary>What the relay did during a run, seen through its activities (one per published row).</summary>
/// <param name="Publishes">Rows published in the run.</param>
/// <param name="Seconds">From the first publish's start to the last one's confirm.</param>
/// <param name="PublishesPerSecondWhileWriting">Rate while the writers were still running.</param>
/// <param name="PublishesPerSecondAfterWriting">Rate once the writers were done (the relay draining the backlog).</param>
/// <param name="PublishUntilConfirm">One Publish call, from its start until the broker's confirm.</param>
/// <param name="PublishShare">Share of <paramref name="Seconds"/> with at least one Publish call in flight.</param>
public sealed record RelayProfile(
    int Publishes,
    double Seconds,
    double PublishesPerSecond,
    double? PublishesPerSecondWhileWriting,
    double? PublishesPerSecondAfterWriting,
    DurationStats PublishUntilConfirm,
    double PublishShare)
{
    public static RelayProfile None { get; } = new(0, 0, 0, null, null, DurationStats.Empty, 0);
}

/// <summary>Events written at a fixed rate; how long each took from the writer's transaction to the consumer's commit.</summary>
public sealed record LatencyResult(
    int TargetRate,
    double AchievedRate,
    int Events,
    double Seconds,
    DurationStats EndToEnd,
    DurationStats WriteTransaction,
    DurationStats RelayPickup,
    DurationStats PublishUntilConfirm,
    DurationStats PublishToEffect,
    CpuUsage Cpu,
    double CpuMicrosecondsPerEvent);

/// <summary>Progress at one instant of a run: rows waiting in the outbox, events published and consumed so far.</summary>
public sealed record ProgressSample(double Seconds, long OutboxBacklog, int Published, int Consumed);

/// <summary>The writer's bus publishing directly (no outbox) in one pattern, through to the consumer's commit.</summary>
/// <param name="DeliveredOutOfOrder">Events the queue delivered ahead of one published (started) before them.</param>
public sealed record PublishPatternResult(
    string Pattern,
    int Events,
    double PublishedPerSecond,
    double ConsumedPerSecond,
    int DeliveredOutOfOrder,
    double CpuMicrosecondsPerEvent,
    CpuUsage Cpu);

/// <summary>One warm-up round: its rate, and how much JIT compiling went on (share of the round's wall time).</summary>
public sealed record WarmupRound(int Events, double EventsPerSecond, long JitCompiledMethods, double JitShare);
