using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Contracts.Partners;
using Imsa.Network.Messaging.Inbox;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain.Notifications;
using MassTransit;

namespace Imsa.Network.Partners.Consumers;

/// <summary>
/// Turns the events that ask someone to act, or that someone waits for, into notifications for the people concerned
/// (<see cref="Notifier"/>), in the consumer's inbox transaction: a redelivered event changes nothing, and each
/// notification's source is the event's MessageId, so no person gets one event twice. The receiver's people are
/// linked to its inbox, the origin's to the handover on its case.
/// </summary>
internal sealed class NotificationConsumer(PartnersDbContext db, TimeProvider time) : IdempotentConsumer<PartnersDbContext>(db),
    IConsumer<HandoverOffered>,
    IConsumer<HandoverReassigned>,
    IConsumer<HandoverAnswerDueSoon>,
    IConsumer<HandoverAccepted>,
    IConsumer<HandoverDeclined>,
    IConsumer<HandoverWithdrawn>,
    IConsumer<HandoverRevoked>,
    IConsumer<HandoverOutcomeRecorded>,
    IConsumer<HandoverFollowUpDue>,
    IConsumer<HandoverEscalated>,
    IConsumer<ConsentWithdrawn>,
    IConsumer<ConsentExpiring>,
    IConsumer<OrganisationRegistered>
{
    public Task Consume(ConsumeContext<HandoverOffered> context) =>
        ToReceiver(context, NotificationKinds.OfferReceived, context.Message.HandoverId, context.Message.OriginOrganisationId,
            context.Message.ReceiverOrganisationId, dueAt: context.Message.AnswerDueAt);

    public Task Consume(ConsumeContext<HandoverReassigned> context) =>
        ToReceiver(context, NotificationKinds.OfferReceived, context.Message.HandoverId, context.Message.OriginOrganisationId,
            context.Message.ReceiverOrganisationId, code: "reassigned", dueAt: context.Message.AnswerDueAt);

    public Task Consume(ConsumeContext<HandoverAnswerDueSoon> context) =>
        ToReceiver(context, NotificationKinds.OfferDueSoon, context.Message.HandoverId, context.Message.OriginOrganisationId,
            context.Message.ReceiverOrganisationId, dueAt: context.Message.AnswerDueAt);

    public Task Consume(ConsumeContext<HandoverAccepted> context) =>
        ToOrigin(context, NotificationKinds.HandoverAccepted, context.Message);

    // A request the service declined before offering it reaches its origin only; the receiver never saw it.
    public Task Consume(ConsumeContext<HandoverDeclined> context) =>
        ToOrigin(context, NotificationKinds.HandoverDeclined, context.Message, code: context.Message.Reason);

    public Task Consume(ConsumeContext<HandoverWithdrawn> context) =>
        ToReceiver(context, NotificationKinds.HandoverWithdrawn, context.Message.HandoverId, context.Message.OriginOrganisationId,
            context.Message.ReceiverOrganisationId);

    public Task Consume(ConsumeContext<HandoverRevoked> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var revoked = context.Message;
            await Notifier.NotifyAsync(Db, revoked.OriginOrganisationId, OriginDraft(context, NotificationKinds.HandoverRevoked, revoked, revoked.Cause), time.GetUtcNow(), context.CancellationToken);
            await Notifier.NotifyAsync(Db, revoked.ReceiverOrganisationId,
                ReceiverDraft(context, NotificationKinds.HandoverRevoked, revoked.HandoverId, revoked.OriginOrganisationId, revoked.Cause, null), time.GetUtcNow(), context.CancellationToken);
        });

    public Task Consume(ConsumeContext<HandoverOutcomeRecorded> context) =>
        ToOrigin(context, NotificationKinds.HandoverOutcome, context.Message, code: context.Message.Outcome,
            dueAt: context.Message.OccurredOn is { } on ? new DateTimeOffset(on.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null);

    public Task Consume(ConsumeContext<HandoverFollowUpDue> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var due = context.Message;
            var now = time.GetUtcNow();
            await Notifier.NotifyAsync(Db, due.ReceiverOrganisationId,
                ReceiverDraft(context, NotificationKinds.FollowUpDue, due.HandoverId, due.OriginOrganisationId, null, null), now, context.CancellationToken);
            await Notifier.NotifyAsync(Db, due.OriginOrganisationId, new NotificationDraft(
                NotificationKinds.FollowUpDue, Source(context), OriginLink(due.CaseId, due.HandoverId), due.HandoverId, due.CaseId, due.ReceiverOrganisationId),
                now, context.CancellationToken);
        });

    public Task Consume(ConsumeContext<HandoverEscalated> context) =>
        ConsumeOnceAsync(context, () => Notifier.NotifyCoordinatorsAsync(Db, new NotificationDraft(
            NotificationKinds.HandoverEscalated, Source(context), "/coordination/handovers", context.Message.HandoverId,
            OrganisationId: context.Message.ReceiverOrganisationId), time.GetUtcNow(), context.CancellationToken));

    // The counsellor who withdrew it knows; the others hear of a withdrawal by the person or at the receiving service.
    public Task Consume(ConsumeContext<ConsentWithdrawn> context) =>
        ConsumeOnceAsync(context, () => context.Message.Channel == "owner-partner"
            ? Task.CompletedTask
            : Notifier.NotifyAsync(Db, context.Message.OwnerOrganisationId, new NotificationDraft(
                NotificationKinds.ConsentWithdrawn, Source(context), $"/cases/{context.Message.CaseId}", CaseId: context.Message.CaseId,
                Code: context.Message.Channel), time.GetUtcNow(), context.CancellationToken));

    public Task Consume(ConsumeContext<ConsentExpiring> context) =>
        ConsumeOnceAsync(context, () => Notifier.NotifyAsync(Db, context.Message.OwnerOrganisationId, new NotificationDraft(
            NotificationKinds.ConsentExpiring, Source(context), $"/cases/{context.Message.CaseId}", CaseId: context.Message.CaseId,
            DueAt: context.Message.ValidUntil), time.GetUtcNow(), context.CancellationToken));

    public Task Consume(ConsumeContext<OrganisationRegistered> context) =>
        ConsumeOnceAsync(context, () => Notifier.NotifyCoordinatorsAsync(Db, new NotificationDraft(
            NotificationKinds.VerificationWaiting, Source(context), "/coordination/organisations", OrganisationId: context.Message.OrganisationId,
            Code: context.Message.Kind), time.GetUtcNow(), context.CancellationToken));

    private Task ToReceiver<TMessage>(
        ConsumeContext<TMessage> context, NotificationKind kind, Guid handoverId, Guid origin, Guid receiver, string? code = null, DateTimeOffset? dueAt = null)
        where TMessage : class =>
        ConsumeOnceAsync(context, () => Notifier.NotifyAsync(
            Db, receiver, ReceiverDraft(context, kind, handoverId, origin, code, dueAt), time.GetUtcNow(), context.CancellationToken));

    private Task ToOrigin<TMessage>(ConsumeContext<TMessage> context, NotificationKind kind, IHandoverEvent handover, string? code = null, DateTimeOffset? dueAt = null)
        where TMessage : class =>
        ConsumeOnceAsync(context, () => Notifier.NotifyAsync(
            Db, handover.OriginOrganisationId, OriginDraft(context, kind, handover, code, dueAt), time.GetUtcNow(), context.CancellationToken));

    /// <summary>For the receiver's people: the offer in its inbox, naming the origin.</summary>
    private static NotificationDraft ReceiverDraft(ConsumeContext context, NotificationKind kind, Guid handoverId, Guid origin, string? code, DateTimeOffset? dueAt) =>
        new(kind, Source(context), $"/inbox/{handoverId}", handoverId, OrganisationId: origin, Code: code, DueAt: dueAt);

    /// <summary>For the origin's people: the handover on its case, naming the receiver.</summary>
    private static NotificationDraft OriginDraft(ConsumeContext context, NotificationKind kind, IHandoverEvent handover, string? code, DateTimeOffset? dueAt = null) =>
        new(kind, Source(context), OriginLink(handover.CaseId, handover.HandoverId), handover.HandoverId, handover.CaseId, handover.ReceiverOrganisationId, code, dueAt);

    private static string OriginLink(Guid caseId, Guid handoverId) => $"/cases/{caseId}/handovers/{handoverId}";

    private static string Source(ConsumeContext context) => $"event:{context.MessageId}";
}
