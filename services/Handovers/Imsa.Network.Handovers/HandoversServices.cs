using Imsa.Network.Handovers.Consumers;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.Handovers.Endpoints;
using Imsa.Network.Access;
using Imsa.Network.Messaging;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Imsa.Network.Handovers;

internal static class HandoversServices
{
    /// <summary>Requesting handovers, per organisation ("Limits:HandoverRequests").</summary>
    public const string HandoverRequests = "HandoverRequests";

    public static WebApplicationBuilder AddHandoversServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults("handovers", new OpenApiInfo
        {
            Title = "IMSA Network — Handovers",
            Version = "v1",
            Description = "Handover tickets from partners abroad to receiving services in Germany: offer, accept or decline, the outcome "
                + "after arrival (the closed loop), SLA escalation, and revocation when consent ends.",
        });
        builder.AddServiceDatabase<HandoversDbContext>();
        builder.AddMessaging<HandoversDbContext>("handovers", bus =>
        {
            bus.AddConsumer<OrganisationRegisteredConsumer>();
            bus.AddConsumer<OrganisationCapacityConsumer>();
            bus.AddConsumer<OrganisationProfileConsumer>();
            bus.AddConsumer<CaseEventsConsumer>();
            bus.AddConsumer<ConsentEventsConsumer>();
            bus.AddAccessProjection();
        });
        builder.AddNetworkAccess();
        builder.AddOperations();
        // Who of the other party took a step on a handover, without naming them (Pseudonyms:Key).
        builder.AddPseudonyms();
        builder.AddRateLimit(HandoverRequests, 2_000, TimeSpan.FromMinutes(1));
        // The master key that wraps the cases' keys for the tickets' free text (docs/privacy.md#handovers-free-text).
        builder.Services.AddOptions<EncryptionOptions>().BindConfiguration("Encryption").ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EncryptionOptions>, EncryptionOptionsValidation>();
        builder.Services.AddSingleton<TicketTexts>();
        builder.Services.AddSingleton(IdempotentAnswers.Sealing);
        builder.Services.AddHostedService<TicketTextUpkeep>();
        builder.Services.AddOptions<SlaOptions>().BindConfiguration("Handovers:Sla");
        builder.Services.AddHostedService<SlaJob>();
        builder.Services.AddSingleton<HandoversMetrics>();
        // Retention (Retention:Periods:<rule>): applied by the operations' retention job, reported at GET /admin/retention.
        builder.AddRetentionRule(HandoversRetention.ErasedCaseHandovers);
        builder.AddRetentionRule(HandoversRetention.Activity);
        builder.AddRetentionRule(HandoversRetention.AuditTrail);
        builder.Services.AddApiExamples(examples => examples
            .Add(new RequestHandoverRequest(
                new Guid("0199a0c4-5b7e-7d3a-9c41-2f5e8a1b6c31"),
                new Guid("0199a0c4-5b7e-7d3a-9c41-2f5e8a1b6c30"),
                ["EDU", "LANG", "ADMN"],
                new DateOnly(2027, 3, 1),
                "Starts an apprenticeship in Mainz on 1 April; the dossier has the details."))
            .Add(new DeclineHandoverRequest("outside-service-area", null))
            .Add(new RecordOutcomeRequest("first-contact-made", new DateOnly(2027, 3, 4)))
            .Add(new ReassignHandoverRequest(new Guid("0199a0c4-5b7e-7d3a-9c41-2f5e8a1b6c32"), "No answer after two reminders; MBE Mainz has capacity")));
        return builder;
    }
}
