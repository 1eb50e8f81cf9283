using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Operations;
using Imsa.Network.Reference.Retention;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Counselling.Domain;

/// <summary>
/// Counselling's retention rules (<see cref="RetentionRules"/>, docs/privacy.md#retention), applied by the
/// <see cref="RetentionJob"/> of every instance. Each batch locks what it deletes (FOR UPDATE SKIP LOCKED) on top of the
/// job's lock per rule.
/// </summary>
internal static class CounsellingRetention
{
    public static readonly RetentionRule ClosedCases = Rule(RetentionRules.ClosedCases, EraseClosedCasesAsync);

    public static readonly RetentionRule ConsentProof = Rule(RetentionRules.ConsentProof, DeleteConsentProofAsync);

    public static readonly RetentionRule Disclosures = Rule(RetentionRules.Disclosures, DeleteDisclosuresAsync);

    public static readonly RetentionRule Activity = Rule(RetentionRules.Activity(RetentionRules.Counselling), OperationsRetention.DeleteActivityAsync);

    public static readonly RetentionRule AuditTrail = Rule(RetentionRules.AuditTrail(RetentionRules.Counselling), OperationsRetention.DeleteAuditTrailAsync);

    private static RetentionRule Rule(RetentionRuleDefinition rule, RetentionBatch batch) =>
        new(rule.Name, rule.Default, rule.Minimum, rule.FromEndOfYear, rule.Reason, rule.MinimumReason, batch);

    /// <summary>
    /// Closed before the cutoff, no handover of it open, its processing not restricted (Art. 18: a person who needs the data
    /// for legal claims has it kept): erased exactly as its owner would erase it.
    /// </summary>
    private static async Task<int> EraseClosedCasesAsync(IServiceProvider services, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<CounsellingDbContext>();
        var time = services.GetRequiredService<TimeProvider>();
        string[] open = [.. HandoverStatuses.Open];
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // xmin is a system column: named, or the row version would be missing.
        var due = await db.Cases.FromSql(
                $"""
                SELECT c.*, c.xmin FROM cases c
                WHERE c.status = 'Closed' AND c.closed_at < {cutoff} AND c.restricted_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM case_handovers h WHERE h.case_id = c.id AND h.status = ANY({open}))
                ORDER BY c.closed_at
                LIMIT {batchSize}
                FOR UPDATE OF c SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);
        foreach (var closed in due)
        {
            await CaseErasure.EraseAsync(db, closed, time, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }

    /// <summary>
    /// An erased case's consents whose end — withdrawal, end of validity or the case's erasure, the earliest — lies before
    /// the cutoff, with their ends.
    /// </summary>
    private static async Task<int> DeleteConsentProofAsync(IServiceProvider services, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<CounsellingDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var due = await db.Database.SqlQuery<Guid>(
                $"""
                SELECT c.id AS "Value" FROM consents c
                JOIN cases k ON k.id = c.case_id
                LEFT JOIN consent_withdrawals w ON w.consent_id = c.id
                WHERE k.status = 'Erased' AND LEAST(COALESCE(w.at, 'infinity'), c.valid_until, k.updated_at) < {cutoff}
                LIMIT {batchSize}
                FOR UPDATE OF c SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);
        await db.ConsentWithdrawals.Where(w => due.Contains(w.ConsentId)).ExecuteDeleteAsync(cancellationToken);
        var deleted = await db.Consents.Where(c => due.Contains(c.Id)).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>The disclosure log of cases erased before the cutoff.</summary>
    private static Task<int> DeleteDisclosuresAsync(IServiceProvider services, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) =>
        services.GetRequiredService<CounsellingDbContext>().Database.ExecuteSqlAsync(
            $"""
            DELETE FROM disclosures WHERE id IN (
                SELECT d.id FROM disclosures d JOIN cases k ON k.id = d.case_id
                WHERE k.status = 'Erased' AND k.updated_at < {cutoff}
                LIMIT {batchSize}
                FOR UPDATE OF d SKIP LOCKED)
            """,
            cancellationToken);
}
