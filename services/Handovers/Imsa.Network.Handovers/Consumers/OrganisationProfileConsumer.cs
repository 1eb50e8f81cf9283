using Imsa.Network.Contracts.Partners;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;

namespace Imsa.Network.Handovers.Consumers;

/// <summary>Keeps each organisation's service types (for the statistics); an older profile arriving late changes nothing.</summary>
internal sealed class OrganisationProfileConsumer(HandoversDbContext db)
    : IdempotentConsumer<HandoversDbContext>(db), IConsumer<OrganisationUpdated>
{
    public Task Consume(ConsumeContext<OrganisationUpdated> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var updated = context.Message;
            var organisation = await Db.Organisations.FindAsync([updated.OrganisationId], context.CancellationToken);
            if (organisation is null)
            {
                organisation = KnownOrganisation.Placeholder(updated.OrganisationId);
                Db.Organisations.Add(organisation);
            }
            else if (organisation.ProfileChangedAt >= updated.At)
            {
                return;
            }

            organisation.ServiceTypes = [.. updated.ServiceTypes];
            organisation.ProfileChangedAt = updated.At;
        });
}
