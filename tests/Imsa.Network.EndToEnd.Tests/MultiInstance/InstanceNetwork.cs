using Npgsql;
using Xunit.Sdk;

namespace Imsa.Network.EndToEnd.Tests.MultiInstance;

/// <summary>The multi-instance suite: one network of processes for all its tests, run apart from every other test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScaledOut : ICollectionFixture<InstanceNetwork>
{
    public const string Name = "Multi-instance network";
}

/// <summary>
/// The network as it runs scaled out: two processes of each service's real build (<c>dotnet Imsa.Network.X.dll</c>),
/// each on a port of its own, sharing the service's database and one virtual host, and the gateway's process in front,
/// balancing over both. Configured as the in-process fixtures configure a service (<see cref="ServiceFactory{TProgram}"/>,
/// <see cref="TestIdentity"/>, the broker users of <see cref="RabbitMqVirtualHost.ServiceSettings"/>), through environment
/// variables. Every process is killed when the collection ends, whatever happened; a test's failure message carries
/// the end of every process's output (<see cref="ExplainAsync"/>).
/// </summary>
public sealed class InstanceNetwork : INetworkApis, IAsyncLifetime
{
    public const int Replicas = 2;

    public static readonly string[] ServiceNames = ["partners", "counselling", "handovers"];

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Dictionary<string, List<ServiceProcess>> _instances = [];
    private readonly Dictionary<(string, int), HttpClient> _direct = [];

    public RabbitMqVirtualHost VirtualHost { get; private set; } = null!;

    public PostgresDatabase PartnersDatabase { get; private set; } = null!;

    public PostgresDatabase CounsellingDatabase { get; private set; } = null!;

    public PostgresDatabase HandoversDatabase { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    /// <summary>Partners through the gateway, which balances over its instances.</summary>
    public HttpClient Partners { get; private set; } = null!;

    public HttpClient Counselling { get; private set; } = null!;

    public HttpClient Handovers { get; private set; } = null!;

    /// <summary>The instances of a service ("partners"), in the order they were started.</summary>
    public IReadOnlyList<ServiceProcess> Instances(string service) => _instances[service];

    /// <summary>A client of one instance, bypassing the gateway: what that instance alone answers.</summary>
    public HttpClient Direct(string service, int instance)
    {
        lock (_direct)
        {
            if (!_direct.TryGetValue((service, instance), out var client))
            {
                client = new HttpClient { BaseAddress = _instances[service][instance].Address, Timeout = TimeSpan.FromSeconds(30) };
                _direct[(service, instance)] = client;
            }

            return client;
        }
    }

    public PostgresDatabase Database(string service) => service switch
    {
        "partners" => PartnersDatabase,
        "counselling" => CounsellingDatabase,
        "handovers" => HandoversDatabase,
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };

    public async Task InitializeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            VirtualHost = await Own(RabbitMqVirtualHost.CreateAsync("multi"));
            PartnersDatabase = await Own(PostgresDatabase.CreateAsync("multi_partners"));
            CounsellingDatabase = await Own(PostgresDatabase.CreateAsync("multi_counselling"));
            HandoversDatabase = await Own(PostgresDatabase.CreateAsync("multi_handovers"));

            // Every port is known before anything starts: the gateway's goes to Counselling (its way to Handovers), the
            // services' to the gateway.
            var gatewaySettings = new Dictionary<string, string?>();
            Gateway = new ServiceProcess("gateway", "Gateway", gatewaySettings);
            _owned.Add(Gateway);
            foreach (var service in ServiceNames)
            {
                _instances[service] = [];
                for (var i = 0; i < Replicas; i++)
                {
                    var instance = new ServiceProcess($"{service}-{i + 1}", Assembly(service), Settings(service));
                    _instances[service].Add(instance);
                    _owned.Add(instance);
                }
            }

            // Consumers first, so their queues are bound before Partners publishes. The replicas of a service start
            // together, as a rollout starts them: each migrates at start (ServiceDatabase holds a lock for the run).
            await StartAsync(_instances["handovers"].Concat(_instances["counselling"]));
            // Partners' together too, on a fresh database: each would make the bootstrap coordinator, the sign-in clients
            // and the key ring's first key; one does, the other finds them (Identity/StartupSteps.cs, SharedKeyRing).
            await StartAsync(_instances["partners"]);

            gatewaySettings["ASPNETCORE_ENVIRONMENT"] = "Production";
            gatewaySettings["Logging:LogLevel:Default"] = "Warning";
            gatewaySettings["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information";
            foreach (var service in ServiceNames)
            {
                gatewaySettings[$"Gateway:Services:{service}"] = string.Join(',', _instances[service].Select(s => s.Address.ToString().TrimEnd('/')));
            }

            await StartAsync([Gateway]);
            Partners = ThroughGateway("partners");
            Counselling = ThroughGateway("counselling");
            Handovers = ThroughGateway("handovers");
            // For the suite's timing in the test run's output (dotnet test --logger "console;verbosity=normal").
            Console.WriteLine($"[multi-instance] {Replicas} instances of each service and the gateway ready in {started.Elapsed.TotalSeconds:0.0} s");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>kill -9 of one instance.</summary>
    public void Kill(string service, int instance) => _instances[service][instance].Kill();

    /// <summary>Runs a test's body; a failure comes back with the end of every process's output.</summary>
    public async Task ExplainAsync(Func<Task> test)
    {
        ArgumentNullException.ThrowIfNull(test);
        try
        {
            await test();
        }
        catch (Exception ex)
        {
            throw new XunitException($"{ex.GetType().Name}: {ex.Message}\n\n{Logs()}\n", ex);
        }
    }

    /// <summary>The end of every process's output.</summary>
    public string Logs(int lines = 25) =>
        string.Join("\n\n", ServiceNames.SelectMany(service => _instances.GetValueOrDefault(service) ?? []).Append(Gateway).OfType<ServiceProcess>().Select(p => p.Tail(lines)));

    public async Task DisposeAsync()
    {
        // Processes go first (the gateway was added first: kill every process before any database goes).
        foreach (var process in _owned.OfType<ServiceProcess>())
        {
            await process.DisposeAsync();
        }

        lock (_direct)
        {
            foreach (var client in _direct.Values)
            {
                client.Dispose();
            }

            _direct.Clear();
        }

        Partners?.Dispose();
        Counselling?.Dispose();
        Handovers?.Dispose();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            if (_owned[i] is not ServiceProcess)
            {
                await _owned[i].DisposeAsync();
            }
        }
    }

    private static async Task StartAsync(IEnumerable<ServiceProcess> processes)
    {
        var starting = processes.ToList();
        foreach (var process in starting)
        {
            process.Start();
        }

        await Task.WhenAll(starting.Select(process => process.WaitUntilReadyAsync(TimeSpan.FromSeconds(150))));
    }

    private static string Assembly(string service) => char.ToUpperInvariant(service[0]) + service[1..];

    /// <summary>
    /// What <see cref="ServiceFactory{TProgram}"/> and <see cref="Network"/> give an in-process service, for a process:
    /// the test run's identity, keys and mailbox, the service's own broker users, quick timers; and what scaling out
    /// needs tested: an offer unanswered is due at once (Handovers:Sla:AnswerWorkingDays 0, the SLA job on every
    /// instance every 500 ms), webhooks to the test's receiver on loopback.
    /// </summary>
    private Dictionary<string, string?> Settings(string service)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ConnectionStrings:Database"] = new NpgsqlConnectionStringBuilder(Database(service).ConnectionString) { MaxPoolSize = 15 }.ConnectionString,
            ["Invitations:Mail:PickupDirectory"] = TestMail.Directory,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging:LogLevel:Imsa"] = "Information",
            ["Messaging:ConsumerRetry:Limit"] = "2",
            ["Messaging:ConsumerRetry:MinInterval"] = "00:00:00.050",
            ["Messaging:ConsumerRetry:MaxInterval"] = "00:00:00.200",
            ["Encryption:ActiveKeyId"] = TestMasterKey.Id,
            [$"Encryption:MasterKeys:{TestMasterKey.Id}"] = TestMasterKey.Value,
            ["Pseudonyms:Key"] = TestPseudonymKey.Value,
            ["People:TokenKey"] = TestPseudonymKey.PeopleTokenKey,
            ["Network:PublicUrl"] = TestNetwork.PublicUrl,
            ["Handovers:Sla:Interval"] = "00:00:00.500",
            ["Handovers:Sla:AnswerWorkingDays"] = "0",
            // Counselling's way to Handovers (a case's export): through the gateway, as in production.
            ["Export:HandoversUrl"] = new Uri(Gateway.Address, "handovers/").ToString(),
            ["ForwardedHeaders:KnownNetworks:0"] = "127.0.0.1",
            ["Webhooks:AllowInsecureTargets"] = "true",
            ["Webhooks:PollInterval"] = "00:00:00.250",
        };
        foreach (var (key, value) in TestIdentity.Settings.Concat(TestSignIn.Settings).Concat(VirtualHost.ServiceSettings(service)))
        {
            settings[key] = value;
        }

        return settings;
    }

    private HttpClient ThroughGateway(string prefix) =>
        new(new PathPrefixHandler($"/{prefix}") { InnerHandler = new HttpClientHandler() }) { BaseAddress = Gateway.Address, Timeout = TimeSpan.FromSeconds(60) };

    private async Task<T> Own<T>(Task<T> creating)
        where T : IAsyncDisposable
    {
        var created = await creating;
        _owned.Add(created);
        return created;
    }

    /// <summary>Puts the gateway's prefix in front of each request's path, so tests call "/cases" as they do directly.</summary>
    private sealed class PathPrefixHandler(string prefix) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            request.RequestUri = new UriBuilder(uri) { Path = prefix + uri.AbsolutePath }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
