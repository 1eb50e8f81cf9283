using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Counselling.Domain;

/// <summary>
/// Erasing a case (GDPR Art. 17), the one way it is done: by its owner (DELETE /cases/{id}) and by retention
/// (<see cref="CounsellingRetention"/>) alike.
/// </summary>
internal static class CaseErasure
{
    /// <summary>
    /// Crypto-shredding: destroys the case's data key and deletes its sessions at once, clears its sealed sections and
    /// adds CaseErased to the outbox. The caller saves (the case's row version guards against a concurrent change),
    /// inside a transaction it began, so the deletes and the event commit together.
    /// </summary>
    public static async Task EraseAsync(CounsellingDbContext db, Case erased, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Without its key the sealed sections and sessions are noise; drop them too.
        await db.CaseKeys.Where(k => k.CaseId == erased.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Sessions.Where(s => s.CaseId == erased.Id).ExecuteDeleteAsync(cancellationToken);
        erased.Status = CaseStatus.Erased;
        erased.UpdatedAt = now;
        erased.Identity = erased.Contact = erased.MigrationPlan = erased.LanguageAndQualifications = erased.NeedsAndOpenTasks = erased.SpecialCategories = null;
        db.AddEvent(new CaseErased(erased.Id, erased.OwnerOrganisationId, now), time);
    }
}
