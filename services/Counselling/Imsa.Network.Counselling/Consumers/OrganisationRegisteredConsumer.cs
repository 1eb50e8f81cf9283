using Imsa.Network.Contracts.Partners;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;

namespace Imsa.Network.Counselling.Consumers;

/// <summary>Adds a newly registered organisation to this service's projection.</summary>
internal sealed class OrganisationRegisteredConsumer(CounsellingDbContext db)
    : IdempotentConsumer<CounsellingDbContext>(db), IConsumer<OrganisationRegistered>
{
    public Task Consume(ConsumeContext<OrganisationRegistered> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var registered = context.Message;
            if (await Db.Organisations.FindAsync([registered.OrganisationId], context.CancellationToken) is not null)
            {
                // A later event about this organisation arrived first; it is newer than this one.
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
        });
}
