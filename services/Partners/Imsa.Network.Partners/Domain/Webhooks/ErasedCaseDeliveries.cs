using Imsa.Network.Partners.Data;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Domain.Webhooks;

/// <summary>
/// Erasure reaches the webhook delivery log: the deliveries about an erased case (every payload names its case as
/// <c>data.caseId</c>) are deleted once they are done — delivered, or failed for good. Those still pending go out
/// first (a receiver must hear that its handover was revoked), and are deleted by the next sweep after.
/// </summary>
internal static class ErasedCaseDeliveries
{
    /// <summary>Deletes the finished deliveries of one erased case, or of every erased case; returns how many.</summary>
    public static Task<int> PurgeAsync(PartnersDbContext db, Guid? caseId, CancellationToken cancellationToken) =>
        caseId is { } one
            ? db.Database.ExecuteSqlAsync(
                $"""
                DELETE FROM webhook_deliveries
                WHERE status <> 'Pending' AND payload -> 'data' ->> 'caseId' = {one.ToString()}
                """,
                cancellationToken)
            : db.Database.ExecuteSqlAsync(
                $"""
                DELETE FROM webhook_deliveries d USING erased_cases e
                WHERE d.status <> 'Pending' AND d.payload -> 'data' ->> 'caseId' = e.case_id::text
                """,
                cancellationToken);
}
