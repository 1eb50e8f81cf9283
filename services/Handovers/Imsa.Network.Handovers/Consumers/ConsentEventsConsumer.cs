using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Handovers.Consumers;

/// <summary>
/// Keeps which consents cover which receivers, and revokes a receiver's open handovers of a case when the last
/// consent naming it ends. Safe in any order: an end that arrives before its grant is kept, and the grant then
/// fills in the rest without reviving it; whether a ticket was opened before or after the consent ended, it ends
/// Revoked. A grant decides the requests of the case waiting for it (<see cref="PendingRequests"/>).
/// </summary>
internal sealed class ConsentEventsConsumer(HandoversDbContext db, TimeProvider time, IOptions<SlaOptions> sla) : IdempotentConsumer<HandoversDbContext>(db),
    IConsumer<ConsentGranted>,
    IConsumer<ConsentWithdrawn>,
    IConsumer<ConsentExpired>
{
    public Task Consume(ConsumeContext<ConsentGranted> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var granted = context.Message;
            await PendingRequests.LockCaseAsync(Db, granted.CaseId, context.CancellationToken);
            var coverage = await Db.Consents.FindAsync([granted.ConsentId], context.CancellationToken);
            if (coverage is null)
            {
                coverage = new ConsentCoverage { ConsentId = granted.ConsentId, Recipients = [] };
                Db.Consents.Add(coverage);
            }

            coverage.CaseId = granted.CaseId;
            coverage.Recipients = [.. granted.Recipients];
            coverage.Categories = [.. granted.Categories];
            coverage.ValidFrom = granted.ValidFrom;
            coverage.ValidUntil = granted.ValidUntil;
            coverage.Granted = true;

            await PendingRequests.DecideAsync(Db, granted.CaseId, sla.Value, time, context.CancellationToken);
        });

    public Task Consume(ConsumeContext<ConsentWithdrawn> context) => EndAsync(context, "withdrawn", RevocationCause.ConsentWithdrawn);

    public Task Consume(ConsumeContext<ConsentExpired> context) => EndAsync(context, "expired", RevocationCause.ConsentExpired);

    private Task EndAsync<TMessage>(ConsumeContext<TMessage> context, string how, RevocationCause cause)
        where TMessage : class, IConsentEnded =>
        ConsumeOnceAsync(context, async () =>
        {
            var (consentId, caseId, recipients, at) = (context.Message.ConsentId, context.Message.CaseId, context.Message.Recipients, context.Message.At);
            var coverage = await Db.Consents.FindAsync([consentId], context.CancellationToken);
            if (coverage is null)
            {
                coverage = new ConsentCoverage { ConsentId = consentId, CaseId = caseId, Recipients = [.. recipients] };
                Db.Consents.Add(coverage);
            }

            if (coverage.EndedAt is null)
            {
                coverage.EndedAt = at;
                coverage.EndedHow = how;
            }

            await Db.SaveChangesAsync(context.CancellationToken);
            var now = time.GetUtcNow();
            foreach (var receiver in recipients)
            {
                // Another consent may still name this receiver for this case; then its handovers stand.
                if (!await Db.Consents.AnyAsync(ConsentCoverage.ActiveFor(caseId, receiver, now), context.CancellationToken))
                {
                    await Revocations.RevokeAsync(Db, caseId, receiver, cause, time, context.CancellationToken);
                }
            }
        });
}
