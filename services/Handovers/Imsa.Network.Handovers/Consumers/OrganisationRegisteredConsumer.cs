using Imsa.Network.Contracts.Partners;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;

namespace Imsa.Network.Handovers.Consumers;

/// <summary>Adds a newly registered organisation to this service's projection.</summary>
internal sealed class OrganisationRegisteredConsumer(HandoversDbContext db)
    : IdempotentConsumer<HandoversDbContext>(db), IConsumer<OrganisationRegistered>
{
    public Task Consume(ConsumeContext<OrganisationRegistered> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var registered = context.Message;
            var known = await Db.Organisations.FindAsync([registered.OrganisationId], context.CancellationToken);
            if (known is null)
            {
                Db.Organisations.Add(new KnownOrganisation
                {
                    Id = registered.OrganisationId,
                    Kind = registered.Kind,
                    Country = registered.Country,
                    Status = registered.Status,
                    RegisteredAt = registered.RegisteredAt,
                });
            }
            else if (known.Kind == KnownOrganisation.UnknownKind)
            {
                // Its capacity or profile arrived first (another queue): fill in what only the registration says.
                known.Kind = registered.Kind;
                known.Country = registered.Country;
                known.Status = registered.Status;
                known.RegisteredAt = registered.RegisteredAt;
            }
        });
}
