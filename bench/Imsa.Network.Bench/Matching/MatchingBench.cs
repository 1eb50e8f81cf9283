using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Imsa.Network.Bench.Measurement;
using Imsa.Network.Partners.Domain.Directory;
using Imsa.Network.Reference.Geography;

namespace Imsa.Network.Bench.Matching;

/// <summary>One kind of query, measured one at a time on one thread.</summary>
/// <param name="ResultsPerQuery">Mean matches (or exclusions, or search hits) per query.</param>
/// <param name="CpuShare">The process's CPU time over the run's wall time: under 1, the thread waited for a core (other load).</param>
public sealed record QueryRun(
    string Name, int Queries, double Seconds, DurationStats Latency, double ResultsPerQuery, double AllocatedKilobytesPerQuery, double CpuShare)
{
    public double QueriesPerSecond => Queries / Seconds;
}

/// <summary>Everything one matching run measured, as written to bench/results.</summary>
public sealed record MatchingResult(
    DateTimeOffset StartedAt,
    int Cores,
    string OperatingSystem,
    string Runtime,
    string? LoadAverage,
    MatchingSettings Settings,
    double GeographyColdLoadMs,
    double GeographyWarmLoadMs,
    int PostalCodes,
    int Districts,
    double IndexColdBuildMs,
    double IndexWarmBuildMs,
    double LoadUpdateMs,
    double EntriesMegabytes,
    double IndexMegabytes,
    IReadOnlyList<double> WarmupJitShares,
    QueryRun Match,
    QueryRun MatchExplained,
    QueryRun Search,
    double NoMatchShare)
{
    /// <summary>Target of the issue: p99 below this many ms per matching query, in-process.</summary>
    public const double P99TargetMs = 10;

    public bool MeetsTarget => Match.Latency.P99 < P99TargetMs;
}

/// <summary>
/// Measures the Partners service's matching engine in-process (bench --matching): a synthetic directory of
/// receiving services over the real German geography, random case profiles matched one after another on one
/// thread. No PostgreSQL or RabbitMQ is involved. The engine's sources are compiled into the bench (see the
/// project file), so this measures the same code the service runs.
/// </summary>
public static class MatchingBench
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        MatchingSettings settings;
        try
        {
            settings = MatchingSettings.Load(args is ["--help"] or ["-h"] ? throw new ArgumentException(MatchingSettings.Usage) : args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        var startedAt = DateTimeOffset.UtcNow;
        Step("geography: de-postal-codes.csv from the embedded resource");
        var started = Stopwatch.GetTimestamp();
        var geography = GermanGeography.Load();
        var coldLoad = Milliseconds(started);
        var warmLoad = Median(5, () => GermanGeography.Load());
        Step($"  {geography.PostalCodes.Length:N0} postal codes, {geography.Districts.Count:N0} districts; first load {coldLoad:F1} ms, then {warmLoad:F1} ms");

        var synthetic = new SyntheticDirectory(geography, settings.Seed);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var services = synthetic.Services(settings.Services);
        var withEntries = GC.GetTotalMemory(forceFullCollection: true);
        Step($"directory: {settings.Services:N0} synthetic receiving services, {Mb(withEntries - before):F1} MB");

        started = Stopwatch.GetTimestamp();
        var index = new DirectoryIndex(geography, services);
        var coldBuild = Milliseconds(started);
        var withIndex = GC.GetTotalMemory(forceFullCollection: true);
        var warmBuild = Median(3, () => new DirectoryIndex(geography, services));
        Step($"  index built in {coldBuild:F1} ms the first time, then {warmBuild:F1} ms; {Mb(withIndex - withEntries):F1} MB beyond the entries");
        var newLoad = services.Take(1_000).ToDictionary(service => service.Id, service => service.OpenHandovers + 1);
        index.WithOpenHandovers(newLoad);
        var loadUpdate = Median(5, () => index.WithOpenHandovers(newLoad));
        Step($"  open handovers of 1,000 services updated in {loadUpdate:F2} ms (WithOpenHandovers)");

        var cases = synthetic.Cases(settings.Queries);
        var searches = synthetic.Searches(settings.Searches);
        var explained = cases[..Math.Min(settings.ExplainedQueries, cases.Length)];

        Step("warming up: rounds of 2,000 matches, 200 explained, 2,000 searches until the JIT has settled");
        var warmup = WarmUp(index, cases, searches);
        Step($"  JIT share per round: {string.Join(", ", warmup.Select(s => s.ToString("P0", CultureInfo.InvariantCulture)))}");

        Step($"match: {cases.Length:N0} case profiles, one at a time");
        var noMatch = 0;
        var match = Measure("Match", cases, profile =>
        {
            var result = index.Match(profile, SyntheticDirectory.Today);
            noMatch += result.Matches.Count == 0 ? 1 : 0;
            return result.Matches.Count;
        });
        Step($"  p50 {match.Latency.P50:F3} ms, p99 {match.Latency.P99:F3} ms, {match.QueriesPerSecond:N0} queries/s");

        Step($"match with exclusions explained: {explained.Length:N0} case profiles");
        var matchExplained = Measure("Match, exclusions explained", explained,
            profile => index.Match(profile, SyntheticDirectory.Today, explainExclusions: true).Exclusions!.Count);
        Step($"  p50 {matchExplained.Latency.P50:F3} ms, p99 {matchExplained.Latency.P99:F3} ms");

        Step($"search: {searches.Length:N0} directory searches");
        var search = Measure("Search", searches, query => index.Search(query).Total);
        Step($"  p50 {search.Latency.P50:F3} ms, p99 {search.Latency.P99:F3} ms");

        var result = new MatchingResult(
            startedAt,
            Environment.ProcessorCount,
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            File.Exists("/proc/loadavg") ? string.Join(' ', (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ').Take(3)) : null,
            settings,
            coldLoad,
            warmLoad,
            geography.PostalCodes.Length,
            geography.Districts.Count,
            coldBuild,
            warmBuild,
            loadUpdate,
            Mb(withEntries - before),
            Mb(withIndex - withEntries),
            warmup,
            match,
            matchExplained,
            search,
            (double)noMatch / cases.Length);
        GC.KeepAlive(index);

        var markdown = ToMarkdown(result);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(settings.ResultsDirectory);
        var name = Path.Combine(settings.ResultsDirectory, $"matching-{startedAt.UtcDateTime:yyyyMMdd-HHmmss}");
        await File.WriteAllTextAsync($"{name}.json", JsonSerializer.Serialize(result, Json));
        await File.WriteAllTextAsync($"{name}.md", markdown);
        Step($"saved {name}.md (and .json)");
        return 0;
    }

    public static string ToMarkdown(MatchingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var s = result.Settings;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        void Run(QueryRun run, string results) =>
            Line($"| {run.Name} ({N(run.Queries)} queries) | {F(run.Latency.P50, 3)} | {F(run.Latency.P95, 3)} | **{F(run.Latency.P99, 3)}** | {F(run.Latency.Max, 3)} | " +
                 $"{N(run.QueriesPerSecond)} | {F(run.ResultsPerQuery, 1)} {results} | {F(run.AllocatedKilobytesPerQuery, 1)} KiB | {P(run.CpuShare)} |");

        Line($"## Matching, {result.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        Line();
        Line($"Machine: {result.Cores} cores, {result.OperatingSystem}, {result.Runtime}, server GC; load average {result.LoadAverage ?? "?"}. " +
             $"In-process, one thread, no database. Directory: {N(s.Services)} synthetic receiving services over the real geography " +
             $"({N(result.PostalCodes)} postal codes, {N(result.Districts)} districts), seed {s.Seed}.");
        Line();
        Line("| Query | p50 ms | p95 ms | p99 ms | max ms | queries/s | per query | allocated per query | CPU / wall |");
        Line("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        Run(result.Match, "matches");
        Run(result.MatchExplained, "exclusions explained");
        Run(result.Search, "hits (total)");
        Line();
        Line("CPU / wall: the process's CPU time over the run's wall time; the queries run on one thread, so under 100 % it waited for a core (other load), over 100 % the GC's threads worked too.");
        Line();
        Line($"Target: matching p99 < {N(MatchingResult.P99TargetMs)} ms per query: {(result.MeetsTarget ? "met" : "**not met**")}. " +
             $"{F(result.NoMatchShare * 100, 1)} % of the random cases found no eligible service.");
        Line();
        Line("| Setup | |");
        Line("| --- | --- |");
        Line($"| Geography load (23,296 rows): first in the process / warm | {F(result.GeographyColdLoadMs, 1)} / {F(result.GeographyWarmLoadMs, 1)} ms |");
        Line($"| Index build over {N(s.Services)} services: first / warm | {F(result.IndexColdBuildMs, 1)} / {F(result.IndexWarmBuildMs, 1)} ms |");
        Line($"| New open-handover counts for 1,000 services (`WithOpenHandovers`, no rebuild) | {F(result.LoadUpdateMs, 2)} ms |");
        Line($"| Memory: the entries (snapshot) / the index beyond them | {F(result.EntriesMegabytes, 1)} / {F(result.IndexMegabytes, 1)} MB |");
        Line($"| Warm-up rounds, JIT share of each | {string.Join(", ", result.WarmupJitShares.Select(share => share.ToString("P0", CultureInfo.InvariantCulture)))} |");
        return md.ToString();
    }

    private static List<double> WarmUp(DirectoryIndex index, CaseProfile[] cases, DirectoryQuery[] searches)
    {
        var shares = new List<double>();
        var at = 0;
        while (shares.Count < 20)
        {
            var started = Stopwatch.GetTimestamp();
            var compiling = JitInfo.GetCompilationTime();
            for (var i = 0; i < 2_000; i++, at++)
            {
                index.Match(cases[at % cases.Length], SyntheticDirectory.Today, explainExclusions: i % 10 == 0);
                index.Search(searches[at % searches.Length]);
            }

            var share = (JitInfo.GetCompilationTime() - compiling) / Stopwatch.GetElapsedTime(started);
            shares.Add(share);
            if (share < 0.05)
            {
                break;
            }
        }

        return shares;
    }

    private static QueryRun Measure<T>(string name, T[] queries, Func<T, int> query)
    {
        var latencies = new double[queries.Length];
        long results = 0;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < queries.Length; i++)
        {
            var queryStarted = Stopwatch.GetTimestamp();
            results += query(queries[i]);
            latencies[i] = Milliseconds(queryStarted);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var kilobytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / queries.Length;
        self.Refresh();
        var cpuShare = (self.TotalProcessorTime - cpu).TotalSeconds / seconds;
        return new QueryRun(name, queries.Length, seconds, DurationStats.Of(latencies), (double)results / queries.Length, kilobytes, cpuShare);
    }

    private static double Median(int times, Func<object> action)
    {
        var durations = new double[times];
        for (var i = 0; i < times; i++)
        {
            var started = Stopwatch.GetTimestamp();
            GC.KeepAlive(action());
            durations[i] = Milliseconds(started);
        }

        Array.Sort(durations);
        return durations[times / 2];
    }

    private static double Milliseconds(long startedTimestamp) => Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds;

    private static double Mb(long bytes) => bytes / 1024.0 / 1024.0;

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string P(double share) => share.ToString("P0", CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => value.ToString($"F{decimals}", CultureInfo.InvariantCulture);

    private static void Step(string message) => Console.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");
}
