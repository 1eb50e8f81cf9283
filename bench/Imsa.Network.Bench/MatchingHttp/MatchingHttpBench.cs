using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Imsa.Network.Bench.Matching;
using Imsa.Network.Bench.Measurement;
using Imsa.Network.Partners.Domain.Directory;
using Imsa.Network.Reference.Geography;

namespace Imsa.Network.Bench.MatchingHttp;

/// <summary>Queries one at a time, and how the service's index follows a directory change (rebuilt in the background).</summary>
/// <param name="FirstQueryMs">From the version bump after the 20,000 services were inserted (service just started) until the service's
/// directory lists them all: its periodic check, the load and the index build, in the background.</param>
/// <param name="RebuildQueryMs">With the service warm (after the load runs): a query right after a version bump, median of three; answered
/// from the previous snapshot while the service rebuilds, so it is not held up.</param>
/// <param name="Unloaded">With the service warm: 500 queries one after another from one client, nothing else running.</param>
public sealed record IndexTimes(double FirstQueryMs, double RebuildQueryMs, DurationStats Unloaded);

/// <summary>Every HTTP answer of the checked cases compared with the in-process engine over the same services.</summary>
public sealed record AnswerCheck(int Cases, int Identical, int Different, double MatchesPerCase, string? FirstDifference);

/// <summary>Everything one HTTP matching run measured, as written to bench/results.</summary>
public sealed record MatchingHttpResult(
    DateTimeOffset StartedAt,
    string RunId,
    MachineInfo Machine,
    MatchingHttpSettings Settings,
    string? Commit,
    double ServiceStartSeconds,
    double InsertSeconds,
    long ProfileBytes,
    IndexTimes Index,
    AnswerCheck Check,
    IReadOnlyList<LoadRun> Warmup,
    IReadOnlyList<LoadRun> Breakdown,
    IReadOnlyList<LoadRun> Matching,
    LoadRun? Explained,
    IReadOnlyList<LoadRun> Rates,
    long? ServicePeakResidentBytes)
{
    /// <summary>Target of issue 3: the HTTP matching endpoint sustains at least this many queries/s on this machine.</summary>
    public const double Target = 1_000;

    public LoadRun Best => Matching.MaxBy(run => run.QueriesPerSecond)!;

    public bool MeetsTarget => Best.QueriesPerSecond >= Target && Best.NotOk == 0 && Best.Failures == 0;
}

/// <summary>
/// Measures POST /directory/matches of the real Partners service over HTTP (bench --matching-http): the built
/// service runs as its own process against the run's own database (20,000 active receiving services inserted
/// straight into its table) and virtual host, and this process drives it over loopback with a coordinator's
/// token. Both share the machine's cores; the report splits the CPU between them.
/// </summary>
public static class MatchingHttpBench
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        MatchingHttpSettings settings;
        BenchSettings infrastructureSettings;
        try
        {
            settings = MatchingHttpSettings.Load(args);
            infrastructureSettings = BenchSettings.Load([]);
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
            await Console.Error.WriteLineAsync("cancelled; the service was stopped, the run's database and virtual host removed");
            return 130;
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            cancellation.Cancel();
        }
    }

    private static async Task<int> RunAsync(MatchingHttpSettings settings, BenchSettings infrastructureSettings, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = LoadAverage();
        var dll = Path.Combine(settings.PartnersDirectory, "Imsa.Network.Partners.dll");
        if (!File.Exists(dll))
        {
            await Console.Error.WriteLineAsync($"{dll} does not exist: run bench/run.sh --matching-http, which builds it (Release).");
            return 2;
        }

        Step($"Partners service: {dll} (built {File.GetLastWriteTimeUtc(dll):yyyy-MM-dd HH:mm} UTC)");
        var geography = GermanGeography.Load();
        var synthetic = new SyntheticDirectory(geography, settings.Seed);
        var services = synthetic.Services(settings.Services);
        var cases = synthetic.Cases(20_000);

        await using var infrastructure = await BenchInfrastructure.CreateAsync(
            infrastructureSettings, run => [$"{DatabasePrefix(run)}partners"], run => $"imsa-bench-http-{run}", cancellationToken);
        var database = infrastructure.Databases[0];
        Step($"run {infrastructure.RunId}: database {database}, virtual host {infrastructure.VirtualHost}");
        var connectionString = infrastructure.ConnectionString(database);
        var logPath = Path.Combine(settings.ResultsDirectory, $"matching-http-{startedAt.UtcDateTime:yyyyMMdd-HHmmss}-{infrastructure.RunId}-partners.log");

        var started = Stopwatch.GetTimestamp();
        var (partners, clientSecret) = PartnersService.Start(settings, infrastructure, DatabasePrefix(infrastructure.RunId), logPath);
        await using var service = partners;
        using var client = HttpLoad.CreateClient(Math.Max(settings.Workers.Max(), Math.Max(settings.BreakdownWorkers, settings.RateInFlight)));
        client.BaseAddress = service.Address;
        await service.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(120), cancellationToken);
        var startSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Step($"  service {service.ProcessId} ready at {service.Address} after {startSeconds:F1} s (migrations, coordinator bootstrap, broker); log {service.LogPath}");

        Step($"inserting {services.Count:N0} active receiving services into organisations (binary COPY), then bumping directory_state");
        started = Stopwatch.GetTimestamp();
        var (_, profileBytes) = await DirectorySeeder.InsertAsync(connectionString, geography, services, cancellationToken);
        var insertSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        started = Stopwatch.GetTimestamp();
        Step($"  {insertSeconds:F1} s; profiles {profileBytes / (double)services.Count:N0} bytes of JSON on average");

        var token = await TokenAsync(client, clientSecret, cancellationToken);
        Step("coordinator token from POST /connect/token");

        var matchUri = new Uri("directory/matches", UriKind.Relative);
        var matchRequests = cases.Select(c => new LoadRequest(HttpMethod.Post, matchUri, Body(c, explain: false))).ToArray();
        var explainedRequests = cases.Select(c => new LoadRequest(HttpMethod.Post, matchUri, Body(c, explain: true))).ToArray();

        // The service answers from its previous (empty) snapshot until its background check has rebuilt the index.
        var firstQuery = await UntilListedAsync(client, token, services.Count, started, cancellationToken);
        Step($"  directory listed in full {firstQuery:F0} ms after the bump (the service's check, load and index build, in the background)");
        await TimedOkAsync(client, token, matchRequests[0], cancellationToken);

        var check = await CheckAsync(client, token, geography, services, cases, matchRequests, settings.Checked, cancellationToken);
        Step($"  {check.Identical} of {check.Cases} answers identical to the in-process engine's ({check.MatchesPerCase:F1} matches per case)");
        if (check.Different > 0)
        {
            Step($"  first difference: {check.FirstDifference}");
        }

        var warmupWorkers = settings.Workers.Max();
        Step($"warming up: rounds of 5 s with {warmupWorkers} workers until queries/s moves by under 5 %");
        var warmup = new List<LoadRun>();
        for (var round = 0; round < 8; round++)
        {
            var run = await HttpLoad.ClosedAsync("warm-up", "POST /directory/matches", client, token, matchRequests, warmupWorkers,
                TimeSpan.FromSeconds(5), service.CpuSeconds, cancellationToken);
            warmup.Add(run);
            Step($"  {run.QueriesPerSecond:N0} q/s, p99 {run.Latency.P99:F1} ms, service CPU {run.Cpu.ServiceSeconds / run.Cpu.ElapsedSeconds:P0} of a core");
            if (warmup.Count >= 3 && Math.Abs(run.QueriesPerSecond / warmup[^2].QueriesPerSecond - 1) < 0.05)
            {
                break;
            }
        }

        var breakdown = new List<LoadRun>();
        if (settings.BreakdownSeconds > 0)
        {
            Step($"breakdown: simpler endpoints, {settings.BreakdownWorkers} workers, {settings.BreakdownSeconds} s each (after 3 s unmeasured)");
            var postalCodes = cases.Select(c => c.PostalCode).Distinct().Take(1_000).ToArray();
            (string Name, string Endpoint, AuthenticationHeaderValue? Token, LoadRequest[] Requests)[] endpoints =
            [
                ("health (no token)", "GET /health/live", null, [new LoadRequest(HttpMethod.Get, new Uri("health/live", UriKind.Relative))]),
                ("caller (token checked)", "GET /me", token, [new LoadRequest(HttpMethod.Get, new Uri("me", UriKind.Relative))]),
                ("search, 1 result (token checked, from the index)", "GET /directory/services?postalCode=…&limit=1", token,
                    [.. postalCodes.Select(p => new LoadRequest(HttpMethod.Get, new Uri($"directory/services?postalCode={p}&limit=1", UriKind.Relative)))]),
            ];
            foreach (var (name, endpoint, authorization, requests) in endpoints)
            {
                await HttpLoad.ClosedAsync(name, endpoint, client, authorization, requests, settings.BreakdownWorkers, TimeSpan.FromSeconds(3), service.CpuSeconds, cancellationToken);
                var run = await HttpLoad.ClosedAsync(name, endpoint, client, authorization, requests, settings.BreakdownWorkers,
                    TimeSpan.FromSeconds(settings.BreakdownSeconds), service.CpuSeconds, cancellationToken);
                breakdown.Add(run);
                Step($"  {endpoint}: {run.QueriesPerSecond:N0} q/s, p99 {run.Latency.P99:F1} ms, service {run.ServiceMicrosecondsPerRequest:N0} µs CPU per request, {run.NotOk + run.Failures} not 200");
            }
        }

        var matching = new List<LoadRun>();
        foreach (var workers in settings.Workers)
        {
            token = await TokenAsync(client, clientSecret, cancellationToken);
            Step($"matching: {workers} workers for {settings.Seconds} s");
            var run = await HttpLoad.ClosedAsync($"match, {workers} workers", "POST /directory/matches", client, token, matchRequests, workers,
                TimeSpan.FromSeconds(settings.Seconds), service.CpuSeconds, cancellationToken);
            matching.Add(run);
            Step($"  {run.QueriesPerSecond:N0} q/s; p50 {run.Latency.P50:F1} / p95 {run.Latency.P95:F1} / p99 {run.Latency.P99:F1} ms; {run.NotOk} not 200, {run.Failures} failed; " +
                 $"CPU per query: service {run.ServiceMicrosecondsPerRequest:N0} µs, bench {run.BenchMicrosecondsPerRequest:N0} µs, PostgreSQL {run.PostgresMicrosecondsPerRequest:N0} µs; machine {run.Cpu.MachineBusyShare:P0} busy");
        }

        LoadRun? explained = null;
        if (settings.ExplainedSeconds > 0)
        {
            token = await TokenAsync(client, clientSecret, cancellationToken);
            Step($"matching with exclusions explained: {settings.BreakdownWorkers} workers for {settings.ExplainedSeconds} s (after 3 s unmeasured)");
            await HttpLoad.ClosedAsync("explained", "POST /directory/matches", client, token, explainedRequests, settings.BreakdownWorkers,
                TimeSpan.FromSeconds(3), service.CpuSeconds, cancellationToken);
            explained = await HttpLoad.ClosedAsync($"match, exclusions explained, {settings.BreakdownWorkers} workers", "POST /directory/matches (explainExclusions)",
                client, token, explainedRequests, settings.BreakdownWorkers, TimeSpan.FromSeconds(settings.ExplainedSeconds), service.CpuSeconds, cancellationToken);
            Step($"  {explained.QueriesPerSecond:N0} q/s; p50 {explained.Latency.P50:F1} / p99 {explained.Latency.P99:F1} ms; {explained.ResponseBytesMean / 1024:N0} KiB per answer");
        }

        var rates = new List<LoadRun>();
        foreach (var rate in settings.Rates)
        {
            token = await TokenAsync(client, clientSecret, cancellationToken);
            Step($"matching at a fixed {rate} q/s for {settings.RateSeconds} s (open loop, at most {settings.RateInFlight} in flight)");
            var run = await HttpLoad.OpenAsync($"match at {rate} q/s", "POST /directory/matches", client, token, matchRequests, rate, settings.RateInFlight,
                TimeSpan.FromSeconds(settings.RateSeconds), service.CpuSeconds, cancellationToken);
            rates.Add(run);
            Step($"  {run.QueriesPerSecond:N0} q/s answered; p50 {run.Latency.P50:F1} / p95 {run.Latency.P95:F1} / p99 {run.Latency.P99:F1} ms; machine {run.Cpu.MachineBusyShare:P0} busy");
        }

        token = await TokenAsync(client, clientSecret, cancellationToken);
        Step("one at a time: 500 queries from one client, then three directory changes each followed by a query");
        var index = await IndexTimesAsync(client, token, firstQuery, matchRequests, connectionString, cancellationToken);
        Step($"  unloaded p50 {index.Unloaded.P50:F2} / p99 {index.Unloaded.P99:F2} ms; first query after a directory change {index.RebuildQueryMs:F0} ms");

        var machine = new MachineInfo(
            Environment.ProcessorCount,
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            await infrastructure.PostgresVersionAsync(cancellationToken),
            await infrastructure.RabbitMqVersionAsync(cancellationToken),
            loadAtStart,
            LoadAverage());
        var result = new MatchingHttpResult(
            startedAt, infrastructure.RunId, machine, settings, Commit(), startSeconds, insertSeconds, profileBytes, index, check,
            warmup, breakdown, matching, explained, rates, service.PeakResidentBytes());
        var markdown = ToMarkdown(result);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(settings.ResultsDirectory);
        var saved = Path.Combine(settings.ResultsDirectory, $"matching-http-{startedAt.UtcDateTime:yyyyMMdd-HHmmss}-{infrastructure.RunId}");
        await File.WriteAllTextAsync($"{saved}.json", JsonSerializer.Serialize(result, Json), cancellationToken);
        await File.WriteAllTextAsync($"{saved}.md", markdown, cancellationToken);
        Step($"saved {saved}.md (and .json); stopping the service, removing the database and virtual host");
        return 0;
    }

    /// <summary>IMSA_DATABASE_PREFIX of a run: the service's database is imsa_bench_http_{run}_partners (deploy/environment/partners.env).</summary>
    private static string DatabasePrefix(string run) => $"imsa_bench_http_{run}_";

    private static byte[] Body(CaseProfile profile, bool explain) => JsonSerializer.SerializeToUtf8Bytes(
        new
        {
            postalCode = profile.PostalCode,
            age = profile.Age,
            purpose = profile.Purpose,
            languages = profile.Languages,
            topics = profile.Topics,
            explainExclusions = explain,
        },
        RequestJson);

    private static async Task<AuthenticationHeaderValue> TokenAsync(HttpClient client, string clientSecret, CancellationToken cancellationToken)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = PartnersService.CoordinatorClientId,
            ["client_secret"] = clientSecret,
        });
        using var response = await client.PostAsync(new Uri("connect/token", UriKind.Relative), form, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /connect/token answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("access_token").GetString());
    }

    private static async Task<IndexTimes> IndexTimesAsync(
        HttpClient client, AuthenticationHeaderValue token, double firstQuery, LoadRequest[] requests, string connectionString, CancellationToken cancellationToken)
    {
        var unloaded = new List<double>();
        for (var i = 0; i < 500; i++)
        {
            unloaded.Add(await TimedOkAsync(client, token, requests[i], cancellationToken));
        }

        var rebuilds = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            await DirectorySeeder.BumpVersionAsync(connectionString, cancellationToken);
            rebuilds.Add(await TimedOkAsync(client, token, requests[i], cancellationToken));
            await TimedOkAsync(client, token, requests[i], cancellationToken);
        }

        rebuilds.Sort();
        return new IndexTimes(firstQuery, rebuilds[1], DurationStats.Of(unloaded));
    }

    /// <summary>Milliseconds from <paramref name="since"/> until a one-result search reports <paramref name="count"/> services in all.</summary>
    private static async Task<double> UntilListedAsync(
        HttpClient client, AuthenticationHeaderValue token, int count, long since, CancellationToken cancellationToken)
    {
        var search = new LoadRequest(HttpMethod.Get, new Uri("directory/services?limit=1", UriKind.Relative));
        var deadline = TimeSpan.FromSeconds(120);
        while (Stopwatch.GetElapsedTime(since) < deadline)
        {
            var (status, body) = await HttpLoad.SendOnceAsync(client, token, search, cancellationToken);
            using var json = status == 200 ? JsonDocument.Parse(body) : null;
            if (json?.RootElement.GetProperty("total").GetInt32() == count)
            {
                return Stopwatch.GetElapsedTime(since).TotalMilliseconds;
            }

            await Task.Delay(10, cancellationToken);
        }

        throw new TimeoutException($"The service's directory did not list the {count} services within {deadline.TotalSeconds} s.");
    }

    private static async Task<double> TimedOkAsync(HttpClient client, AuthenticationHeaderValue token, LoadRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (status, body) = await HttpLoad.SendOnceAsync(client, token, request, cancellationToken);
        var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return status == 200
            ? milliseconds
            : throw new InvalidOperationException($"POST /directory/matches answered {status}: {Encoding.UTF8.GetString(body)}");
    }

    /// <summary>Compares the ranked organisation ids of each answer with the engine's over the same services (open handovers 0, as the service has them).</summary>
    private static async Task<AnswerCheck> CheckAsync(
        HttpClient client, AuthenticationHeaderValue token, GermanGeography geography, List<ReceivingServiceEntry> services, CaseProfile[] cases,
        LoadRequest[] requests, int count, CancellationToken cancellationToken)
    {
        count = Math.Min(count, cases.Length);
        var engine = new DirectoryIndex(geography, services.Select(s => s with { OpenHandovers = 0 }));
        int identical = 0, matches = 0;
        string? firstDifference = null;
        for (var i = 0; i < count; i++)
        {
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var expected = engine.Match(cases[i], today).Matches.Select(m => m.Entry.Id).ToList();
            var (status, body) = await HttpLoad.SendOnceAsync(client, token, requests[i], cancellationToken);
            if (status != 200)
            {
                firstDifference ??= $"case {i}: HTTP {status}";
                continue;
            }

            using var json = JsonDocument.Parse(body);
            var actual = json.RootElement.GetProperty("matches").EnumerateArray().Select(m => m.GetProperty("organisationId").GetGuid()).ToList();
            matches += actual.Count;
            if (actual.SequenceEqual(expected))
            {
                identical++;
            }
            else
            {
                firstDifference ??= $"case {i}: {actual.Count} matches over HTTP, {expected.Count} in-process";
            }
        }

        return new AnswerCheck(count, identical, count - identical, count == 0 ? 0 : (double)matches / count, firstDifference);
    }

    public static string ToMarkdown(MatchingHttpResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var s = result.Settings;
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        void Runs(IEnumerable<LoadRun> runs)
        {
            Line("| Run | endpoint | workers / in flight | q/s | p50 ms | p95 ms | p99 ms | max ms | not 200 / failed | bytes per answer | " +
                 "CPU µs per request: service / bench / PostgreSQL | CPU of the machine: service / bench / PostgreSQL / other | machine busy |");
            Line("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var run in runs)
            {
                var c = run.Cpu;
                var capacity = c.ElapsedSeconds * c.Cores;
                Line($"| {run.Name} | {run.Endpoint} | {run.Workers} | **{N(run.QueriesPerSecond)}**{(run.OfferedRate is { } rate ? $" of {N(rate)} offered" : "")} | " +
                     $"{F(run.Latency.P50, 1)} | {F(run.Latency.P95, 1)} | {F(run.Latency.P99, 1)} | {F(run.Latency.Max, 1)} | {run.NotOk} / {run.Failures} | {N(run.ResponseBytesMean)} | " +
                     $"{N(run.ServiceMicrosecondsPerRequest)} / {N(run.BenchMicrosecondsPerRequest)} / {N(run.PostgresMicrosecondsPerRequest)} | " +
                     $"{P(c.ServiceSeconds / capacity)} / {P(c.BenchSeconds / capacity)} / {P(c.PostgresSeconds / capacity)} / {Other(c.OtherSeconds / capacity)} | {P(c.MachineBusyShare)} |");
            }
        }

        Line($"## Matching over HTTP, {result.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, run {result.RunId}");
        Line();
        Line($"Machine: {result.Machine.Cores} cores, {result.Machine.OperatingSystem}, {result.Machine.Runtime}; PostgreSQL {result.Machine.PostgresVersion}, " +
             $"RabbitMQ {result.Machine.RabbitMqVersion}; load average {result.Machine.LoadAverageAtStart ?? "?"} at the start, {result.Machine.LoadAverageAtEnd ?? "?"} at the end. " +
             $"Commit {result.Commit ?? "?"}. The Partners service (Release build, its own process, Production, log level Warning) and this bench (the load generator) share the cores.");
        if (s.ServiceEnvironment.Count > 0 || s.NpgsqlSettings is not null)
        {
            Line();
            Line($"Service settings changed for this run: {string.Join(", ", s.ServiceEnvironment.Select(e => e.Split('=')[0] + "=" + e[(e.IndexOf('=', StringComparison.Ordinal) + 1)..]))}" +
                 $"{(s.NpgsqlSettings is null ? "" : $" connection string + \"{s.NpgsqlSettings}\"")}.");
        }

        Line();
        Line($"Directory: {N(s.Services)} active receiving services (seed {s.Seed}) inserted into `organisations` in {F(result.InsertSeconds, 1)} s " +
             $"({N(result.ProfileBytes / (double)s.Services)} bytes of profile JSON each); the service ready {F(result.ServiceStartSeconds, 1)} s after its start. " +
             $"Directory listed in full {N(result.Index.FirstQueryMs)} ms after the bump (service just started; its check, load and index build, in the background); with the service warm, the first query after a directory change (answered from the previous snapshot): " +
             $"{N(result.Index.RebuildQueryMs)} ms; queries one at a time from one client: p50 {F(result.Index.Unloaded.P50, 2)} / p95 {F(result.Index.Unloaded.P95, 2)} / " +
             $"p99 {F(result.Index.Unloaded.P99, 2)} ms. Answers checked against the in-process engine: {result.Check.Identical} of {result.Check.Cases} identical " +
             $"({F(result.Check.MatchesPerCase, 1)} matches per case){(result.Check.FirstDifference is { } d ? $"; first difference: {d}" : "")}.");
        Line();
        Line("Closed loop: each worker sends its next request when the last answer has been read. Random case profiles " +
             "(a real postal code, age, purpose, 1–3 languages, 1–3 topics; 20,000 of them, cycled).");
        Line();
        Runs(result.Matching);
        Line();
        var best = result.Best;
        Line($"Target of issue 3: at least {N(MatchingHttpResult.Target)} queries/s over 20,000 services: {(result.MeetsTarget ? "met" : "**not met**")} " +
             $"(best {N(best.QueriesPerSecond)} q/s with {best.Workers} workers).");
        if (result.Breakdown.Count > 0 || result.Explained is not null || result.Rates.Count > 0)
        {
            Line();
            Line("What a request costs, endpoint by endpoint, and matching at fixed rates (open loop: latency counted from when each request was due):");
            Line();
            Runs([.. result.Breakdown, .. result.Explained is null ? Array.Empty<LoadRun>() : [result.Explained], .. result.Rates]);
            Line();
            Line("CPU of the machine: shares of the run's cores × seconds; \"other\" (the kernel's own threads, other users' work) is the machine's busy time " +
                 "(/proc/stat) less the processes', shown as – where the machine's tick-sampled figure falls short, as it does at partial load.");
        }

        Line();
        Line($"Warm-up rounds (5 s each): {string.Join(", ", result.Warmup.Select(r => N(r.QueriesPerSecond)))} q/s. " +
             $"Service peak resident memory {(result.ServicePeakResidentBytes is { } rss ? $"{rss / 1024 / 1024:N0} MiB" : "?")}.");
        return md.ToString();
    }

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

    private static string N(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "?";

    private static string P(double? share) => share is { } v ? v.ToString("P0", CultureInfo.InvariantCulture) : "?";

    /// <summary>Below −2 %, the machine's tick-sampled busy time (/proc/stat) fell short of the processes' own counters, as it does at partial load: not derivable.</summary>
    private static string Other(double? share) => share is < -0.02 ? "–" : P(share is < 0 ? 0 : share);

    private static string F(double value, int decimals) => value.ToString($"F{decimals}", CultureInfo.InvariantCulture);

    private static string? LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;

    private static void Step(string message) => Console.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");
}
