using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Imsa.Network.ServiceDefaults;

/// <summary>"Metrics" configuration: where Prometheus scrapes a service.</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// The port that answers GET /metrics (Prometheus text format) and nothing else. Unset: no metrics endpoint at all.
    /// The service listens on it beside its own addresses (urls, ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS), on the
    /// same interface as the first of them; the API's port answers /metrics with 404.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>How long a gauge read from the database (the outbox's depth, handovers by state) is reused.</summary>
    public TimeSpan GaugeCacheDuration { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Metrics of every service: ASP.NET Core, the runtime, Npgsql, MassTransit and the IMSA meters
/// ("Imsa.Network.*", created through <see cref="System.Diagnostics.Metrics.IMeterFactory"/>), exported for Prometheus on
/// the metrics port only (<see cref="MetricsOptions.Port"/>). Labels come from small fixed sets (routes, status codes,
/// message type names, states, outcomes), never ids, names or case data.
/// </summary>
public static partial class ServiceMetrics
{
    /// <summary>The prefix of every IMSA meter: "Imsa.Network.Messaging", "Imsa.Network.Partners", ….</summary>
    public const string MeterPrefix = "Imsa.Network";

    public const string ScrapePath = "/metrics";

    // Npgsql names its pool after the connection string (host, user, database): not a label worth a series.
    private static readonly string[] NpgsqlTags = ["db.client.connection.state", "db.system.name", "db.system", "error.type"];

    // MassTransit also tags the endpoint and destination, and the bus's own endpoint has a name made up per process.
    private static readonly string[] MassTransitTags =
    [
        "messaging.masstransit.service", "messaging.masstransit.consumer_type", "messaging.masstransit.message_type",
        "messaging.masstransit.exception_type",
    ];

    internal static void AddServiceMetrics(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration("Metrics");
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            // No service.instance.id: it would be a new label value with every start.
            .ConfigureResource(resource => resource.AddService(serviceName, autoGenerateServiceInstanceId: false))
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddNpgsqlInstrumentation()
            .AddMeter("MassTransit")
            .AddMeter(MeterPrefix + ".*")
            // Pull only: nothing is collected until the metrics port is asked.
            .AddPrometheusExporter());

        // A meter made by another host's factory is that host's: several hosts can share a process (tests), and
        // their instruments have the same names.
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, metrics) =>
        {
            var own = services.GetRequiredService<IMeterFactory>();
            metrics.AddView(instrument =>
                instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own) ? MetricStreamConfiguration.Drop
                : instrument.Meter.Name switch
                {
                    "Npgsql" => new MetricStreamConfiguration { TagKeys = NpgsqlTags },
                    "MassTransit" => new MetricStreamConfiguration { TagKeys = MassTransitTags },
                    _ => null,
                });
        });

        // Outermost, before host filtering: Prometheus asks by the pod's address, which AllowedHosts refuses.
        builder.Services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, MetricsPort>());
    }

    /// <summary>
    /// Adds the metrics port to the server's addresses (after those from configuration, so urls and
    /// ASPNETCORE_URLS keep working) and answers on it /metrics and nothing else, before any other middleware.
    /// </summary>
    private sealed partial class MetricsPort(IOptions<MetricsOptions> options, ILogger<MetricsPort> logger) : IStartupFilter
    {
        // Kestrel's own default, which it uses only while no address is configured at all.
        private const string KestrelDefault = "http://localhost:5000";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            if (options.Value.Port is not { } port)
            {
                next(app);
                return;
            }

            if (app.ServerFeatures.Get<IServerAddressesFeature>()?.Addresses is { IsReadOnly: false } addresses)
            {
                if (addresses.Count == 0)
                {
                    addresses.Add(KestrelDefault);
                }

                var first = BindingAddress.Parse(addresses.First());
                if (addresses.Select(BindingAddress.Parse).Any(address => address.Port == port))
                {
                    throw new InvalidOperationException($"Metrics:Port {port} is one of the service's own ports: give metrics a port of their own.");
                }

                var metrics = $"http://{first.Host}:{port}";
                addresses.Add(metrics);
                LogListening(metrics);
            }

            // Kestrel knows the port a connection came in on; the Host header is the caller's to choose.
            app.MapWhen(context => context.Connection.LocalPort == port, metricsPort =>
            {
                // Scrapes are not the service's traffic: left out of http.server.request.duration.
                metricsPort.Use((context, nextOnPort) =>
                {
                    if (context.Features.Get<IHttpMetricsTagsFeature>() is { } tags)
                    {
                        tags.MetricsDisabled = true;
                    }

                    return nextOnPort(context);
                });
                metricsPort.UseOpenTelemetryPrometheusScrapingEndpoint(
                    meterProvider: null,
                    predicate: context => HttpMethods.IsGet(context.Request.Method) && context.Request.Path == ScrapePath,
                    path: null,
                    configureBranchedPipeline: null,
                    optionsName: null);
                metricsPort.Run(context =>
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                });
            });
            next(app);
        };

        [LoggerMessage(Level = LogLevel.Information, Message = "Metrics for Prometheus at {Address}/metrics")]
        private partial void LogListening(string address);
    }
}
