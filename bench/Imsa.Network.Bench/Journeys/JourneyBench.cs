using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Imsa.Network.Bench.Backbone;
using Imsa.Network.Bench.Baselines;
using Imsa.Network.Bench.MatchingHttp;

namespace Imsa.Network.Bench.Journeys;

/// <summary>
/// Complete handover journeys through the three running services' REST APIs (bench --journeys): the baselines first, in
/// this process, while the machine has nothing else of this run to do (the backbone, raw RabbitMQ, raw Npgsql and the
/// raw journey; only these with --baselines-only); then the three services built in
/// Release, each its own process on the run's own databases and virtual host, 20 partners and 20 receiving services
/// set up through the Partners API, a warm-up, closed-loop runs for the peak, and a paced run at half of it.
/// </summary>
public static class JourneyBench
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// Warm-up rounds before journeys/s counts as settled: three services compile their code paths (tiered JIT) for the
    /// first 30–40 s of load on 2 cores, and two early rounds can agree while both are still slow.
    /// </summary>
    private const int MinWarmupRounds = 4;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        JourneySettings settings;
        BenchSettings infrastructureSettings;
        try
        {
            settings = JourneySettings.Load(args);
            infrastructureSettings = BenchSettings.Load([]) with
            {
                Events = Math.Max(settings.BackboneEvents, 1),
                BaselineCount = Math.Max(settings.BaselineCount, 1),
            };
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        using var cancellation = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        try
        {
            return await RunAsync(settings, infrastructureSettings, cancellation.Token);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("cancelled; the services were stopped, the run's databases and virtual hosts removed");
            return 130;
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            cancellation.Cancel();
        }
    }

    private static async Task<int> RunAsync(JourneySettings settings, BenchSettings infrastructureSettings, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = LoadAverage();
        foreach (var service in settings.BaselinesOnly ? [] : new[] { "Partners", "Counselling", "Handovers" })
        {
            var dll = Path.Combine(settings.BuildDirectory(service), $"Imsa.Network.{service}.dll");
            if (!File.Exists(dll))
            {
                await Console.Error.WriteLineAsync($"{dll} does not exist: run bench/run.sh --journeys, which builds the services (Release).");
                return 2;
            }

            Step($"{service}: {dll} (built {File.GetLastWriteTimeUtc(dll):yyyy-MM-dd HH:mm} UTC)");
        }

        var backbone = settings.BackboneEvents > 0 ? await BackboneAsync(infrastructureSettings, cancellationToken) : null;
        var (raw, rawRunId, postgresVersion, rabbitMqVersion) = await RawBaselinesAsync(settings, infrastructureSettings, cancellationToken);
        var stamp = $"{startedAt.UtcDateTime:yyyyMMdd-HHmmss}";
        if (settings.BaselinesOnly)
        {
            var baselinesMachine = new MachineInfo(
                Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, postgresVersion, rabbitMqVersion, loadAtStart, LoadAverage());
            await SaveAsync(
                new JourneyResult(startedAt, rawRunId, baselinesMachine, settings, Commit(), backbone, raw, 0, 0, 0, [], [], null, new Dictionary<string, long?>()),
                stamp,
                cancellationToken);
            return 0;
        }

        using var client = HttpLoad.CreateClient(Math.Max(settings.Workers.Max(), settings.PacedInFlight) + 8);
        Step("starting Counselling, Handovers, then Partners (Release builds, each its own process)");
        await using var network = await ServiceNetwork.StartAsync(
            settings, infrastructureSettings, client, Path.Combine(settings.ResultsDirectory, $"journeys-{stamp}"), cancellationToken);
        Step($"  run {network.RunId}: ready after {network.StartSeconds:F1} s; processes " +
             string.Join(", ", network.Services.Select(s => $"{s.Name} {s.ProcessId} at {s.Address}")) + $"; logs {network.Partners.LogPath[..^"-partners.log".Length]}-*.log");

        var api = new JourneyApi(client, network.Partners.Address, network.Counselling.Address, network.Handovers.Address);
        Step($"setting up {settings.Partners} partners and {settings.Receivers} receiving services through the Partners API");
        var started = Stopwatch.GetTimestamp();
        var members = await Members.JoinAsync(
            api, network.Infrastructure.MailDirectory, ServiceNetwork.CoordinatorClientId, network.CoordinatorSecret, settings.Partners, settings.Receivers, settings.ReceiverCapacity, cancellationToken);
        var setupSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Step($"  {setupSeconds:F1} s");

        await using var monitor = new JourneyMonitor(network, infrastructureSettings);
        var load = new JourneyLoad(new Journey(api, settings), members, monitor);
        var (settleSeconds, settleFailures) = await load.SettleAsync(cancellationToken);
        Step($"  one journey per organisation: every service knows them all after {settleSeconds:F1} s ({settleFailures} journeys failed and were tried again)");

        var warmupWorkers = settings.Workers.Max();
        Step($"warming up: rounds of {settings.WarmupSeconds} s with {warmupWorkers} concurrent journeys, at least {MinWarmupRounds}, until journeys/s moves by under 10 %");
        var warmup = new List<JourneyRun>();
        for (var round = 0; round < settings.WarmupRounds; round++)
        {
            await members.RenewTokensAsync(api, cancellationToken);
            var run = await load.ClosedAsync($"warm-up {round + 1}", warmupWorkers, TimeSpan.FromSeconds(settings.WarmupSeconds), cancellationToken);
            warmup.Add(run);
            Step($"  {Summary(run)}");
            if (warmup.Count >= MinWarmupRounds && Math.Abs(run.JourneysPerSecond / warmup[^2].JourneysPerSecond - 1) < 0.10)
            {
                break;
            }
        }

        var closed = new List<JourneyRun>();
        foreach (var workers in settings.Workers)
        {
            await members.RenewTokensAsync(api, cancellationToken);
            Step($"closed loop: {workers} concurrent journeys for {settings.Seconds} s");
            var run = await load.ClosedAsync($"{workers} concurrent journeys", workers, TimeSpan.FromSeconds(settings.Seconds), cancellationToken);
            closed.Add(run);
            Step($"  {Summary(run)}");
        }

        var peak = closed.MaxBy(run => run.JourneysPerSecond)!;
        JourneyRun? paced = null;
        if (settings.PacedSeconds > 0 && peak.JourneysPerSecond > 0)
        {
            var rate = Math.Round(peak.JourneysPerSecond * settings.PacedShare, 1);
            await members.RenewTokensAsync(api, cancellationToken);
            Step($"paced: {rate:N1} journeys/s ({settings.PacedShare:P0} of the peak) for {settings.PacedSeconds} s, at most {settings.PacedInFlight} in flight");
            paced = await load.PacedAsync($"paced at {rate:N1} journeys/s", rate, settings.PacedInFlight, TimeSpan.FromSeconds(settings.PacedSeconds), cancellationToken);
            Step($"  {Summary(paced)}");
        }

        var machine = new MachineInfo(
            Environment.ProcessorCount,
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            await network.Infrastructure.PostgresVersionAsync(cancellationToken),
            await network.Infrastructure.RabbitMqVersionAsync(cancellationToken),
            loadAtStart,
            LoadAverage());
        var result = new JourneyResult(
            startedAt, network.RunId, machine, settings, Commit(), backbone, raw, network.StartSeconds, setupSeconds, settleSeconds, warmup, closed, paced,
            network.Services.ToDictionary(s => s.Name, s => s.PeakResidentBytes()));
        await SaveAsync(result, stamp, cancellationToken);
        Step("stopping the services, removing the databases and virtual host");
        return 0;
    }

    private static async Task SaveAsync(JourneyResult result, string stamp, CancellationToken cancellationToken)
    {
        var markdown = JourneyReport.ToMarkdown(result);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(result.Settings.ResultsDirectory);
        var saved = Path.Combine(result.Settings.ResultsDirectory, $"journeys-{stamp}-{result.RunId}");
        await File.WriteAllTextAsync($"{saved}.json", JsonSerializer.Serialize(result, Json), cancellationToken);
        await File.WriteAllTextAsync($"{saved}.md", markdown, cancellationToken);
        Step($"saved {saved}.md (and .json)");
    }

    /// <summary>
    /// The raw RabbitMQ and raw Npgsql baselines as the default mode measures them (Npgsql as configured only), then the
    /// raw journey baseline, on databases and a virtual host of their own; also the servers' versions.
    /// </summary>
    private static async Task<(RawBaselines Raw, string RunId, string PostgresVersion, string RabbitMqVersion)> RawBaselinesAsync(
        JourneySettings settings, BenchSettings infrastructureSettings, CancellationToken cancellationToken)
    {
        await using var infrastructure = await BenchInfrastructure.CreateAsync(
            infrastructureSettings,
            run => [$"imsa_bench_{run}_raw", $"imsa_bench_{run}_raw_counselling", $"imsa_bench_{run}_raw_handovers", $"imsa_bench_{run}_raw_partners"],
            virtualHost: null,
            cancellationToken);
        RabbitMqBaselineResult? rabbitMq = null;
        PostgresBaselineResult? postgres = null;
        RawJourneyResult? journey = null;
        if (settings.BaselineCount > 0)
        {
            Step($"raw RabbitMQ baseline, run {infrastructure.RunId}: {infrastructureSettings.BaselineCount:N0} messages");
            rabbitMq = await RabbitMqBaseline.RunAsync(infrastructureSettings, infrastructure.VirtualHost, cancellationToken);
            Step($"  {rabbitMq.MessagesPerSecond:N0} msg/s");
            Step($"raw Npgsql baseline: {infrastructureSettings.BaselineCount:N0} transactions from {infrastructureSettings.Writers} connections");
            postgres = await PostgresBaseline.RunAsync(
                infrastructure.ConnectionString(infrastructure.Databases[0]), infrastructureSettings.BaselineCount, infrastructureSettings.Writers, cancellationToken);
            Step($"  {postgres.TransactionsPerSecond:N0} tx/s (TLS {postgres.Tls})");
        }

        if (settings.RawJourneys > 0)
        {
            Step($"raw journey baseline: {settings.RawJourneys:N0} journeys, {settings.RawWorkers} at once, after warm-up rounds until the JIT has settled");
            journey = await RawJourneyBaseline.RunAsync(
                infrastructureSettings,
                infrastructure.ConnectionString(infrastructure.Databases[1]),
                infrastructure.ConnectionString(infrastructure.Databases[2]),
                infrastructure.ConnectionString(infrastructure.Databases[3]),
                infrastructure.VirtualHost,
                settings.RawJourneys,
                settings.RawWorkers,
                cancellationToken);
            Step($"  {journey.JourneysPerSecond:N0} journeys/s; journey p50 {journey.Journey.P50:F1} / p99 {journey.Journey.P99:F1} ms; " +
                 $"{journey.CpuMillisecondsPerJourney:F2} CPU ms per journey (bench, PostgreSQL, RabbitMQ); machine {journey.Cpu.MachineBusyShare:P0} busy");
        }

        return (new RawBaselines(rabbitMq, postgres, journey), infrastructure.RunId,
            await infrastructure.PostgresVersionAsync(cancellationToken), await infrastructure.RabbitMqVersionAsync(cancellationToken));
    }

    /// <summary>The backbone's warm-up and throughput run as the default mode measures them, on databases and a virtual host of their own.</summary>
    private static async Task<BackboneBaseline> BackboneAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        await using var infrastructure = await BenchInfrastructure.CreateAsync(
            settings, run => [$"imsa_bench_{run}_writer", $"imsa_bench_{run}_reader"], virtualHost: null, cancellationToken);
        Step($"backbone baseline, run {infrastructure.RunId}: warm-up rounds of {settings.WarmupEvents:N0} events, then {settings.Events:N0} events from {settings.Writers} writers");
        await using var backbone = await BackboneBench.StartAsync(settings, infrastructure, cancellationToken);
        var warmup = await backbone.WarmUpAsync(cancellationToken);
        Step($"  warm-up {string.Join(", ", warmup.Select(w => $"{w.EventsPerSecond:N0}"))} events/s");
        var throughput = await backbone.MeasureThroughputAsync(cancellationToken);
        Step($"  {throughput.EventsPerSecond:N0} events/s end to end; machine {throughput.Cpu.MachineBusyShare:P0} busy, other processes {Math.Max(0, throughput.Cpu.OtherSeconds ?? 0) / (throughput.Cpu.ElapsedSeconds * throughput.Cpu.Cores):P0}");
        return new BackboneBaseline(warmup, throughput);
    }

    private static string Summary(JourneyRun run) =>
        $"{run.JourneysPerSecond:N1} journeys/s ({run.Completed:N0} completed, {run.Failed} failed); journey p50 {run.Journey.P50:F0} / p99 {run.Journey.P99:F0} ms; " +
        $"accept → visible on the case p50 {run.Propagation.P50:F1} / p95 {run.Propagation.P95:F1} / p99 {run.Propagation.P99:F1} ms; " +
        $"{run.CallsPerJourney:F1} calls per journey; machine {run.Cpu.MachineBusyShare:P0} busy" +
        (run.FirstFailure is { } failure ? $"; first failure: {failure}" : "");

    private static string? Commit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["rev-parse", "--short", "HEAD"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = AppContext.BaseDirectory,
            });
            if (git is null)
            {
                return null;
            }

            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            using var status = Process.Start(new ProcessStartInfo("git", ["status", "--porcelain", "--", "services", "contracts"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = AppContext.BaseDirectory,
            });
            var dirty = status is not null && status.StandardOutput.ReadToEnd().Trim().Length > 0;
            status?.WaitForExit();
            return git.ExitCode == 0 ? commit + (dirty ? " (with uncommitted changes under services/ or contracts/)" : "") : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string? LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;

    private static void Step(string message) => Console.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");
}
