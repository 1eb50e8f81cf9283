using Imsa.Network.Counselling.Consumers;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Counselling.Endpoints;
using Imsa.Network.Counselling.Export;
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

/// <summary>The service's limits ("Limits:&lt;name&gt;", <see cref="RateLimits.AddRateLimit"/>).</summary>
internal static class CounsellingLimits
{
    /// <summary>Opening and changing cases and recording sessions, per organisation.</summary>
    public const string Cases = "Cases";

    public const string Consents = "Consents";

    public const string DossierReads = "DossierReads";

    /// <summary>Wrong withdrawal codes tried at POST /consent-withdrawals, per client address.</summary>
    public const string Withdrawals = "Withdrawals";
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
            bus.AddConsumer<OrganisationContactConsumer>();
            bus.AddConsumer<HandoverProjectionConsumer>();
            bus.AddAccessProjection();
        });
        builder.AddNetworkAccess();
        builder.AddOperations();
        // Who of another organisation read a case's dossier, without naming them (Pseudonyms:Key).
        builder.AddPseudonyms();

        builder.Services.AddOptions<EncryptionOptions>().BindConfiguration("Encryption").ValidateOnStart();
        // Receipts name the withdrawal address where the person reaches it: Counselling does not start without it.
        builder.Services.AddOptions<NetworkOptions>()
            .Validate(network => network.PublicUrl is { IsAbsoluteUri: true, Scheme: "https" or "http" }, "Network:PublicUrl, the gateway's public address (https://…/), is required.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EncryptionOptions>, EncryptionOptionsValidation>();
        builder.Services.AddSingleton<MasterKeyRing>();
        builder.Services.AddSingleton(IdempotentAnswers.Sealing);
        builder.Services.AddHostedService<KeyRotationJob>();
        // Receipts are signed with a key this service makes and rotates itself, sealed under the master key.
        builder.Services.AddOptions<ReceiptOptions>().BindConfiguration("Receipts")
            .Validate(receipts => receipts.SigningKeyLifetime >= TimeSpan.FromHours(1), "Receipts:SigningKeyLifetime is at least 01:00:00.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ReceiptSigner>();
        builder.Services.AddOptions<ConsentExpiryOptions>().BindConfiguration("Counselling:ConsentExpiry");
        builder.Services.AddHostedService<ConsentExpiryJob>();
        builder.Services.AddSingleton<CounsellingMetrics>();
        // Retention (Retention:Periods:<rule>): applied by the operations' retention job, reported at GET /admin/retention.
        builder.AddRetentionRule(CounsellingRetention.ClosedCases);
        builder.AddRetentionRule(CounsellingRetention.ConsentProof);
        builder.AddRetentionRule(CounsellingRetention.Disclosures);
        builder.AddRetentionRule(CounsellingRetention.Activity);
        builder.AddRetentionRule(CounsellingRetention.AuditTrail);
        builder.Services.AddSingleton(_ => GermanGeography.Shared);
        // A case's export asks Handovers for its part (docs/privacy.md#access-and-portability).
        builder.Services.AddOptions<ExportOptions>().BindConfiguration("Export")
            .Validate(export => export.HandoversUrl is { IsAbsoluteUri: true, Scheme: "https" or "http" }, "Export:HandoversUrl, the Handovers service's address (http://…/), is required.")
            .ValidateOnStart();
        builder.Services.AddHttpClient<HandoversClient>((services, client) =>
        {
            var export = services.GetRequiredService<IOptions<ExportOptions>>().Value;
            client.BaseAddress = export.HandoversUrl;
            client.Timeout = export.HandoversTimeout;
        });

        builder.AddRateLimit(CounsellingLimits.Cases, 1_000, TimeSpan.FromMinutes(1));
        builder.AddRateLimit(CounsellingLimits.Consents, 2_000, TimeSpan.FromMinutes(1));
        builder.AddRateLimit(CounsellingLimits.DossierReads, 2_000, TimeSpan.FromMinutes(1));
        // Guessing withdrawal codes: wrong ones counted per client address, in the database every instance shares.
        builder.AddRateLimit(CounsellingLimits.Withdrawals, 10, TimeSpan.FromMinutes(1));

        builder.Services.AddApiExamples(CounsellingApiExamples.Add);
        builder.Services.ConfigureSwaggerGen(swagger => swagger.SchemaFilter<DataCategorySchemaFilter>());
        return builder;
    }
}
