namespace Imsa.Network.Handovers.Tests;

/// <summary>What the metrics port tells of handovers: their states, SLA escalations, the events published. This class moves the clock.</summary>
public sealed class MetricsTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task AnOfferEscalated_IsCountedAndShownByState_AndItsEventPublished()
    {
        var scene = await Scene.SetUpAsync(service);
        var handover = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        await service.StatusAsync(handover, "Offered");
        var before = await service.Factory.ScrapeUntilAsync(
            s => s.Value("imsa_handovers_tickets", ("state", "offered")) == 1, "the offer among the handovers by state");
        before.Value("imsa_handovers_sla_escalations_total").Should().Be(0);

        service.Time.Advance(TimeSpan.FromDays(30));
        await service.StatusAsync(handover, "Escalated");

        var after = await service.Factory.ScrapeUntilAsync(
            s => s.Value("imsa_handovers_tickets", ("state", "escalated")) == 1
                && s.Value("imsa_messaging_outbox_published_total", ("message_type", "HandoverEscalated")) == 1,
            "the escalation shown and its event published");
        after.Value("imsa_handovers_sla_escalations_total").Should().Be(1);
        after.Value("imsa_handovers_tickets", ("state", "offered")).Should().Be(0);
        after.Of("imsa_handovers_tickets").Should().HaveCount(Enum.GetValues<Domain.HandoverStatus>().Length, "every state has its series, 0 included");
        after.Value("imsa_messaging_outbox_published_total").Should().BeGreaterThanOrEqualTo(2, "the offer's event went out before");
        (await service.Factory.ScrapeUntilAsync(s => s.Value("imsa_messaging_outbox_depth") == 0, "the outbox drained"))
            .Value("imsa_messaging_outbox_age_seconds").Should().Be(0);
    }
}

/// <summary>The monitoring files against what the code exports (a class of its own: the one above moves the clock).</summary>
public sealed class MonitoringFilesTests(HandoversService service) : IClassFixture<HandoversService>
{
    /// <summary>
    /// The dashboard and the alert rules in deploy/monitoring name metrics that exist: the IMSA ones as the code declares
    /// its instruments, the framework's (HTTP, runtime, Npgsql, MassTransit) as this service exports them.
    /// </summary>
    [Fact]
    public async Task TheDashboardAndAlerts_NameMetricsThatAreExported()
    {
        var scene = await Scene.SetUpAsync(service);
        await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver);
        var scrape = await service.Factory.ScrapeUntilAsync(
            s => s.Has("http_server_request_duration_seconds_bucket") && s.Has("db_client_connection_count"), "framework metrics");
        var exported = scrape.Samples.Select(sample => sample.Name).ToHashSet();
        // Label names look like metric names (http_route); MassTransit's are listed, its meter may be another host's (below).
        var labels = scrape.Samples.SelectMany(sample => sample.Labels.Keys)
            .Concat(["messaging_masstransit_message_type", "messaging_masstransit_consumer_type"])
            .ToHashSet();

        var sources = Directory.EnumerateFiles(Path.Combine(TestRepository.Root, "services"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText);
        var declared = sources.SelectMany(text => System.Text.RegularExpressions.Regex.Matches(text, "\"(imsa\\.[a-z_.]+)\""))
            .Select(match => match.Groups[1].Value.Replace('.', '_'))
            .ToHashSet();
        declared.Should().Contain("imsa_messaging_outbox_age");

        var monitoring = Path.Combine(TestRepository.Root, "deploy", "monitoring");
        var named = new[] { "grafana-dashboard.json", "prometheus-rules.yaml" }
            .SelectMany(file => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(monitoring, file)), "\\b(imsa|http|dotnet|db_client|messaging)_[a-z_]+\\b"))
            .Select(match => match.Value)
            .Where(name => !labels.Contains(name))
            .Distinct()
            .ToList();
        named.Should().Contain("imsa_handovers_tickets").And.Contain("http_server_request_duration_seconds_count");
        foreach (var name in named)
        {
            if (name.StartsWith("messaging_masstransit_", StringComparison.Ordinal))
            {
                // MassTransit makes its meter once per process, with the first bus's host: in a test process only that
                // host exports it. Its names in deploy/monitoring: messaging.masstransit.consume, unit "ea".
                name.Should().Be("messaging_masstransit_consume_ea_total");
            }
            else if (name.StartsWith("imsa_", StringComparison.Ordinal))
            {
                var instrument = System.Text.RegularExpressions.Regex.Replace(name, "(_seconds)?(_total)?$", "");
                declared.Should().Contain(instrument, $"{name} in deploy/monitoring is an instrument of the code");
            }
            else
            {
                exported.Should().Contain(name, $"{name} in deploy/monitoring is exported");
            }
        }
    }
}

/// <summary>On a real server: the service listens on its address from configuration (urls) and on the metrics port.</summary>
public sealed class MetricsPortTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;
    private RabbitMqVirtualHost _virtualHost = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync("handovers_metrics");
        _virtualHost = await RabbitMqVirtualHost.CreateAsync("handovers_metrics");
    }

    public async Task DisposeAsync()
    {
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Kestrel_ListensOnTheConfiguredUrls_AndOnTheMetricsPort_WhichServesMetricsOnly()
    {
        var (api, metrics) = (FreePort(), FreePort());
        var settings = _virtualHost.Settings(service: "handovers");
        settings["urls"] = $"http://127.0.0.1:{api}";
        settings["Metrics:Port"] = metrics.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var factory = new ServiceFactory<Program>(_database.ConnectionString, settings);
        factory.UseKestrel(builder => { });
        factory.StartServer();
        using var http = new HttpClient();

        await new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{api}/") }.WaitUntilReadyAsync();
        (await http.GetAsync($"http://127.0.0.1:{api}/metrics")).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        // The gauges read from the database are read in the background once asked for: a later scrape has them.
        await Eventually.Until(
            async () => await http.GetStringAsync($"http://127.0.0.1:{metrics}/metrics"),
            text => text.Contains("imsa_handovers_tickets{", StringComparison.Ordinal),
            "the handovers by state on the metrics port");
        (await http.GetAsync($"http://127.0.0.1:{metrics}/health/ready")).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
