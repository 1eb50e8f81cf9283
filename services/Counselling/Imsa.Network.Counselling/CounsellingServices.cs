using System.Threading.RateLimiting;
using Imsa.Network.Counselling.Consumers;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Counselling.Endpoints;
using Imsa.Network.Counselling.Protection;
using Imsa.Network.Access;
using Imsa.Network.Messaging;
using Imsa.Network.Operations;
using Imsa.Network.Reference.Geography;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Imsa.Network.Counselling;

/// <summary>"Counselling:WithdrawalRateLimit": how often one client address may try withdrawal codes.</summary>
internal sealed class WithdrawalRateLimitOptions
{
    public int PermitLimit { get; set; } = 10;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

internal static class CounsellingServices
{
    public static WebApplicationBuilder AddCounsellingServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults("counselling", new OpenApiInfo
        {
            Title = "IMSA Network — Counselling",
            Version = "v1",
            Description = "Pre-integration case records with encrypted personal data, consent (release from confidentiality) with "
                + "receipts and withdrawal, and the consent-checked dossier with its disclosure log.",
        });
        builder.AddServiceDatabase<CounsellingDbContext>();
        builder.AddMessaging<CounsellingDbContext>("counselling", bus =>
        {
            bus.AddConsumer<OrganisationRegisteredConsumer>();
            bus.AddConsumer<HandoverProjectionConsumer>();
            bus.AddAccessProjection();
        });
        builder.AddNetworkAccess();
        builder.AddOperations();

        builder.Services.AddOptions<EncryptionOptions>().BindConfiguration("Encryption").ValidateOnStart();
        // Receipts name the withdrawal address where the person reaches it: Counselling does not start without it.
        builder.Services.AddOptions<NetworkOptions>()
            .Validate(network => network.PublicUrl is { IsAbsoluteUri: true, Scheme: "https" or "http" }, "Network:PublicUrl, the gateway's public address (https://…/), is required.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EncryptionOptions>, EncryptionOptionsValidation>();
        builder.Services.AddSingleton<MasterKeyRing>();
        builder.Services.AddSingleton(IdempotentAnswers.Sealing);
        builder.Services.AddHostedService<KeyRotationJob>();
        builder.Services.AddOptions<ConsentExpiryOptions>().BindConfiguration("Counselling:ConsentExpiry");
        builder.Services.AddHostedService<ConsentExpiryJob>();
        builder.Services.AddSingleton(_ => GermanGeography.Shared);

        builder.Services.AddOptions<WithdrawalRateLimitOptions>().BindConfiguration("Counselling:WithdrawalRateLimit");
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(ConsentEndpoints.WithdrawalRateLimit, http =>
            {
                var limits = http.RequestServices.GetRequiredService<IOptions<WithdrawalRateLimitOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.PermitLimit, Window = limits.Window, QueueLimit = 0 });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many attempts.",
                        Detail = "Try again later, or ask your counselling service to withdraw the consent for you.",
                    },
                });
            };
        });

        builder.Services.AddApiExamples(CounsellingApiExamples.Add);
        builder.Services.ConfigureSwaggerGen(swagger => swagger.SchemaFilter<DataCategorySchemaFilter>());
        return builder;
    }
}
