using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace Imsa.Network.Gateway;

/// <summary>"Gateway" configuration: where the three services listen.</summary>
internal sealed class GatewayOptions
{
    /// <summary>How long the readiness check waits for each service's own; they are asked at once, so this bounds the answer.</summary>
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public Dictionary<string, string> Services { get; set; } = new()
    {
        ["partners"] = "http://127.0.0.1:5101",
        ["counselling"] = "http://127.0.0.1:5102",
        ["handovers"] = "http://127.0.0.1:5103",
    };
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
        var clusters = ServiceNames.Select(name => new ClusterConfig
        {
            ClusterId = name,
            Destinations = new Dictionary<string, DestinationConfig> { [name] = new() { Address = options.Services[name] } },
        }).ToList();
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
/// Ready when every service behind the gateway reports ready. The services are asked at once, each for at most
/// <see cref="GatewayOptions.ReadinessTimeout"/>, so a service that hangs makes the gateway unready, not slow; the
/// answer names each service's state.
/// </summary>
internal sealed class ServicesReadyCheck(IHttpClientFactory clients, IOptions<GatewayOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var client = clients.CreateClient("health");
        var states = await Task.WhenAll(settings.Services.Select(async service =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.ReadinessTimeout);
            try
            {
                using var response = await client.GetAsync(new Uri(new Uri(service.Value), "/health/ready"), timeout.Token);
                return (service.Key, State: response.IsSuccessStatusCode ? "ready" : "not ready");
            }
            catch (HttpRequestException)
            {
                return (service.Key, State: "unreachable");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (service.Key, State: "no answer in time");
            }
        }));

        var data = states.ToDictionary(s => s.Key, s => (object)s.State);
        return states.All(s => s.State == "ready")
            ? HealthCheckResult.Healthy(data: data)
            : HealthCheckResult.Unhealthy("Not every service is ready.", data: data);
    }
}
