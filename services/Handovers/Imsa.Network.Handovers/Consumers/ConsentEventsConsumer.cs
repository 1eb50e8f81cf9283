using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Handovers.Consumers;

/// <summary>
/// Keeps which consents cover which receivers, and revokes a receiver's open handovers of a case when the last
/// consent naming it ends. Safe in any order: an end that arrives before its grant is kept, and the grant then
/// fills in the rest without reviving it; whether a ticket was opened before or after the consent ended, it ends
/// Revoked.
/// </summary>
internal sealed class ConsentEventsConsumer(HandoversDbContext db, TimeProvider time) :
    IConsumer<ConsentGranted>,
    IConsumer<ConsentWithdrawn>,
    IConsumer<ConsentExpired>
{
    private const string Name = nameof(ConsentEventsConsumer);

    public Task Consume(ConsumeContext<ConsentGranted> context) =>
        Inbox.ConsumeOnceAsync(db, context, Name, async () =>
        {
            var granted = context.Message;
            var coverage = await db.Consents.FindAsync([granted.ConsentId], context.CancellationToken);
            if (coverage is null)
            {
                coverage = new ConsentCoverage { ConsentId = granted.ConsentId, Recipients = [] };
                db.Consents.Add(coverage);
            }

            coverage.CaseId = granted.CaseId;
            coverage.Recipients = [.. granted.Recipients];
            coverage.Categories = [.. granted.Categories];
            coverage.ValidFrom = granted.ValidFrom;
            coverage.ValidUntil = granted.ValidUntil;
            coverage.Granted = true;
        });

    public Task Consume(ConsumeContext<ConsentWithdrawn> context) =>
        EndAsync(context, context.Message.ConsentId, context.Message.CaseId, context.Message.Recipients, context.Message.At, "withdrawn", RevocationCause.ConsentWithdrawn);

    public Task Consume(ConsumeContext<ConsentExpired> context) =>
        EndAsync(context, context.Message.ConsentId, context.Message.CaseId, context.Message.Recipients, context.Message.At, "expired", RevocationCause.ConsentExpired);

    private Task EndAsync<TMessage>(
        ConsumeContext<TMessage> context, Guid consentId, Guid caseId, IReadOnlyList<Guid> recipients, DateTimeOffset at, string how, RevocationCause cause)
        where TMessage : class =>
        Inbox.ConsumeOnceAsync(db, context, Name, async () =>
        {
            var coverage = await db.Consents.FindAsync([consentId], context.CancellationToken);
            if (coverage is null)
            {
                coverage = new ConsentCoverage { ConsentId = consentId, CaseId = caseId, Recipients = [.. recipients] };
                db.Consents.Add(coverage);
            }

            if (coverage.EndedAt is null)
            {
                coverage.EndedAt = at;
                coverage.EndedHow = how;
            }

            await db.SaveChangesAsync(context.CancellationToken);
            var now = time.GetUtcNow();
            foreach (var receiver in recipients)
            {
                // Another consent may still name this receiver for this case; then its handovers stand.
                if (!await db.ActiveConsents(caseId, receiver, now).AnyAsync(context.CancellationToken))
                {
                    await Revocations.RevokeAsync(db, caseId, receiver, cause, time, context.CancellationToken);
                }
            }
        });
}
