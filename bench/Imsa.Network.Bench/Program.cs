using System.Diagnostics;
using System.Runtime.InteropServices;
using Imsa.Network.Bench;
using Imsa.Network.Bench.Backbone;
using Imsa.Network.Bench.Baselines;

// Measures the messaging backbone end to end and the raw RabbitMQ and PostgreSQL baselines it stands on,
// in one run, on the run's own databases and virtual host. See docs/benchmarks.md.
// With --matching first, measures the Partners matching engine instead, in-process (Matching/MatchingBench.cs);
// with --matching-http, the built Partners service's matching endpoint over HTTP (MatchingHttp/MatchingHttpBench.cs);
// with --journeys, complete handover journeys through the three built services' REST APIs (Journeys/JourneyBench.cs);
// with --faults, journeys through killed services and stopped servers, checked afterwards (Faults/FaultRun.cs).
if (args is ["--matching", .. var matchingArgs])
{
    return await Imsa.Network.Bench.Matching.MatchingBench.RunAsync(matchingArgs);
}

if (args is ["--matching-http", .. var matchingHttpArgs])
{
    return await Imsa.Network.Bench.MatchingHttp.MatchingHttpBench.RunAsync(matchingHttpArgs);
}

if (args is ["--journeys", .. var journeyArgs])
{
    return await Imsa.Network.Bench.Journeys.JourneyBench.RunAsync(journeyArgs);
}

if (args is ["--faults", .. var faultArgs])
{
    return await Imsa.Network.Bench.Faults.FaultRun.RunAsync(faultArgs);
}

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(BenchSettings.Usage);
    return 0;
}

BenchSettings settings;
try
{
    settings = BenchSettings.Load(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

using var cancellation = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
var cancellationToken = cancellation.Token;

try
{
    var startedAt = DateTimeOffset.UtcNow;
    var loadAtStart = LoadAverage();
    await using var infrastructure = await BenchInfrastructure.CreateAsync(settings, cancellationToken);
    Step($"run {infrastructure.RunId}: databases imsa_bench_{infrastructure.RunId}_*, virtual host {infrastructure.VirtualHost}");

    // The raw baselines first, while PostgreSQL and RabbitMQ have nothing else to do.
    Step("raw RabbitMQ baseline");
    var rabbitMq = await RabbitMqBaseline.RunAsync(settings, infrastructure.VirtualHost, cancellationToken);
    Step($"  {rabbitMq.MessagesPerSecond:N0} msg/s");

    Step("raw PostgreSQL baseline, as configured and without TLS");
    var rawDatabase = infrastructure.ConnectionString(infrastructure.RawDatabase);
    PostgresBaselineResult[] postgres =
    [
        await PostgresBaseline.RunAsync(rawDatabase, settings.BaselineCount, settings.Writers, cancellationToken),
        await PostgresBaseline.RunAsync($"{rawDatabase};SSL Mode=Disable", settings.BaselineCount, settings.Writers, cancellationToken),
    ];
    Step($"  {postgres[0].TransactionsPerSecond:N0} tx/s (TLS {postgres[0].Tls}), {postgres[1].TransactionsPerSecond:N0} tx/s without TLS");

    ThroughputResult throughput;
    LatencyResult latency;
    IReadOnlyList<WarmupRound> warmup;
    PublishPatternResult[] publishPatterns;
    long envelopeBytes;
    long peakWorkingSet;
    await using (var backbone = await BackboneBench.StartAsync(settings, infrastructure, cancellationToken))
    {
        Step($"warming up: rounds of {settings.WarmupEvents:N0} events until the JIT has settled");
        warmup = await backbone.WarmUpAsync(cancellationToken);
        foreach (var round in warmup)
        {
            Step($"  {round.EventsPerSecond:N0} events/s, {round.JitCompiledMethods:N0} methods compiled, JIT {round.JitShare:P0} of the time");
        }

        Step($"throughput: {settings.Events:N0} events from {settings.Writers} writers");
        throughput = await backbone.MeasureThroughputAsync(cancellationToken);
        Step($"  {throughput.EventsPerSecond:N0} events/s end to end");

        Step($"latency: {settings.LatencyRate} events/s for {settings.LatencySeconds} s");
        latency = await backbone.MeasureLatencyAsync(cancellationToken);
        Step($"  p50 {latency.EndToEnd.P50:F1} ms, p99 {latency.EndToEnd.P99:F1} ms");

        Step($"publish patterns: the writer's bus publishing {settings.PatternEvents:N0} events directly, two ways");
        publishPatterns =
        [
            await backbone.MeasurePublishPatternAsync(concurrent: false, settings.PatternEvents, cancellationToken),
            await backbone.MeasurePublishPatternAsync(concurrent: true, settings.PatternEvents, cancellationToken),
        ];
        Step($"  {publishPatterns[0].PublishedPerSecond:N0} vs {publishPatterns[1].PublishedPerSecond:N0} publishes/s");

        envelopeBytes = backbone.EnvelopeBytes;
        using var self = Process.GetCurrentProcess();
        peakWorkingSet = self.PeakWorkingSet64;
    }

    var machine = new MachineInfo(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        await infrastructure.PostgresVersionAsync(cancellationToken),
        await infrastructure.RabbitMqVersionAsync(cancellationToken),
        loadAtStart,
        LoadAverage());
    var result = new BenchResult(
        startedAt, infrastructure.RunId, machine, settings, warmup, throughput, latency, publishPatterns, rabbitMq, postgres, envelopeBytes, peakWorkingSet);

    Console.WriteLine();
    Console.WriteLine(BenchReport.ToMarkdown(result));
    Step($"saved {await BenchReport.SaveAsync(result, settings.ResultsDirectory, cancellationToken)} (and .json)");
    return 0;
}
catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("cancelled; the run's databases and virtual host were removed");
    return 130;
}

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    cancellation.Cancel();
}

static void Step(string message) => Console.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");

// The 1, 5 and 15 minute load averages: other work on the machine shows here.
static string? LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;
