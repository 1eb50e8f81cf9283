using Imsa.Network.Contracts.Partners;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;

namespace Imsa.Network.Handovers.Consumers;

/// <summary>Keeps each receiving service's declared capacity; an older announcement arriving late changes nothing.</summary>
internal sealed class OrganisationCapacityConsumer(HandoversDbContext db)
    : IdempotentConsumer<OrganisationCapacityChanged, HandoversDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<OrganisationCapacityChanged> context)
    {
        var changed = context.Message;
        var organisation = await Db.Organisations.FindAsync([changed.OrganisationId], context.CancellationToken);
        if (organisation is null)
        {
            // Its registration is still on its way (another queue); it fills in kind and country when it comes.
            organisation = new KnownOrganisation { Id = changed.OrganisationId, Kind = "unknown", Country = "--", Status = "unknown" };
            Db.Organisations.Add(organisation);
        }
        else if (organisation.CapacityChangedAt >= changed.At)
        {
            return;
        }

        organisation.Accepting = changed.Accepting;
        organisation.MaxOpenHandovers = changed.MaxOpenHandovers;
        organisation.NoCapacityUntil = changed.NoCapacityUntil;
        organisation.CapacityChangedAt = changed.At;
    }
}
