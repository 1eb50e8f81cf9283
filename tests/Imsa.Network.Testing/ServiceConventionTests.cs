using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Imsa.Network.Testing;

/// <summary>What every IMSA service must do, run against each service by deriving from this class.</summary>
public abstract class ServiceConventionTests<TProgram>(ServiceFixture<TProgram> service)
    where TProgram : class
{
    /// <summary>
    /// Every admin route (under /admin, or tagged "Admin: …") requires the coordinator policy, read from the route
    /// table so a new admin route without it fails here; and a partner's or receiver's token is answered 403 on each.
    /// </summary>
    [Fact]
    public async Task EveryAdminRoute_IsForCoordinatorsOnly()
    {
        var endpoints = service.Factory.Services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(e => (e.RoutePattern.RawText ?? "").StartsWith("/admin", StringComparison.Ordinal)
                || e.Metadata.OfType<ITagsMetadata>().SelectMany(t => t.Tags).Any(t => t.StartsWith("Admin", StringComparison.Ordinal)))
            .ToList();
        Assert.NotEmpty(endpoints);

        foreach (var endpoint in endpoints)
        {
            var policies = endpoint.Metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
            Assert.True(policies.Contains("coordinator"), $"{endpoint.RoutePattern.RawText} does not require the coordinator policy");
            Assert.Empty(endpoint.Metadata.OfType<IAllowAnonymous>());

            var path = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                _ => Guid.NewGuid().ToString(),
            }))));
            foreach (var method in endpoint.Metadata.OfType<HttpMethodMetadata>().SelectMany(m => m.HttpMethods))
            {
                foreach (var (kind, role) in new[] { ("origin-partner", "partner"), ("receiving-service", "receiving-service") })
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), path);
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                        "Bearer", TestIdentity.MintToken(Guid.NewGuid(), kind, role));
                    if (method is "POST" or "PUT")
                    {
                        request.Content = JsonContent.Create(new { });
                    }

                    var response = await service.Client.SendAsync(request);
                    Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {(int)response.StatusCode} to a {kind}");
                }
            }
        }
    }

    /// <summary>
    /// Every answer — API, problem, health, Swagger UI and document — refuses content sniffing and framing, sends no
    /// referrer and names no server software.
    /// </summary>
    [Fact]
    public async Task EveryResponse_RefusesSniffingFramingAndReferrers_AndNamesNoServer()
    {
        var token = TestIdentity.MintToken(Guid.NewGuid());
        var requests = new List<HttpRequestMessage>
        {
            new(HttpMethod.Get, "/health/live"),
            new(HttpMethod.Get, "/health/ready"),
            new(HttpMethod.Get, "/me"),
            new(HttpMethod.Get, "/me") { Headers = { Authorization = new("Bearer", token) } },
            new(HttpMethod.Get, "/no-such-route"),
            new(HttpMethod.Get, "/swagger/index.html"),
            new(HttpMethod.Get, "/swagger/v1/swagger.json"),
            new(HttpMethod.Get, PublicReferencePath()),
        };

        foreach (var request in requests)
        {
            using var response = await service.Client.SendAsync(request);
            Assert.Null(response.MissingSecurityHeaders());
        }

        // The in-memory test server never writes a Server header; Kestrel would, unless told not to.
        Assert.False(service.Factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AddServerHeader);
    }

    /// <summary>
    /// Caches have no business with an answer to a caller with a token, a refusal, or anything but public reference
    /// data and health: those carry personal data, receipts, withdrawal codes or secrets, or may.
    /// </summary>
    [Fact]
    public async Task AnswersToCallers_AndRefusals_AreNotStored_PublicReferenceDataMayBe()
    {
        var token = TestIdentity.MintToken(Guid.NewGuid());
        var me = new HttpRequestMessage(HttpMethod.Get, "/me") { Headers = { Authorization = new("Bearer", token) } };
        foreach (var request in new[] { me, new(HttpMethod.Get, "/me"), new(HttpMethod.Get, "/no-such-route") })
        {
            using var response = await service.Client.SendAsync(request);
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode} with Cache-Control: {response.Headers.CacheControl}");
        }

        using var reference = await service.Client.GetAsync(PublicReferencePath());
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.NotEqual(true, reference.Headers.CacheControl?.NoStore);
    }

    /// <summary>A GET route under /reference without parameters, from the route table.</summary>
    private string PublicReferencePath() =>
        service.Factory.Services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.Parameters.Count == 0
                && (e.RoutePattern.RawText ?? "").StartsWith("/reference/", StringComparison.Ordinal)
                && e.Metadata.OfType<HttpMethodMetadata>().Any(m => m.HttpMethods.Contains("GET")))
            .Select(e => e.RoutePattern.RawText!)
            .First();

    [Fact]
    public async Task Live_Returns200()
    {
        var response = await service.Client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ready_ReportsTheDatabaseAndTheBrokerHealthy()
    {
        var response = await service.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Healthy", (string?)body["checks"]!["database"]);
        Assert.Equal("Healthy", (string?)body["checks"]!["broker"]);
        Assert.Equal("Healthy", (string?)body["checks"]!["masstransit-bus"]);
    }

    [Fact]
    public async Task OpenApiDocument_AndSwaggerUi_AreServed()
    {
        var document = (await service.Client.GetFromJsonAsync<JsonObject>("/swagger/v1/swagger.json"))!;
        Assert.StartsWith("3.", (string?)document["openapi"], StringComparison.Ordinal);
        Assert.NotEmpty(document["paths"]!.AsObject());
        var ui = await service.Client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }

    [Fact]
    public async Task WithoutAToken_Returns401Problem()
    {
        var response = await service.Client.GetAsync("/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        Assert.Equal(401, (int?)problem["status"]);
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        var response = await service.Client.GetAsync("/no-such-route");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        Assert.Equal(404, (int?)problem["status"]);
    }

    /// <summary>
    /// The metrics are on the metrics port and nowhere else: /metrics on the API's port is 404, whatever Host the caller
    /// names, and the metrics port answers nothing but /metrics.
    /// </summary>
    [Fact]
    public async Task Metrics_AreServedOnTheMetricsPortOnly()
    {
        var metrics = await service.Factory.GetOnPortAsync("/metrics", TestMetrics.Port);
        Assert.Equal(StatusCodes.Status200OK, metrics.Status);
        Assert.Contains("# TYPE ", metrics.Body, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await service.Client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(StatusCodes.Status404NotFound, (await service.Factory.GetOnPortAsync("/metrics", TestMetrics.ApiPort)).Status);
        Assert.Equal(
            StatusCodes.Status404NotFound,
            (await service.Factory.GetOnPortAsync("/metrics", TestMetrics.ApiPort, host: $"localhost:{TestMetrics.Port}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Client.GetAsync($"http://localhost:{TestMetrics.Port}/metrics")).StatusCode);

        foreach (var path in new[] { "/health/ready", "/swagger/v1/swagger.json", "/me", "/metrics/x" })
        {
            Assert.Equal(StatusCodes.Status404NotFound, (await service.Factory.GetOnPortAsync(path, TestMetrics.Port)).Status);
        }
    }

    /// <summary>
    /// No label of any exported metric carries an id (a GUID, with or without dashes, such as the ones in the paths
    /// and tokens asked for here), an e-mail address or the database's name; and no label is named like an id.
    /// </summary>
    [Fact]
    public async Task MetricLabels_CarryNoIds()
    {
        var organisation = Guid.NewGuid();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/me?case={Guid.NewGuid()}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", TestIdentity.MintToken(organisation, "origin-partner", "partner"));
        await service.Client.SendAsync(request);
        await service.Client.GetAsync($"/no-such-route/{Guid.NewGuid()}");

        var scrape = await service.Factory.ScrapeUntilAsync(
            s => s.Has("http_server_request_duration_seconds_count") && s.Samples.Any(x => x.Name.StartsWith("imsa_", StringComparison.Ordinal)),
            "framework and IMSA metrics");
        Assert.Contains(scrape.Samples, s => s.Name.StartsWith("db_client_", StringComparison.Ordinal));
        foreach (var sample in scrape.Samples)
        {
            foreach (var (name, value) in sample.Labels)
            {
                Assert.False(name.EndsWith("_id", StringComparison.Ordinal) || name == "id", $"{sample.Name} has a label named {name}");
                Assert.False(MetricLabelRules.LooksLikeAnId(value), $"{sample.Name}{{{name}=\"{value}\"}} looks like an id");
                Assert.DoesNotContain("@", value, StringComparison.Ordinal);
                Assert.DoesNotContain(service.Database.Name, value, StringComparison.Ordinal);
            }
        }

        Assert.DoesNotContain(organisation.ToString(), scrape.Text, StringComparison.OrdinalIgnoreCase);
    }
}
