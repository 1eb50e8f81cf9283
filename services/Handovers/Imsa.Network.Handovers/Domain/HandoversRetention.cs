using Imsa.Network.Handovers.Data;
using Imsa.Network.Operations;
using Imsa.Network.Reference.Retention;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Handovers.Domain;

/// <summary>Handovers' retention rules (<see cref="RetentionRules"/>, docs/privacy.md#retention), applied by every instance's <see cref="RetentionJob"/>.</summary>
internal static class HandoversRetention
{
    public static readonly RetentionRule ErasedCaseHandovers = Rule(RetentionRules.ErasedCaseHandovers, DeleteErasedCaseHandoversAsync);

    public static readonly RetentionRule Activity = Rule(RetentionRules.Activity(RetentionRules.Handovers), OperationsRetention.DeleteActivityAsync);

    public static readonly RetentionRule AuditTrail = Rule(RetentionRules.AuditTrail(RetentionRules.Handovers), OperationsRetention.DeleteAuditTrailAsync);

    private static RetentionRule Rule(RetentionRuleDefinition rule, RetentionBatch batch) =>
        new(rule.Name, rule.Default, rule.Minimum, rule.FromEndOfYear, rule.Reason, rule.MinimumReason, batch);

    /// <summary>
    /// Ended tickets of cases erased before the cutoff (case_owners knows when: CaseErased set erased and updated_at), with
    /// their timelines (deleted with the ticket). An erasure revokes the open ones, so only ended ones remain.
    /// </summary>
    private static Task<int> DeleteErasedCaseHandoversAsync(IServiceProvider services, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) =>
        services.GetRequiredService<HandoversDbContext>().Database.ExecuteSqlAsync(
            $"""
            DELETE FROM handover_tickets WHERE id IN (
                SELECT t.id FROM handover_tickets t JOIN case_owners c ON c.case_id = t.case_id
                WHERE c.erased AND c.updated_at < {cutoff}
                  AND t.status IN ('Completed', 'Declined', 'Withdrawn', 'Revoked')
                LIMIT {batchSize}
                FOR UPDATE OF t SKIP LOCKED)
            """,
            cancellationToken);
}
