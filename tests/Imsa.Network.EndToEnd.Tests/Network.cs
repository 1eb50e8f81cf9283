using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// The three services in one test process, each with a database of its own, sharing one virtual host as they
/// share one broker in production. Partners may reach the broker through a proxy that a test can cut.
/// </summary>
public sealed class Network : INetworkApis, IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Dictionary<string, Uri> _addresses = [];
    private bool _realServers;
    private IReadOnlyDictionary<string, string?> _extraSettings = new Dictionary<string, string?>();

    private Network()
    {
    }

    public RabbitMqVirtualHost VirtualHost { get; private set; } = null!;

    public PostgresDatabase PartnersDatabase { get; private set; } = null!;

    public PostgresDatabase CounsellingDatabase { get; private set; } = null!;

    public PostgresDatabase HandoversDatabase { get; private set; } = null!;

    public HttpClient Partners { get; private set; } = null!;

    public HttpClient Counselling { get; private set; } = null!;

    public HttpClient Handovers { get; private set; } = null!;

    /// <summary>The clock of Counselling and Handovers (Partners keeps real time: it issues the tokens).</summary>
    public ShiftedTimeProvider Time { get; } = new();

    /// <summary>Between Partners and the broker, when started with one.</summary>
    public TcpProxy? PartnersBrokerLink { get; private set; }

    /// <summary>Between each service and its database, when started with links ("partners", "counselling", "handovers").</summary>
    public IReadOnlyDictionary<string, TcpProxy> DatabaseLinks { get; private set; } = new Dictionary<string, TcpProxy>();

    /// <summary>Between each service and the broker, when started with links.</summary>
    public IReadOnlyDictionary<string, TcpProxy> BrokerLinks { get; private set; } = new Dictionary<string, TcpProxy>();

    /// <summary>The gateway's address, when started behind it; the three clients then go through it.</summary>
    public Uri? Gateway { get; private set; }

    /// <summary>A service's own address behind the gateway ("counselling"), when started behind it.</summary>
    public Uri DirectAddress(string service) => _addresses[service];

    /// <summary>A browser at Partners' sign-in pages, for people's sign-in.</summary>
    public TestBrowser PartnersBrowser() => _partnersFactory!.Browser();

    private ServiceFactory<Partners.Program>? _partnersFactory;

    private ServiceFactory<Handovers.Program>? _handoversFactory;

    /// <param name="links">Every service reaches its database and the broker through links a test can cut.</param>
    /// <param name="settings">Configuration given to every service besides the usual.</param>
    public static async Task<Network> StartAsync(
        bool partnersBehindProxy = false, bool throughGateway = false, bool links = false, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var network = new Network { _realServers = throughGateway, _extraSettings = settings ?? new Dictionary<string, string?>() };
        try
        {
            network.VirtualHost = await network.Own(RabbitMqVirtualHost.CreateAsync("e2e"));
            network.PartnersDatabase = await network.Own(PostgresDatabase.CreateAsync("e2e_partners"));
            network.CounsellingDatabase = await network.Own(PostgresDatabase.CreateAsync("e2e_counselling"));
            network.HandoversDatabase = await network.Own(PostgresDatabase.CreateAsync("e2e_handovers"));
            if (partnersBehindProxy)
            {
                network.PartnersBrokerLink = new TcpProxy(TestInfrastructure.RabbitMqHost, TestInfrastructure.RabbitMqPort);
                network._owned.Add(network.PartnersBrokerLink);
            }

            if (links)
            {
                var databases = new Dictionary<string, TcpProxy>
                {
                    ["partners"] = network.PartnersDatabase.Proxy(),
                    ["counselling"] = network.CounsellingDatabase.Proxy(),
                    ["handovers"] = network.HandoversDatabase.Proxy(),
                };
                var brokers = databases.Keys.ToDictionary(name => name, _ => new TcpProxy(TestInfrastructure.RabbitMqHost, TestInfrastructure.RabbitMqPort));
                network._owned.AddRange(databases.Values);
                network._owned.AddRange(brokers.Values);
                network.DatabaseLinks = databases;
                network.BrokerLinks = brokers;
                network.PartnersBrokerLink = brokers["partners"];
            }

            // Consumers first, so their queues are bound before Partners publishes; Handovers before Counselling, whose
            // case exports ask Handovers for their part.
            network.Handovers = await network.StartAsync<Handovers.Program>(network.HandoversDatabase, network.BrokerLink("handovers"), shiftedTime: true, network.DatabaseLink("handovers"));
            network.Counselling = await network.StartAsync<Counselling.Program>(network.CounsellingDatabase, network.BrokerLink("counselling"), shiftedTime: true, network.DatabaseLink("counselling"));
            network.Partners = await network.StartAsync<Partners.Program>(network.PartnersDatabase, network.PartnersBrokerLink?.Port, databaseLink: network.DatabaseLink("partners"));
            if (throughGateway)
            {
                await network.StartGatewayAsync();
            }

            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    // Each service as it runs on the network: its own broker users, allowed only what permissions.tsv allows; behind
    // the gateway (on this host), believing its X-Forwarded-* headers as it would the real gateway's.
    private Dictionary<string, string?> Settings(string service, int? brokerPort)
    {
        var settings = VirtualHost.ServiceSettings(service, brokerPort);
        if (_realServers)
        {
            settings["ForwardedHeaders:KnownNetworks:0"] = "127.0.0.1";
        }

        foreach (var (key, value) in _extraSettings)
        {
            settings[key] = value;
        }

        return settings;
    }

    private int? BrokerLink(string service) => BrokerLinks.TryGetValue(service, out var link) ? link.Port : null;

    private TcpProxy? DatabaseLink(string service) => DatabaseLinks.GetValueOrDefault(service);

    private async Task<HttpClient> StartAsync<TProgram>(PostgresDatabase database, int? brokerPort, bool shiftedTime = false, TcpProxy? databaseLink = null)
        where TProgram : class
    {
        var settings = Settings(typeof(TProgram).Namespace!.Split('.')[^1].ToLowerInvariant(), brokerPort);
        var handovers = _handoversFactory;
        if (typeof(TProgram) == typeof(Counselling.Program) && handovers is not null)
        {
            // The case export's call to Handovers: over HTTP to its real port, or in process to its test server.
            settings["Export:HandoversUrl"] = _realServers ? _addresses["handovers"].ToString() : "http://localhost/";
        }

        var factory = new ServiceFactory<TProgram>(
            databaseLink is null ? database.ConnectionString : database.ConnectionStringVia(databaseLink),
            settings,
            services =>
            {
                if (shiftedTime)
                {
                    services.AddSingleton<TimeProvider>(Time);
                }

                if (typeof(TProgram) == typeof(Counselling.Program) && handovers is not null && !_realServers)
                {
                    services.AddHttpClient<Imsa.Network.Counselling.Export.HandoversClient>()
                        .ConfigurePrimaryHttpMessageHandler(() => handovers.Server.CreateHandler());
                }
            });
        _owned.Add(factory);
        if (factory is ServiceFactory<Partners.Program> partners)
        {
            _partnersFactory = partners;
        }

        if (factory is ServiceFactory<Handovers.Program> handoversService)
        {
            _handoversFactory = handoversService;
        }

        if (_realServers)
        {
            // Listening on a real port, so the gateway can forward to it over HTTP.
            factory.UseKestrel(0);
            factory.StartServer();
            _addresses[typeof(TProgram).Namespace!.Split('.')[^1].ToLowerInvariant()] = ServerAddress(factory.Services);
        }

        var client = factory.CreateClient();
        await client.WaitUntilReadyAsync();
        return client;
    }

    private async Task StartGatewayAsync()
    {
        var gateway = new WebApplicationFactory<Imsa.Network.Gateway.Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Logging:LogLevel:Default", "Critical");
            // A port of its own: UseKestrel(0) on a factory made by WithWebHostBuilder leaves Kestrel on its default, 5000.
            builder.UseSetting("urls", "http://127.0.0.1:0");
            foreach (var (name, address) in _addresses)
            {
                builder.UseSetting($"Gateway:Services:{name}", address.ToString());
            }
        });
        _owned.Add(gateway);
        gateway.UseKestrel(0);
        gateway.StartServer();
        Gateway = ServerAddress(gateway.Services);
        Partners = ThroughGateway("partners");
        Counselling = ThroughGateway("counselling");
        Handovers = ThroughGateway("handovers");
        await Partners.WaitUntilReadyAsync();
    }

    private HttpClient ThroughGateway(string prefix) =>
        new(new PathPrefixHandler($"/{prefix}") { InnerHandler = new HttpClientHandler() }) { BaseAddress = Gateway };

    private static Uri ServerAddress(IServiceProvider services) =>
        new(services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

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

    private async Task<T> Own<T>(Task<T> creating)
        where T : IAsyncDisposable
    {
        var created = await creating;
        _owned.Add(created);
        return created;
    }

    public async ValueTask DisposeAsync()
    {
        // Services stop before their databases and virtual host go away.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }
}
