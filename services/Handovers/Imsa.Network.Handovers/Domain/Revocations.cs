using Imsa.Network.Handovers.Data;
using Imsa.Network.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Handovers.Domain;

/// <summary>Ends the handovers whose legal ground ended: a consent withdrawn or expired, a case erased.</summary>
internal static class Revocations
{
    /// <summary>
    /// Revokes every offered open ticket of the case (for one receiver, or all), announcing each; returns how many. A
    /// request still waiting is left to its decision (<see cref="PendingRequests"/>), which finds the ground gone.
    /// </summary>
    public static async Task<int> RevokeAsync(
        HandoversDbContext db, Guid caseId, Guid? receiver, RevocationCause cause, TimeProvider time, CancellationToken cancellationToken)
    {
        var open = await db.Tickets
            .Where(t => t.CaseId == caseId && HandoverTicket.OfferedStatuses.Contains(t.Status)
                && (receiver == null || t.ReceiverOrganisationId == receiver))
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var ticket in open)
        {
            db.AddEvent(ticket.Revoke(cause, now), time);
        }

        return open.Count;
    }
}
