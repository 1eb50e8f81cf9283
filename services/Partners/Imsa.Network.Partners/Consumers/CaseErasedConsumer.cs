using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Messaging.Inbox;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain.Webhooks;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Consumers;

/// <summary>Remembers an erased case and deletes the finished webhook deliveries (<see cref="ErasedCaseDeliveries"/>) and the notifications about it.</summary>
internal sealed class CaseErasedConsumer(PartnersDbContext db) : IdempotentConsumer<PartnersDbContext>(db), IConsumer<CaseErased>
{
    public Task Consume(ConsumeContext<CaseErased> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var erased = context.Message;
            if (await Db.ErasedCases.FindAsync([erased.CaseId], context.CancellationToken) is null)
            {
                Db.ErasedCases.Add(new ErasedCase { CaseId = erased.CaseId, ErasedAt = erased.At });
            }

            await ErasedCaseDeliveries.PurgeAsync(Db, erased.CaseId, context.CancellationToken);
            // The notifications about it lead nowhere now; they name no one, but nothing of the case need stay.
            await Db.Notifications.Where(n => n.CaseId == erased.CaseId).ExecuteDeleteAsync(context.CancellationToken);
        });
}
