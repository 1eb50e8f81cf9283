using Imsa.Network.Contracts.Partners;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;

namespace Imsa.Network.Handovers.Consumers;

/// <summary>Keeps each organisation's service types (for the statistics); an older profile arriving late changes nothing.</summary>
internal sealed class OrganisationProfileConsumer(HandoversDbContext db)
    : IdempotentConsumer<OrganisationUpdated, HandoversDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<OrganisationUpdated> context)
    {
        var updated = context.Message;
        var organisation = await Db.Organisations.FindAsync([updated.OrganisationId], context.CancellationToken);
        if (organisation is null)
        {
            // Its registration is still on its way (another queue); it fills in kind and country when it comes.
            organisation = new KnownOrganisation { Id = updated.OrganisationId, Kind = "unknown", Country = "--", Status = "unknown" };
            Db.Organisations.Add(organisation);
        }
        else if (organisation.ProfileChangedAt >= updated.At)
        {
            return;
        }

        organisation.ServiceTypes = [.. updated.ServiceTypes];
        organisation.ProfileChangedAt = updated.At;
    }
}
