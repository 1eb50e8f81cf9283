using Microsoft.AspNetCore.HttpOverrides;
using System.Reflection;
using System.Security.Claims;
using Imsa.Network.Messaging.Access;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using Npgsql;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Imsa.Network.Messaging.Hosting;

/// <summary>What every IMSA service starts with: structured logs, tracing, problem responses, health, Swagger.</summary>
public static class ServiceDefaults
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
        // quotes the row); BadRequestExceptionHandler logs its type and stack trace instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", LogLevel.None);

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Binding failures reach the exception handler, which answers with a 400 problem naming the parameter.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower)));

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracing
                    .AddAspNetCoreInstrumentation(options =>
                        options.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                    .AddSource("MassTransit")
                    .AddSource(MessagingTelemetry.SourceName)
                    .AddNpgsql();
                if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                {
                    tracing.AddOtlpExporter();
                }
            });

        builder.Services.AddHealthChecks();
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
            // Try it out: get a token from the Partners token endpoint with a client id and secret.
            var issuer = builder.Configuration["Identity:Issuer"] ?? "";
            options.AddSecurityDefinition("oauth2", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "OAuth 2.0 client credentials: the organisation's API client id and secret.",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow { TokenUrl = new Uri(new Uri(issuer.Length > 0 ? issuer : "http://localhost/"), "connect/token") },
                },
            });
            options.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token from POST /connect/token on the Partners service.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("oauth2", document)] = [],
                [new OpenApiSecuritySchemeReference("bearer", document)] = [],
            });
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

        // Behind the gateway or a load balancer on this host: the caller's address (rate limits), scheme and host.
        app.UseForwardedHeaders(new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
        });

        // Unhandled exceptions and bare status codes both become RFC 9457 problem responses, never a stack trace.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Explicitly after the two above, so a refused token (401) or role (403) is a problem response too.
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .AllowAnonymous()
            .ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteHealthAsync,
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new CallerResponse(
                user.OrganisationId(),
                user.FindFirstValue(NetworkClaims.OrganisationKind) ?? "",
                user.FindAll(NetworkClaims.Role).Select(c => c.Value).ToList(),
                user.FindFirstValue(NetworkClaims.ClientId))))
            .WithTags("Caller")
            .WithSummary("Who am I")
            .WithDescription("The organisation, kind, roles and client this service sees in the caller's access token.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        // Behind the gateway (docs/operations.md) the document names the gateway's address and path prefix, so
        // "Try it out" and the token request go through it.
        app.UseSwagger(swagger => swagger.PreSerializeFilters.Add((document, request) =>
        {
            if (request.Headers["X-Forwarded-Prefix"].FirstOrDefault() is { Length: > 0 } prefix)
            {
                var origin = $"{request.Scheme}://{request.Host}";
                document.Servers = [new OpenApiServer { Url = origin + prefix }];
                if (document.Components?.SecuritySchemes?.TryGetValue("oauth2", out var oauth) == true
                    && oauth is OpenApiSecurityScheme { Flows.ClientCredentials: { } flow })
                {
                    flow.TokenUrl = new Uri(origin + "/partners/connect/token");
                }
            }
        }));
        app.UseSwaggerUI(options => options.DocumentTitle = app.Environment.ApplicationName);
        return app;
    }

    /// <param name="OrganisationId">The caller's organisation.</param>
    /// <param name="Kind">origin-partner, transit-partner, receiving-service or coordinator.</param>
    /// <param name="Roles">The roles the token grants.</param>
    /// <param name="ClientId">The API client the token was issued to.</param>
    public sealed record CallerResponse(Guid OrganisationId, string Kind, IReadOnlyList<string> Roles, string? ClientId);

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
