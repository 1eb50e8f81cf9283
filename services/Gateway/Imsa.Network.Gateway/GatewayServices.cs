using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace Imsa.Network.Gateway;

/// <summary>"Gateway" configuration: where the three services listen.</summary>
internal sealed class GatewayOptions
{
    /// <summary>How long the readiness check waits for each service's own; they are asked at once, so this bounds the answer.</summary>
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each instance's readiness is asked, to take it out of (and back into) the rotation.</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Each service's instances: one base address, or several separated by commas (requests are spread over the
    /// ready ones).
    /// </summary>
    public Dictionary<string, string> Services { get; set; } = new()
    {
        ["partners"] = "http://127.0.0.1:5101",
        ["counselling"] = "http://127.0.0.1:5102",
        ["handovers"] = "http://127.0.0.1:5103",
    };

    /// <summary>The base addresses of a service's instances.</summary>
    public IReadOnlyList<Uri> Instances(string service) =>
        Services[service].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => new Uri(a)).ToList();
}

/// <summary>
/// One entry point for the network: /partners/…, /counselling/… and /handovers/… go to the three services with the
/// prefix removed (and announced in X-Forwarded-Prefix, so each service's OpenAPI document names the gateway
/// address); /swagger is one Swagger UI listing the three documents. Nothing else: authentication and authorisation
/// stay with the services.
/// </summary>
internal static class GatewayServices
{
    public static readonly string[] ServiceNames = ["partners", "counselling", "handovers"];

    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options => options.UseUtcTimestamp = true);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration("Gateway");
        // Nothing in an answer says which server software sent it (a service's own is removed as it passes).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var options = builder.Configuration.GetSection("Gateway").Get<GatewayOptions>() ?? new GatewayOptions();

        var routes = ServiceNames.Select(name => new RouteConfig
        {
            RouteId = name,
            ClusterId = name,
            Match = new RouteMatch { Path = $"/{name}/{{**rest}}" },
        }).ToList();
        // Several instances of a service share its requests in turn. Each instance's readiness is asked every
        // HealthInterval (two failures in a row take it out, one success brings it back), and a connection it
        // refuses or drops takes it out at once for ReactivationPeriod: a killed instance stops receiving requests
        // within seconds. A request it had in flight fails (502) and is the client's to retry: YARP does not repeat
        // requests, and the network's writes take an Idempotency-Key for that.
        var clusters = ServiceNames.Select(name => new ClusterConfig
        {
            ClusterId = name,
            LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
            Destinations = options.Instances(name).Select((address, index) => (address, index))
                .ToDictionary(d => $"{name}-{d.index + 1}", d => new DestinationConfig { Address = d.address.ToString() }),
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = options.HealthInterval,
                    Timeout = options.ReadinessTimeout,
                    Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                    Path = "/health/ready",
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = FirstTransportFailure.Name,
                    ReactivationPeriod = options.HealthInterval * 5,
                },
            },
        }).ToList();
        builder.Services.AddSingleton<IPassiveHealthCheckPolicy, FirstTransportFailure>();
        builder.Services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddTransforms(transforms =>
            {
                var prefix = $"/{transforms.Route.RouteId}";
                transforms.AddPathRemovePrefix(prefix);
                // The defaults would set X-Forwarded-Prefix from the (empty) path base; it is the route's prefix.
                transforms.UseDefaultForwarders = false;
                // Set, not appended: the caller's address and scheme as the gateway knows them (from a trusted proxy
                // in front of it, or the connection); whatever a caller wrote in these headers goes no further.
                transforms.AddXForwardedFor(action: ForwardedTransformActions.Set);
                transforms.AddXForwardedProto(action: ForwardedTransformActions.Set);
                transforms.AddRequestHeader("X-Forwarded-Prefix", prefix, append: false);
            });

        builder.Services.AddHttpClient("health");
        builder.Services.AddHealthChecks().AddCheck<ServicesReadyCheck>("services", tags: ["ready"]);
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseGatewayHeaders();

        // Behind an ingress: the caller's address and scheme, believed from the configured proxies only
        // ("ForwardedHeaders:KnownNetworks"; none by default, not even loopback).
        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var network in app.Configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [])
        {
            forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                ? parsed
                : System.Net.IPNetwork.Parse($"{network}/{(network.Contains(':', StringComparison.Ordinal) ? 128 : 32)}"));
        }

        app.UseForwardedHeaders(forwarded);
        app.MapReverseProxy();
        app.MapGet("/", () => Results.Redirect("/swagger")).ExcludeFromDescription();
        app.UseSwaggerUI(ui =>
        {
            ui.DocumentTitle = "IMSA Network";
            ui.RoutePrefix = "swagger";
            foreach (var name in ServiceNames)
            {
                ui.SwaggerEndpoint($"/{name}/swagger/v1/swagger.json", $"{char.ToUpperInvariant(name[0])}{name[1..]}");
            }
        });
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new()
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = (context, report) => context.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString(),
                services = report.Entries.SelectMany(e => e.Value.Data).ToDictionary(d => d.Key, d => d.Value),
            }),
        });
        return app;
    }
}

/// <summary>
/// Takes an instance out of the rotation at its first failed connection or exchange (refused, reset, no answer),
/// for the cluster's reactivation period, after which the active check decides. YARP's own passive policy waits for
/// a failure rate over a number of requests: a killed instance kept receiving (and failing) every other request.
/// An answer of any status, even 5xx, is not a transport failure: the instance is there, and the active check judges it.
/// </summary>
internal sealed class FirstTransportFailure(IDestinationHealthUpdater health) : IPassiveHealthCheckPolicy
{
    public const string Name = "FirstTransportFailure";

    string IPassiveHealthCheckPolicy.Name => Name;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var error = context.Features.Get<IForwarderErrorFeature>()?.Error;
        if (error is ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.ResponseHeaders or ForwarderError.ResponseBodyDestination)
        {
            var reactivation = cluster.Model.Config.HealthCheck?.Passive?.ReactivationPeriod ?? TimeSpan.FromSeconds(10);
            health.SetPassive(cluster, destination, DestinationHealth.Unhealthy, reactivation);
        }
    }
}

/// <summary>
/// The gateway's own equivalent of the services' security headers (it references no shared library): on its own
/// answers (Swagger UI, health) and on those it passes on, no content sniffing, no framing, no referrer, no Server
/// header. Cache-Control is left as the service sent it, so a service's "no-store" reaches the caller.
/// </summary>
internal static class GatewayHeaders
{
    public static IApplicationBuilder UseGatewayHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // As the answer starts: after the proxy has copied the service's headers, so these replace theirs.
            context.Response.OnStarting(Apply, context);
            return next(context);
        });

    private static Task Apply(object state)
    {
        var headers = ((HttpContext)state).Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // Only framing: a fuller policy would stop the Swagger UI's own scripts and styles.
        headers.ContentSecurityPolicy = "frame-ancestors 'none'";
        headers["Referrer-Policy"] = "no-referrer";
        headers.Remove("Server");
        return Task.CompletedTask;
    }
}

/// <summary>
/// Ready when every service behind the gateway has an instance that reports ready. The instances are asked at once,
/// each for at most <see cref="GatewayOptions.ReadinessTimeout"/>, so a service that hangs makes the gateway unready,
/// not slow; the answer names each service's state ("ready", or "2 of 3 ready" while some are not).
/// </summary>
internal sealed class ServicesReadyCheck(IHttpClientFactory clients, IOptions<GatewayOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var client = clients.CreateClient("health");
        var states = await Task.WhenAll(settings.Services.Keys.Select(async service =>
        {
            var instances = await Task.WhenAll(settings.Instances(service).Select(address => StateAsync(client, address, settings.ReadinessTimeout, cancellationToken)));
            var ready = instances.Count(state => state == Ready);
            var state = ready == instances.Length ? Ready
                : ready > 0 ? $"{ready} of {instances.Length} ready"
                : instances.Length == 1 ? instances[0]
                : $"none of {instances.Length} ready";
            return (Key: service, Ready: ready > 0, State: state);
        }));

        var data = states.ToDictionary(s => s.Key, s => (object)s.State);
        return states.All(s => s.Ready)
            ? HealthCheckResult.Healthy(data: data)
            : HealthCheckResult.Unhealthy("Not every service is ready.", data: data);
    }

    private const string Ready = "ready";

    private static async Task<string> StateAsync(HttpClient client, Uri instance, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            using var response = await client.GetAsync(new Uri(instance, "/health/ready"), timeout.Token);
            return response.IsSuccessStatusCode ? Ready : "not ready";
        }
        catch (HttpRequestException)
        {
            return "unreachable";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "no answer in time";
        }
    }
}
