using Imsa.Network.Access;
using Imsa.Network.Messaging;
using Imsa.Network.Operations;
using Imsa.Network.Partners.Consumers;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Domain.Notifications;
using Imsa.Network.Partners.Domain.Webhooks;
using Imsa.Network.Partners.Endpoints;
using Imsa.Network.Partners.Identity;
using Imsa.Network.Reference.Geography;
using Imsa.Network.ServiceDefaults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Imsa.Network.Partners;

internal static class PartnersServices
{
    /// <summary>Creating and rotating API clients, per organisation ("Limits:ApiClients").</summary>
    public const string ApiClients = "ApiClients";

    /// <summary>Subscribing webhooks, per organisation ("Limits:Webhooks").</summary>
    public const string Webhooks = "Webhooks";

    /// <summary>Wrong invitation codes tried at POST /invitations/redeem, per client address ("Limits:InvitationRedemptions").</summary>
    public const string InvitationRedemptions = "InvitationRedemptions";

    /// <summary>
    /// Organisations' names asked for without a token at GET /directory/names, per client address ("Limits:DirectoryNames").
    /// The web application asks once for each person reading their receipt, all from its one address: the default leaves it room.
    /// </summary>
    public const string DirectoryNames = "DirectoryNames";

    public static WebApplicationBuilder AddPartnersServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults("partners", new OpenApiInfo
        {
            Title = "IMSA Network — Partners",
            Version = "v1",
            Description = "The registry of partner organisations abroad, receiving services in Germany and coordinators: "
                + "their profiles and API clients, the network's OAuth 2.0 token endpoint, the directory of receiving services "
                + "and the explained matching of a case to the services that may take it.",
        });
        builder.AddServiceDatabase<PartnersDbContext>();
        // A directory change rebuilds this instance's index once its transaction commits (the DbContext is pooled:
        // its options, interceptors included, are configured here once, not in OnConfiguring).
        builder.Services.ConfigureDbContext<PartnersDbContext>(
            (_, options) => options.AddInterceptors(DirectoryCommitInterceptor.Instance), ServiceLifetime.Singleton);
        builder.AddMessaging<PartnersDbContext>("partners", bus =>
        {
            bus.AddConsumer<HandoverLoadConsumer>();
            bus.AddConsumer<WebhookEventConsumer>();
            bus.AddConsumer<CaseErasedConsumer>();
            bus.AddConsumer<NotificationConsumer>();
            bus.AddAccessProjection();
        });
        builder.AddNetworkAccess();
        builder.AddOperations();
        builder.AddTokenServer();
        builder.AddRateLimit(ApiClients, 100, TimeSpan.FromHours(1));
        builder.AddRateLimit(Webhooks, 100, TimeSpan.FromHours(1));
        builder.AddRateLimit(InvitationRedemptions, 10, TimeSpan.FromMinutes(1));
        builder.AddRateLimit(DirectoryNames, 600, TimeSpan.FromMinutes(1));
        builder.Services.AddScoped<ApiClients>();
        builder.Services.AddOptions<InvitationOptions>().BindConfiguration("Invitations");
        builder.Services.AddSingleton<Mailer>();
        builder.Services.AddSingleton<InvitationMail>();
        builder.Services.AddPeopleIdentity();
        // Sign-in cookies and forms made by one instance are read by another (docs/operations.md#several-instances).
        builder.Services.AddSharedKeyRing<PartnersDbContext>("imsa-partners");
        builder.Services.AddScoped<Enrolment>();
        builder.Services.AddSingleton(_ => GermanGeography.Shared);
        builder.Services.AddSingleton<DirectoryCatalog>();
        builder.Services.AddHostedService<DirectoryRefresh>();
        builder.Services.AddSingleton<DirectoryLoadBump>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<DirectoryLoadBump>());
        builder.Services.AddApiExamples(PartnersApiExamples.Add);

        builder.Services.AddOptions<WebhookOptions>().BindConfiguration("Webhooks");
        builder.Services.AddOptions<EncryptionOptions>().BindConfiguration("Encryption").ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EncryptionOptions>, EncryptionOptionsValidation>();
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddSingleton<WebhookTargets>();
        builder.Services.AddHttpClient(WebhookDispatcher.ClientName)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                // Every connection goes to a checked, public address: no redirect elsewhere, no re-pointed name.
                ConnectCallback = provider.GetRequiredService<WebhookTargets>().ConnectAsync,
                AllowAutoRedirect = false,
                // A proxy would connect instead of us, past the address check.
                UseProxy = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                // Only the status of an answer is used (WebhookDispatcher): its headers are capped at 16 KB, and at
                // most 16 KB of an unread body is drained to reuse the connection, else it is closed.
                MaxResponseHeadersLength = 16,
                MaxResponseDrainSize = 16 * 1024,
                ResponseDrainTimeout = TimeSpan.FromSeconds(1),
            });
        builder.Services.AddHostedService<WebhookDispatcher>();
        builder.Services.AddOptions<NotificationOptions>().BindConfiguration("Notifications");
        builder.Services.AddSingleton<NotificationMailer>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<NotificationMailer>());
        builder.Services.AddSingleton<PartnersMetrics>();
        // Retention (Retention:Periods:<rule>): applied by the operations' retention job, reported at GET /admin/retention.
        builder.AddRetentionRule(PartnersRetention.WebhookDeliveries);
        builder.AddRetentionRule(PartnersRetention.CredentialEvents);
        builder.AddRetentionRule(PartnersRetention.Notifications);
        builder.AddRetentionRule(PartnersRetention.Activity);
        builder.AddRetentionRule(PartnersRetention.AuditTrail);
        return builder;
    }
}
