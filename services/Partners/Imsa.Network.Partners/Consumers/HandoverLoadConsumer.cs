using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Messaging.Inbox;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using MassTransit;

namespace Imsa.Network.Partners.Consumers;

/// <summary>
/// Keeps each receiving service's open handovers (requested, offered, escalated, accepted, in contact) so matching
/// can weigh and exclude services at capacity. Duplicates and older versions arriving late change nothing. Its
/// transaction touches only the ticket's row: when a receiver's count moved, it signals <see cref="DirectoryLoadBump"/>
/// after the commit, which tells the replicas (one shared row, bumped outside every consumer's transaction).
/// </summary>
internal sealed class HandoverLoadConsumer(PartnersDbContext db, DirectoryLoadBump loadBump)
    : IdempotentConsumer<PartnersDbContext>(db), IConsumer<IHandoverEvent>
{
    public async Task Consume(ConsumeContext<IHandoverEvent> context)
    {
        var loadChanged = false;
        // Events of one ticket one at a time: no race to insert its row, no retry.
        await ConsumeOnceAsync(context, context.Message.HandoverId, async () =>
        {
            var change = context.Message;
            var open = HandoverStatuses.IsOpen(change.Status);
            var handover = await Db.ReceiverHandovers.FindAsync([change.HandoverId], context.CancellationToken);
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
        });

        // Committed by now (a failed commit throws): only then may the replicas reload the counts.
        if (loadChanged)
        {
            loadBump.Signal();
        }
    }
}
