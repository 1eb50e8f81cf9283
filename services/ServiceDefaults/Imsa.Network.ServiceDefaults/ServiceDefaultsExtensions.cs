using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Npgsql;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Imsa.Network.ServiceDefaults;

/// <summary>"OpenApi" configuration: how a service's OpenAPI document names addresses behind the gateway.</summary>
public sealed class OpenApiOptions
{
    /// <summary>
    /// The token endpoint's path at the gateway (e.g. "/partners/connect/token"). A document requested through the
    /// gateway (X-Forwarded-Prefix) names the gateway's address as its server, and this path on it as every OAuth
    /// flow's token URL, so "Authorize" and "Try it out" in the gateway's Swagger UI go through the gateway.
    /// </summary>
    public string? GatewayTokenPath { get; set; }
}

/// <summary>What every IMSA service starts with: structured logs, tracing, metrics, problem responses, health, Swagger.</summary>
public static class ServiceDefaultsExtensions
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName, OpenApiInfo api)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // One JSON object per log line, with the trace and span ids of the scope it was written in.
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options =>
        {
            options.IncludeScopes = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // The framework would log an unhandled exception with its message, which can quote data (a database error
        // quotes the row); ExceptionProblems logs its type and stack trace instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", LogLevel.None);

        builder.Services.AddOptions<TrustedProxyOptions>().BindConfiguration("ForwardedHeaders");
        builder.Services.AddOptions<NetworkOptions>().BindConfiguration("Network");
        // Nothing in an answer says which server software sent it.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ExceptionProblems>();
        // Binding failures reach the exception handler, which answers with a 400 problem naming the parameter.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
            // No date outside 1900–2199 reaches an endpoint (InputLimits).
            BoundedDates.AddTo(options.SerializerOptions.Converters);
        });

        // The pipeline (MapServiceDefaults) authenticates and authorises every request; the schemes and policies
        // are the service's (network access).
        builder.Services.AddAuthentication();
        builder.Services.AddAuthorization();

        // Libraries add their own activity sources (ConfigureOpenTelemetryTracerProvider).
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                tracing
                    .ConfigureResource(resource => resource.AddService(serviceName))
                    .AddAspNetCoreInstrumentation(options =>
                        options.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                    .AddNpgsql();
                if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                {
                    tracing.AddOtlpExporter();
                }
            });

        // Metrics for Prometheus on a port of their own (Metrics:Port), libraries' and services' meters included.
        builder.AddServiceMetrics(serviceName);

        builder.Services.AddHealthChecks();
        builder.Services.AddOptions<OpenApiOptions>().BindConfiguration("OpenApi");
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSingleton(provider =>
        {
            var examples = new ApiExamples();
            foreach (var add in provider.GetServices<Action<ApiExamples>>())
            {
                add(examples);
            }

            return examples;
        });
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", api);
            options.OperationFilter<AuthorizationResponsesFilter>();
            options.SchemaFilter<ExampleSchemaFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetEntryAssembly()?.GetName().Name}.xml");
            if (File.Exists(xml))
            {
                options.IncludeXmlComments(xml);
            }
        });

        return builder;
    }

    /// <summary>Example bodies shown in the Swagger document for request and response types.</summary>
    public static IServiceCollection AddApiExamples(this IServiceCollection services, Action<ApiExamples> add) => services.AddSingleton(add);

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // First, so every answer has them: nosniff, no framing (Swagger UI included), no referrer, no-store.
        app.UseSecurityHeaders();

        // Behind the gateway or an ingress: the caller's address (rate limits), scheme and the gateway's path prefix,
        // believed from the configured proxies only.
        app.UseForwardedHeaders(app.Services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value.ToForwardedHeadersOptions());

        // Unhandled exceptions and bare status codes both become RFC 9457 problem responses, never a stack trace.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Every text, list and body held to InputLimits before the token server, a binding or an endpoint reads it.
        app.UseMiddleware<InputChecks>();
        // Explicitly after the two above, so a refused token (401) or role (403) is a problem response too.
        app.UseAuthentication();
        app.UseAuthorization();
        // Writes under an Idempotency-Key: after the caller is known, around the endpoint and its transaction.
        app.UseMiddleware<IdempotentRequests>();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .AllowAnonymous()
            .ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteHealthAsync,
        }).AllowAnonymous().ExcludeFromDescription();

        // Behind the gateway (docs/operations.md) the document names the gateway's address and path prefix, so
        // "Try it out" and the token request go through it.
        var openApi = app.Services.GetRequiredService<IOptions<OpenApiOptions>>().Value;
        var network = app.Services.GetRequiredService<IOptions<NetworkOptions>>().Value;
        app.UseSwagger(swagger => swagger.PreSerializeFilters.Add((document, request) =>
        {
            // The prefix only a trusted proxy can set (X-Forwarded-Prefix → PathBase); the address from configuration.
            if (request.PathBase is not { HasValue: true } prefix || network.PublicUrl is not { IsAbsoluteUri: true } publicUrl)
            {
                return;
            }

            var origin = $"{publicUrl.GetLeftPart(UriPartial.Authority)}{publicUrl.AbsolutePath.TrimEnd('/')}";
            document.Servers = [new OpenApiServer { Url = origin + prefix }];
            if (openApi.GatewayTokenPath is { Length: > 0 } tokenPath && document.Components?.SecuritySchemes is { } schemes)
            {
                // A copy: the scheme objects are the options' own, shared by every document this service serves.
                foreach (var (name, scheme) in schemes.ToList())
                {
                    if (scheme is OpenApiSecurityScheme { Flows.ClientCredentials: { } flow })
                    {
                        schemes[name] = new OpenApiSecurityScheme
                        {
                            Type = scheme.Type,
                            Description = scheme.Description,
                            Flows = new OpenApiOAuthFlows
                            {
                                ClientCredentials = new OpenApiOAuthFlow { TokenUrl = new Uri(origin + tokenPath), Scopes = flow.Scopes },
                            },
                        };
                    }
                }
            }
        }));
        app.UseSwaggerUI(options => options.DocumentTitle = app.Environment.ApplicationName);
        return app;
    }

    /// <summary>Status per check, without exception messages (they can name hosts and users).</summary>
    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        };
        return context.Response.WriteAsJsonAsync(body);
    }
}
