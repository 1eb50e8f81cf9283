using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Messaging.Inbox;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using MassTransit;

namespace Imsa.Network.Partners.Consumers;

/// <summary>
/// Keeps each receiving service's open handovers (requested, offered, escalated, accepted, in contact) so matching
/// can weigh and exclude services at capacity. Duplicates and older versions arriving late change nothing. Its
/// statement touches only the ticket's row: when it wrote, it signals <see cref="DirectoryLoadBump"/> after the
/// commit, which tells the replicas (one shared row, bumped outside every consumer's transaction, at most every 200 ms).
/// </summary>
/// <remarks>
/// One statement per message (<see cref="Inbox.ApplyOnceAsync"/>): the inbox claim and an upsert that writes only a
/// newer version; two events of one ticket applied at once cannot both insert.
/// </remarks>
internal sealed class HandoverLoadConsumer(PartnersDbContext db, DirectoryLoadBump loadBump) : IConsumer<IHandoverEvent>
{
    public async Task Consume(ConsumeContext<IHandoverEvent> context)
    {
        var change = context.Message;
        var open = HandoverStatuses.IsOpen(change.Status);
        var written = await Inbox.ApplyOnceAsync(db, context, nameof(HandoverLoadConsumer), $"""
            INSERT INTO receiver_handovers AS h (handover_id, receiver_organisation_id, open, version, updated_at)
            SELECT {change.HandoverId}, {change.ReceiverOrganisationId}, {open}, {change.Version}, {change.At}
            FROM claim
            ON CONFLICT (handover_id) DO UPDATE SET
                receiver_organisation_id = excluded.receiver_organisation_id,
                open = excluded.open,
                version = excluded.version,
                updated_at = excluded.updated_at
            WHERE h.version < excluded.version
            """);

        // Committed by now (the statement was its own transaction): only then may the replicas reload the counts.
        if (written > 0)
        {
            loadBump.Signal();
        }
    }
}
