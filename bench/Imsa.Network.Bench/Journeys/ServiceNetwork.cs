using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Imsa.Network.Bench.Journeys;

/// <summary>
/// The three services as deploy/local/run.sh runs them, each its own process from its Release build with the
/// environment of its deploy/environment file, filled in for the run: its own databases
/// (imsa_bench_journeys_{run}_partners, _counselling, _handovers) and virtual host (imsa-bench-journeys-{run}), a
/// token signing key, a bootstrap coordinator secret and a Counselling master key made for the run; then log level
/// Warning and the run's --npgsql and --service-env settings over it. Consumers start first, so their queues are bound
/// before Partners announces anything. Disposing stops the services, then drops the databases and the virtual host.
/// </summary>
public sealed class ServiceNetwork : IAsyncDisposable
{
    public const string CoordinatorClientId = "imsa-bench-coordinator";

    private readonly BenchInfrastructure _infrastructure;
    private readonly List<ServiceProcess> _services = [];
    private readonly Dictionary<string, Func<ServiceProcess>> _starts = [];

    private ServiceNetwork(BenchInfrastructure infrastructure, string coordinatorSecret)
    {
        _infrastructure = infrastructure;
        CoordinatorSecret = coordinatorSecret;
    }

    public string RunId => _infrastructure.RunId;

    public BenchInfrastructure Infrastructure => _infrastructure;

    public string CoordinatorSecret { get; }

    public ServiceProcess Partners => _services.Single(s => s.Name == nameof(Partners));

    public ServiceProcess Counselling => _services.Single(s => s.Name == nameof(Counselling));

    public ServiceProcess Handovers => _services.Single(s => s.Name == nameof(Handovers));

    public IReadOnlyList<ServiceProcess> Services => _services;

    /// <summary>Seconds from the first process start until all three answered /health/ready.</summary>
    public double StartSeconds { get; private set; }

    /// <summary>Names of the three databases, by service name.</summary>
    public IReadOnlyDictionary<string, string> DatabaseNames { get; private set; } = new Dictionary<string, string>();

    /// <summary>Connection strings of the three databases, by service name (for the bench's own read-only samples).</summary>
    public IReadOnlyDictionary<string, string> Databases { get; private set; } = new Dictionary<string, string>();

    /// <param name="logPrefix">Path prefix of the services' log files ({prefix}-partners.log, ...).</param>
    public static async Task<ServiceNetwork> StartAsync(
        JourneySettings settings, BenchSettings infrastructureSettings, HttpClient client, string logPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var infrastructure = await BenchInfrastructure.CreateAsync(
            infrastructureSettings,
            run => [$"{DatabasePrefix(run)}partners", $"{DatabasePrefix(run)}counselling", $"{DatabasePrefix(run)}handovers"],
            run => $"imsa-bench-journeys-{run}",
            cancellationToken);
        var network = new ServiceNetwork(infrastructure, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)));
        try
        {
            await network.StartServicesAsync(settings, client, logPrefix, cancellationToken);
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>IMSA_DATABASE_PREFIX of a run: the services' files add partners, counselling, handovers.</summary>
    private static string DatabasePrefix(string run) => $"imsa_bench_journeys_{run}_";

    private async Task StartServicesAsync(
        JourneySettings settings, HttpClient client, string logPrefix, CancellationToken cancellationToken)
    {
        var addresses = new[] { nameof(Partners), nameof(Counselling), nameof(Handovers) }
            .ToDictionary(name => name, _ => new Uri($"http://127.0.0.1:{ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture)}/"));
        DatabaseNames = _infrastructure.Databases.ToDictionary(
            database => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(database[(database.LastIndexOf('_') + 1)..]));
        Databases = DatabaseNames.ToDictionary(d => d.Key, d => _infrastructure.ConnectionString(d.Value));

        var placeholders = _infrastructure.ServicePlaceholders(DatabasePrefix(RunId));
        ServiceEnvironment.AddRunIdentity(placeholders, addresses[nameof(Partners)], CoordinatorClientId, CoordinatorSecret);
        placeholders["IMSA_COUNSELLING_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        placeholders["IMSA_PARTNERS_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        placeholders["IMSA_HANDOVERS_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        placeholders["IMSA_COUNSELLING_PSEUDONYM_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        placeholders["IMSA_HANDOVERS_PSEUDONYM_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        // Counselling's way to Handovers, for case exports (not measured here).
        placeholders["IMSA_GATEWAY_HANDOVERS_URL"] = addresses[nameof(Handovers)].ToString();

        var started = Stopwatch.GetTimestamp();
        // Consumers first, so their queues are bound before Partners publishes (as the end-to-end tests start them).
        foreach (var name in new[] { nameof(Counselling), nameof(Handovers), nameof(Partners) })
        {
            var logPath = $"{logPrefix}-{name.ToLowerInvariant()}.log";
            var environment = ServiceEnvironment.ForRun(name, placeholders, settings.NpgsqlSettings, settings.ServiceEnvironment);
            _starts[name] = () => ServiceProcess.Start(name, settings.BuildDirectory(name), addresses[name], environment, logPath);
            _services.Add(_starts[name]());
        }

        foreach (var service in _services)
        {
            await service.WaitUntilReadyAsync(client, TimeSpan.FromSeconds(120), cancellationToken);
        }

        StartSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// Kills the service's process outright (SIGKILL: no shutdown, transactions cut off mid-way), starts it again as
    /// before (same address, same environment, log appended) and waits until it is ready; returns the seconds from
    /// the new start until ready.
    /// </summary>
    public async Task<Restart> KillAndRestartAsync(string name, HttpClient client, CancellationToken cancellationToken)
    {
        var index = _services.FindIndex(s => s.Name == name);
        await _services[index].KillAsync();
        var started = Stopwatch.GetTimestamp();
        _services[index] = _starts[name]();
        await _services[index].WaitUntilReadyAsync(client, TimeSpan.FromSeconds(120), cancellationToken);
        return new Restart(Stopwatch.GetElapsedTime(started).TotalSeconds, _services[index].CpuSeconds(), _services[index].ReadinessSteps);
    }

    /// <summary>CPU seconds of each service process so far, by name (from /proc).</summary>
    public IReadOnlyDictionary<string, double?> CpuSeconds() => _services.ToDictionary(s => s.Name, s => s.CpuSeconds());

    public async ValueTask DisposeAsync()
    {
        // Partners first: it stops announcing while the consumers still run; then the databases and the virtual host.
        foreach (var service in Enumerable.Reverse(_services))
        {
            await service.DisposeAsync();
        }

        await _infrastructure.DisposeAsync();
    }
}

/// <summary>
/// A service's start after a kill: seconds until /health/ready answered 200, the CPU seconds the new process used by
/// then (from /proc), and what /health/ready answered on the way.
/// </summary>
public sealed record Restart(double Seconds, double? CpuSeconds, IReadOnlyList<string> ReadinessSteps)
{
    /// <summary>"ready 4.1 s after its start, 3.2 CPU-s (78 % of one core); /health/ready on the way: …".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ready {Seconds:F1} s after its start, {(CpuSeconds is { } cpu ? $"{cpu:F1} CPU-s ({cpu / Seconds:P0} of one core)" : "CPU unknown")}; /health/ready on the way: {string.Join(" | ", ReadinessSteps)}");
}
