using Imsa.Network.Contracts.Partners;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;

namespace Imsa.Network.Counselling.Consumers;

/// <summary>Keeps how an organisation is reached as a controller, for the consent receipts issued in its name.</summary>
internal sealed class OrganisationContactConsumer(CounsellingDbContext db)
    : IdempotentConsumer<CounsellingDbContext>(db), IConsumer<OrganisationContactChanged>
{
    public Task Consume(ConsumeContext<OrganisationContactChanged> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var changed = context.Message;
            var contact = await Db.ControllerContacts.FindAsync([changed.OrganisationId], context.CancellationToken);
            if (contact is not null && contact.ChangedAt > changed.At)
            {
                // A newer announcement arrived first.
                return;
            }

            if (contact is null)
            {
                contact = new ControllerContact { OrganisationId = changed.OrganisationId, Name = changed.Name };
                Db.ControllerContacts.Add(contact);
            }

            var first = changed.Contacts.Count > 0 ? changed.Contacts[0] : null;
            contact.Name = Shortened(changed.Name, 200)!;
            contact.Street = Shortened(changed.Address?.Street, 200);
            contact.PostalCode = Shortened(changed.Address?.PostalCode, 20);
            contact.City = Shortened(changed.Address?.City, 100);
            contact.Country = Shortened(changed.Address?.Country, 2);
            contact.Role = Shortened(first?.Role, 200);
            contact.Email = Shortened(first?.Email, 254);
            contact.Phone = Shortened(first?.Phone, 50);
            contact.ChangedAt = changed.At;
        });

    // Partners limits these already; a longer value from a newer Partners must not stop the queue.
    private static string? Shortened(string? value, int length) => value is { } v && v.Length > length ? v[..length] : value;
}
