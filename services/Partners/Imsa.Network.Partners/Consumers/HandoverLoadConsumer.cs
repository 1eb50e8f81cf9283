using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Messaging.Inbox;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using MassTransit;

namespace Imsa.Network.Partners.Consumers;

/// <summary>
/// Keeps each receiving service's open handovers (requested, offered, escalated, accepted, in contact) so matching
/// can weigh and exclude services at capacity. Duplicates and older versions arriving late change nothing.
/// </summary>
internal sealed class HandoverLoadConsumer(PartnersDbContext db) :
    IConsumer<HandoverRequested>,
    IConsumer<HandoverOffered>,
    IConsumer<HandoverAccepted>,
    IConsumer<HandoverDeclined>,
    IConsumer<HandoverWithdrawn>,
    IConsumer<HandoverRevoked>,
    IConsumer<HandoverEscalated>,
    IConsumer<HandoverReassigned>,
    IConsumer<HandoverOutcomeRecorded>,
    IConsumer<HandoverCompleted>
{
    private const string Name = nameof(HandoverLoadConsumer);

    public Task Consume(ConsumeContext<HandoverRequested> context) => ApplyAsync(context, context.Message.HandoverId, context.Message.ReceiverOrganisationId, true, context.Message.Version, context.Message.At);

    public Task Consume(ConsumeContext<HandoverOffered> context) => ApplyAsync(context, context.Message.HandoverId, context.Message.ReceiverOrganisationId, true, context.Message.Version, context.Message.At);

    public Task Consume(ConsumeContext<HandoverAccepted> context) => ApplyAsync(context, context.Message.HandoverId, context.Message.ReceiverOrganisationId, true, context.Message.Version, context.Message.At);

    public Task Consume(ConsumeContext<HandoverDeclined> context) => ApplyAsync(context, context.Message.HandoverId, context.Message.ReceiverOrganisationId, false, context.Message.Version, context.Message.At);

    public Task Consume(ConsumeContext<HandoverWithdrawn> context) => ApplyAsync(context, context.Message.HandoverId, context.Message.ReceiverOrganisationId, false, context.Message.Version, context.Message.At);

    public Task Consume(ConsumeContext<HandoverRevoked> context) => ApplyAsync(context, context.Message.HandoverId, context.Message.ReceiverOrganisationId, false, context.Message.Version, context.Message.At);

    public Task Consume(ConsumeContext<HandoverEscalated> context) => ApplyAsync(context, context.Message.HandoverId, context.Message.ReceiverOrganisationId, true, context.Message.Version, context.Message.At);

    public Task Consume(ConsumeContext<HandoverReassigned> context) => ApplyAsync(context, context.Message.HandoverId, context.Message.ReceiverOrganisationId, true, context.Message.Version, context.Message.At);

    public Task Consume(ConsumeContext<HandoverOutcomeRecorded> context) => ApplyAsync(context, context.Message.HandoverId, context.Message.ReceiverOrganisationId, true, context.Message.Version, context.Message.At);

    public Task Consume(ConsumeContext<HandoverCompleted> context) => ApplyAsync(context, context.Message.HandoverId, context.Message.ReceiverOrganisationId, false, context.Message.Version, context.Message.At);

    private Task ApplyAsync<TMessage>(ConsumeContext<TMessage> context, Guid handoverId, Guid receiver, bool open, long version, DateTimeOffset at)
        where TMessage : class =>
        Inbox.ConsumeOnceAsync(db, context, Name, async () =>
        {
            // Events of one ticket one at a time: no race to insert its row, no retry.
            await Inbox.LockAsync(db, handoverId, context.CancellationToken);
            var handover = await db.ReceiverHandovers.FindAsync([handoverId], context.CancellationToken);
            bool loadChanged;
            if (handover is null)
            {
                handover = new ReceiverHandover { HandoverId = handoverId, ReceiverOrganisationId = receiver };
                db.ReceiverHandovers.Add(handover);
                loadChanged = open;
            }
            else if (version <= handover.Version)
            {
                return;
            }
            else
            {
                loadChanged = handover.Open != open || handover.ReceiverOrganisationId != receiver;
            }

            handover.ReceiverOrganisationId = receiver;
            handover.Open = open;
            handover.Version = version;
            handover.UpdatedAt = at;
            if (loadChanged)
            {
                await DirectoryCatalog.BumpLoadAsync(db, context.CancellationToken);
            }
        });
}
