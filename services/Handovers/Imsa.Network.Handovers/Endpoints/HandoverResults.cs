using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imsa.Network.Handovers.Endpoints;

/// <summary>How the handover endpoints (partners', receivers' and coordinators') answer a refusal or a lost race.</summary>
internal static class HandoverResults
{
    /// <summary>404 when the case or the receiver is not found, 409 for every other refusal; the detail says which check failed.</summary>
    public static ProblemHttpResult Refused(OfferRefusal refusal) => refusal.Reason switch
    {
        OfferRefusalReason.CaseNotFound => TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound, title: "Case not found.", detail: refusal.Detail),
        OfferRefusalReason.ReceiverNotFound => TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound, title: "Receiving service not found.", detail: refusal.Detail),
        _ => Problems.Conflict(refusal.Detail),
    };

    /// <summary>
    /// Saves the ticket's change; null when it was saved, else the 409 for a race lost: another step or a revocation
    /// changed the ticket meanwhile (its version), or another request opened a handover of the case to the receiver
    /// (the database's one-open-handover index).
    /// </summary>
    public static async Task<ProblemHttpResult?> SaveAsync(HandoversDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The handover changed meanwhile (another step, or a revocation); read it and try again.");
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Refused(HandoverOffer.OpenHandoverExists);
        }
    }
}
