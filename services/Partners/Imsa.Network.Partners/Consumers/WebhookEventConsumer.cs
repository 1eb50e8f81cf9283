using System.Text.Json;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Messaging.Inbox;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Domain.Webhooks;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Consumers;

/// <summary>
/// Turns the events that concern an organisation into deliveries for its webhook subscriptions, in the consumer's
/// inbox transaction: one delivery per subscription and event, whose id is the event's MessageId, so a duplicate
/// event never becomes a second delivery. Payloads carry ids, codes and dates only, as the events do.
/// </summary>
internal sealed class WebhookEventConsumer(PartnersDbContext db, TimeProvider time) : IdempotentConsumer<PartnersDbContext>(db),
    IConsumer<HandoverOffered>,
    IConsumer<HandoverReassigned>,
    IConsumer<HandoverAccepted>,
    IConsumer<HandoverDeclined>,
    IConsumer<HandoverWithdrawn>,
    IConsumer<HandoverRevoked>,
    IConsumer<HandoverOutcomeRecorded>,
    IConsumer<HandoverEscalated>,
    IConsumer<HandoverCompleted>,
    IConsumer<ConsentWithdrawn>
{
    public Task Consume(ConsumeContext<HandoverOffered> context) =>
        NotifyAsync(context, WebhookEventTypes.HandoverOffered, [context.Message.ReceiverOrganisationId]);

    public Task Consume(ConsumeContext<HandoverReassigned> context) =>
        NotifyAsync(context, WebhookEventTypes.HandoverOffered, [context.Message.ReceiverOrganisationId]);

    public Task Consume(ConsumeContext<HandoverAccepted> context) =>
        NotifyAsync(context, WebhookEventTypes.HandoverAccepted, [context.Message.OriginOrganisationId, context.Message.ReceiverOrganisationId]);

    public Task Consume(ConsumeContext<HandoverDeclined> context) =>
        NotifyAsync(context, WebhookEventTypes.HandoverDeclined,
            context.Message.WasOffered ? [context.Message.OriginOrganisationId, context.Message.ReceiverOrganisationId] : [context.Message.OriginOrganisationId]);

    public Task Consume(ConsumeContext<HandoverWithdrawn> context) =>
        NotifyAsync(context, WebhookEventTypes.HandoverWithdrawn, [context.Message.OriginOrganisationId, context.Message.ReceiverOrganisationId]);

    public Task Consume(ConsumeContext<HandoverRevoked> context) =>
        NotifyAsync(context, WebhookEventTypes.HandoverRevoked, [context.Message.OriginOrganisationId, context.Message.ReceiverOrganisationId]);

    public Task Consume(ConsumeContext<HandoverOutcomeRecorded> context) =>
        NotifyAsync(context, WebhookEventTypes.HandoverOutcomeRecorded, [context.Message.OriginOrganisationId, context.Message.ReceiverOrganisationId]);

    public Task Consume(ConsumeContext<HandoverEscalated> context) =>
        NotifyAsync(context, WebhookEventTypes.HandoverEscalated, [context.Message.OriginOrganisationId, context.Message.ReceiverOrganisationId]);

    public Task Consume(ConsumeContext<HandoverCompleted> context) =>
        NotifyAsync(context, WebhookEventTypes.HandoverCompleted, [context.Message.OriginOrganisationId, context.Message.ReceiverOrganisationId]);

    // Without the recipients: no receiver learns whom else the person released.
    public Task Consume(ConsumeContext<ConsentWithdrawn> context) =>
        NotifyAsync(context, WebhookEventTypes.ConsentWithdrawn, [context.Message.OwnerOrganisationId, .. context.Message.Recipients], new
        {
            context.Message.ConsentId,
            context.Message.CaseId,
            context.Message.OwnerOrganisationId,
            context.Message.Channel,
            context.Message.At,
        });

    private Task NotifyAsync<TMessage>(ConsumeContext<TMessage> context, string eventType, Guid[] organisations)
        where TMessage : class =>
        NotifyAsync(context, eventType, organisations, context.Message);

    private Task NotifyAsync<TMessage>(ConsumeContext<TMessage> context, string eventType, Guid[] organisations, object data)
        where TMessage : class =>
        ConsumeOnceAsync(context, async () =>
        {
            // Only organisations in good standing hear from the network.
            var subscriptions = await Db.WebhookSubscriptions.AsNoTracking()
                .Where(s => organisations.Contains(s.OrganisationId) && s.DeletedAt == null
                    && Db.Organisations.Any(o => o.Id == s.OrganisationId && o.Status == OrganisationStatus.Active))
                .ToListAsync(context.CancellationToken);
            var eventId = context.MessageId!.Value;
            var now = time.GetUtcNow();
            var payload = JsonSerializer.Serialize(
                new { id = eventId, type = eventType, occurredAt = context.SentTime ?? now.UtcDateTime, data },
                JsonSerializerOptions.Web);
            foreach (var subscription in subscriptions.Where(s => s.Wants(eventType)))
            {
                Db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    Id = Guid.CreateVersion7(now),
                    SubscriptionId = subscription.Id,
                    EventId = eventId,
                    EventType = eventType,
                    Payload = payload,
                    CreatedAt = now,
                    NextAttemptAt = now,
                });
            }
        });
}
