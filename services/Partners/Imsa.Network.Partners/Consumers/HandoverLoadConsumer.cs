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
internal sealed class HandoverLoadConsumer(PartnersDbContext db)
    : IdempotentConsumer<PartnersDbContext>(db), IConsumer<IHandoverEvent>
{
    public Task Consume(ConsumeContext<IHandoverEvent> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var change = context.Message;
            var open = HandoverStatuses.IsOpen(change.Status);
            // Events of one ticket one at a time: no race to insert its row, no retry.
            await Inbox.LockAsync(Db, change.HandoverId, context.CancellationToken);
            var handover = await Db.ReceiverHandovers.FindAsync([change.HandoverId], context.CancellationToken);
            bool loadChanged;
            if (handover is null)
            {
                handover = new ReceiverHandover { HandoverId = change.HandoverId, ReceiverOrganisationId = change.ReceiverOrganisationId };
                Db.ReceiverHandovers.Add(handover);
                loadChanged = open;
            }
            else if (change.Version <= handover.Version)
            {
                return;
            }
            else
            {
                loadChanged = handover.Open != open || handover.ReceiverOrganisationId != change.ReceiverOrganisationId;
            }

            handover.ReceiverOrganisationId = change.ReceiverOrganisationId;
            handover.Open = open;
            handover.Version = change.Version;
            handover.UpdatedAt = change.At;
            if (loadChanged)
            {
                await DirectoryCatalog.BumpLoadAsync(Db, context.CancellationToken);
            }
        });
}
