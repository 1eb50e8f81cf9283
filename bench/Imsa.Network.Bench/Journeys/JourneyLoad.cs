using System.Diagnostics;
using System.Text.Json;
using Imsa.Network.Bench.Measurement;

namespace Imsa.Network.Bench.Journeys;

/// <summary>
/// Drives journeys for a while, closed loop (each worker starts its next journey when the last one has ended) or
/// paced (journey <c>i</c> starts at <c>i / rate</c> s whether or not earlier ones have ended), each between a
/// random partner and a random receiver, and collects what they took.
/// </summary>
public sealed class JourneyLoad(Journey journey, Members members, JourneyMonitor monitor)
{
    /// <summary>After a run, how long the services may take to work off what queued up before the next run starts anyway.</summary>
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromMinutes(3);

    private static readonly (JourneyStep Step, string Endpoint, string Service)[] Endpoints =
    [
        (JourneyStep.OpenCase, "POST /cases", "Counselling"),
        (JourneyStep.RecordConsent, "POST /cases/{id}/consents", "Counselling"),
        (JourneyStep.RequestHandover, "POST /handovers", "Handovers"),
        (JourneyStep.Accept, "POST /handovers/{id}/accept", "Handovers"),
        (JourneyStep.ReadCase, "GET /cases/{id} (partner, until accepted)", "Counselling"),
        (JourneyStep.ReadDossier, "GET /cases/{id}/dossier", "Counselling"),
        (JourneyStep.RecordFirstContact, "POST /handovers/{id}/outcomes", "Handovers"),
    ];

    /// <summary>
    /// Before measuring: one complete journey per partner and per receiver, so every organisation is known to every service.
    /// A pair whose journey fails (see the lost acceptances in docs/benchmarks.md) tries again, three times at most.
    /// </summary>
    /// <returns>Seconds it took, and the journeys that failed on the way.</returns>
    public async Task<(double Seconds, int Failed)> SettleAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = 0;
        var pairs = Math.Max(members.Partners.Count, members.Receivers.Count);
        await Task.WhenAll(Enumerable.Range(0, pairs).Select(async i =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var trace = new JourneyTrace { StartedAt = Stopwatch.GetTimestamp() };
                    await journey.RunAsync(trace, members.Partners[i % members.Partners.Count], members.Receivers[i % members.Receivers.Count], settling: true, cancellationToken);
                    return;
                }
                catch (JourneyFailedException) when (attempt < 3)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, failed);
    }

    public async Task<JourneyRun> ClosedAsync(string name, int workers, TimeSpan duration, CancellationToken cancellationToken)
    {
        var recorder = new Recorder();
        await using var sampling = await monitor.StartAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                await RunOneAsync(recorder, 0, cancellationToken);
            }
        }));
        var (cpu, summary) = await MeasureUntilAsync(deadline, sampling, cancellationToken);
        await loops;
        var caughtUp = await monitor.WaitUntilCaughtUpAsync(deadline, CatchUpTimeout, cancellationToken);
        return recorder.ToRun(name, paced: false, workers, offeredRate: null, duration.TotalSeconds, recorder.CompletedBy(deadline), caughtUp, cpu, summary);
    }

    public async Task<JourneyRun> PacedAsync(string name, double rate, int inFlight, TimeSpan duration, CancellationToken cancellationToken)
    {
        var recorder = new Recorder();
        using var slots = new SemaphoreSlim(inFlight, inFlight);
        var total = (int)(rate * duration.TotalSeconds);
        var pending = new List<Task>(total);
        await using var sampling = await monitor.StartAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var measuring = MeasureUntilAsync(deadline, sampling, cancellationToken);
        for (var i = 0; i < total; i++)
        {
            var due = started + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }

            await slots.WaitAsync(cancellationToken);
            pending.Add(Task.Run(async () =>
            {
                try
                {
                    await RunOneAsync(recorder, Stopwatch.GetElapsedTime(due).TotalMilliseconds, cancellationToken);
                }
                finally
                {
                    slots.Release();
                }
            }, cancellationToken));
        }

        var (cpu, summary) = await measuring;
        await Task.WhenAll(pending);
        var caughtUp = await monitor.WaitUntilCaughtUpAsync(deadline, CatchUpTimeout, cancellationToken);
        return recorder.ToRun(name, paced: true, inFlight, rate, duration.TotalSeconds, recorder.CompletedBy(deadline), caughtUp, cpu, summary);
    }

    /// <summary>
    /// CPU and samples over the run's own duration: the journeys still in flight at its end finish afterwards (their figures
    /// count) but not their CPU, which is divided by the journeys completed within the duration.
    /// </summary>
    private static async Task<(JourneyCpu Cpu, MonitorSummary Monitor)> MeasureUntilAsync(
        long deadline, JourneyMonitor.Sampling sampling, CancellationToken cancellationToken)
    {
        await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline), cancellationToken);
        return await sampling.StopAsync();
    }

    private async Task RunOneAsync(Recorder recorder, double startDelay, CancellationToken cancellationToken)
    {
        var partner = members.Partners[Random.Shared.Next(members.Partners.Count)];
        var receiver = members.Receivers[Random.Shared.Next(members.Receivers.Count)];
        var trace = new JourneyTrace { StartedAt = Stopwatch.GetTimestamp(), StartDelay = startDelay };
        try
        {
            await journey.RunAsync(trace, partner, receiver, settling: false, cancellationToken);
            recorder.Add(trace);
        }
        catch (Exception ex) when (ex is JourneyFailedException or HttpRequestException or IOException or JsonException or KeyNotFoundException
                                   || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            recorder.Fail(trace, ex);
        }
    }

    private sealed class Recorder
    {
        private readonly Lock _lock = new();
        private readonly List<JourneyTrace> _traces = new(16 * 1024);
        private readonly List<JourneyTrace> _failed = [];
        private readonly Dictionary<string, int> _failures = [];
        private string? _firstFailure;

        public void Add(JourneyTrace trace)
        {
            lock (_lock)
            {
                _traces.Add(trace);
            }
        }

        public void Fail(JourneyTrace trace, Exception ex)
        {
            lock (_lock)
            {
                _failed.Add(trace);
                var reason = ex is JourneyFailedException failed ? failed.Reason : ex.GetType().Name;
                _failures[reason] = _failures.GetValueOrDefault(reason) + 1;
                _firstFailure ??= $"{ex.GetType().Name}: {ex.Message}";
            }
        }

        public int CompletedBy(long deadline)
        {
            lock (_lock)
            {
                return _traces.Count(t => t.FinishedAt <= deadline);
            }
        }

        public JourneyRun ToRun(
            string name, bool paced, int workers, double? offeredRate, double seconds, int completedInTime, double? caughtUp, JourneyCpu cpu, MonitorSummary monitor)
        {
            lock (_lock)
            {
                // Every call counts in the step's figures, those of failed journeys too; per journey means per completed journey.
                var count = Math.Max(_traces.Count, 1);
                var steps = Endpoints.Select(e =>
                {
                    var calls = _traces.Concat(_failed).SelectMany(t => t.Calls).Where(c => c.Step == e.Step).ToList();
                    return new StepStats(
                        e.Step,
                        e.Endpoint,
                        e.Service,
                        calls.Count,
                        (double)calls.Count / count,
                        DurationStats.Of(calls.Select(c => c.Milliseconds)),
                        new SortedDictionary<int, int>(calls.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => g.Count())));
                }).ToList();
                return new JourneyRun(
                    name,
                    paced,
                    workers,
                    offeredRate,
                    seconds,
                    _traces.Count,
                    _failed.Count,
                    new SortedDictionary<string, int>(_failures),
                    _firstFailure,
                    completedInTime,
                    DurationStats.Of(_traces.Select(t => t.Milliseconds)),
                    DurationStats.Of(_traces.Select(t => t.HandoverWait)),
                    DurationStats.Of(_traces.Select(t => t.Propagation)),
                    DurationStats.Of(_traces.Select(t => t.StartDelay)),
                    steps,
                    caughtUp,
                    cpu,
                    monitor);
            }
        }
    }
}
