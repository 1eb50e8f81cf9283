using Imsa.Network.Handovers.Data;
using Imsa.Network.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Handovers.Domain;

/// <summary>
/// Handover requests that came before their case or consent: they wait as <see cref="HandoverStatus.Requested"/>
/// and are decided here when the case or a consent arrives (<see cref="Consumers.CaseEventsConsumer"/>,
/// <see cref="Consumers.ConsentEventsConsumer"/>; a per-case lock keeps a request and an arrival from crossing unseen)
/// and on every pass of the <see cref="SlaJob"/>. Offered when the checks pass; declined by the service, the failed check as
/// the reason, when a check fails that no event on its way can change, or when the wait
/// (<see cref="SlaOptions.RequestWait"/>) is over. Nothing is announced of a request whose case did not turn out to
/// be the origin's: the other parties never hear of it.
/// </summary>
internal static class PendingRequests
{
    // The first key of the two-key advisory locks on a case (the second is the case id's hash); any number, the same
    // on every instance.
    private const int CaseLock = 0x494D_5341;

    /// <summary>
    /// Serialises, per case, a request that may wait with the arrival of its case or consent, so the two cannot cross
    /// unseen (the request stored after the arrival looked for waiting ones, having read before the arrival committed).
    /// Taken first in the transaction, before any row lock, by the request and by the arrival alike.
    /// </summary>
    public static Task LockCaseAsync(HandoversDbContext db, Guid caseId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({CaseLock}, hashtext({caseId.ToString()}))", cancellationToken);

    /// <summary>As <see cref="LockCaseAsync"/> without waiting: false when an arrival is deciding the case's requests right now.</summary>
    public static async Task<bool> TryLockCaseAsync(HandoversDbContext db, Guid caseId, CancellationToken cancellationToken) =>
        await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({CaseLock}, hashtext({caseId.ToString()})) AS \"Value\"").SingleAsync(cancellationToken);

    /// <summary>
    /// Decides the waiting requests of a case, in the caller's transaction: the caller took <see cref="LockCaseAsync"/>
    /// before writing the arrival, which is saved here first when there is a request to decide (the checks read it
    /// from the database); with none, as nearly always, this is one short statement and the arrival is saved by the caller.
    /// </summary>
    public static async Task<int> DecideAsync(
        HandoversDbContext db, Guid caseId, SlaOptions sla, TimeProvider time, CancellationToken cancellationToken)
    {
        var waiting = await db.Tickets
            .FromSql($"SELECT * FROM handover_tickets WHERE case_id = {caseId} AND status = 'Requested' ORDER BY requested_at FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (waiting.Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        foreach (var ticket in waiting)
        {
            await DecideAsync(db, ticket, sla, time, cancellationToken);
        }

        return waiting.Count;
    }

    /// <summary>
    /// Decides one waiting request (locked by the caller): offered, declined, or left waiting while an event on its way
    /// may still change the answer and the wait is not over. The offer is saved at once, so a second request of the
    /// same case to the same receiver decided next sees it (and is declined as a duplicate).
    /// </summary>
    public static async Task DecideAsync(HandoversDbContext db, HandoverTicket ticket, SlaOptions sla, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentNullException.ThrowIfNull(sla);
        var now = time.GetUtcNow();
        var facts = await HandoverOffer.ReadRequestAsync(db, ticket.CaseId, ticket.OriginOrganisationId, ticket.ReceiverOrganisationId, now, cancellationToken);
        var refusal = HandoverOffer.Refuses(facts, DateOnly.FromDateTime(now.UtcDateTime));
        if (refusal is null)
        {
            var due = sla.AnswerDueAt(now);
            db.AddEvent(ticket.Offer(due, sla.ReminderAt(due, now), now), time);
        }
        else if (!refusal.CanWait || ticket.RequestedAt + sla.RequestWait <= now)
        {
            var declined = ticket.DeclineUnoffered(refusal.DeclineReason, now);
            if (facts.CaseOwned)
            {
                db.AddEvent(declined, time);
            }
        }
        else
        {
            return;
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
