using Imsa.Network.Contracts.Partners;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;

namespace Imsa.Network.Handovers.Consumers;

/// <summary>Keeps each receiving service's declared capacity; an older announcement arriving late changes nothing.</summary>
internal sealed class OrganisationCapacityConsumer(HandoversDbContext db)
    : IdempotentConsumer<HandoversDbContext>(db), IConsumer<OrganisationCapacityChanged>
{
    public Task Consume(ConsumeContext<OrganisationCapacityChanged> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var changed = context.Message;
            var organisation = await Db.Organisations.FindAsync([changed.OrganisationId], context.CancellationToken);
            if (organisation is null)
            {
                organisation = KnownOrganisation.Placeholder(changed.OrganisationId);
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
        });
}
