using Imsa.Network.Contracts.Partners;
using Imsa.Network.Messaging.Inbox;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using MassTransit;

namespace Imsa.Network.Handovers.Consumers;

/// <summary>Adds a newly registered organisation to this service's projection.</summary>
internal sealed class OrganisationRegisteredConsumer(HandoversDbContext db)
    : IdempotentConsumer<OrganisationRegistered, HandoversDbContext>(db)
{
    protected override async Task HandleAsync(ConsumeContext<OrganisationRegistered> context)
    {
        var registered = context.Message;
        var known = await Db.Organisations.FindAsync([registered.OrganisationId], context.CancellationToken);
        if (known is not null)
        {
            // Its capacity arrived first (another queue): fill in what only the registration says.
            if (known.Kind == "unknown")
            {
                known.Kind = registered.Kind;
                known.Country = registered.Country;
                known.Status = registered.Status;
                known.RegisteredAt = registered.RegisteredAt;
            }

            return;
        }

        Db.Organisations.Add(new KnownOrganisation
        {
            Id = registered.OrganisationId,
            Kind = registered.Kind,
            Country = registered.Country,
            Status = registered.Status,
            RegisteredAt = registered.RegisteredAt,
        });
    }
}
