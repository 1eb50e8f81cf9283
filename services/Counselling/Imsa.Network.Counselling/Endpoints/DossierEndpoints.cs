using System.Security.Claims;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Counselling.Protection;
using Imsa.Network.Access;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Counselling.Endpoints;

/// <summary>
/// What a receiving service may read of a case: only the categories an active consent naming it releases. A
/// category that is not released is absent (null), whether or not the case holds data for it.
/// </summary>
/// <param name="DisclosureId">The record of this read in the case's disclosure log.</param>
/// <param name="Categories">The categories released to the caller now, and shown here.</param>
/// <param name="ConsentIds">The active consents that release them.</param>
/// <param name="Identity">Category identity.</param>
/// <param name="Contact">Category contact.</param>
/// <param name="MigrationPlan">Category migration-plan.</param>
/// <param name="LanguageAndQualifications">Category language-and-qualifications.</param>
/// <param name="CounsellingHistory">Category counselling-history: the sessions, newest first.</param>
/// <param name="NeedsAndOpenTasks">Category needs-and-open-tasks.</param>
/// <param name="SpecialCategories">Category special-categories: only under a consent that releases them explicitly.</param>
public sealed record DossierResponse(
    Guid CaseId,
    Guid HandoverId,
    Guid DisclosureId,
    DateTimeOffset DisclosedAt,
    IReadOnlyList<string> Categories,
    IReadOnlyList<Guid> ConsentIds,
    PersonIdentity? Identity,
    ContactDetails? Contact,
    MigrationPlan? MigrationPlan,
    LanguageAndQualifications? LanguageAndQualifications,
    IReadOnlyList<SessionResponse>? CounsellingHistory,
    NeedsAndOpenTasks? NeedsAndOpenTasks,
    SpecialCategories? SpecialCategories);

/// <summary>One disclosure: who read which categories of the case, when, under which handover and consents.</summary>
/// <param name="OrganisationId">The organisation that read them.</param>
/// <param name="ReaderReference">
/// Which of its people read them, as a stable pseudonymous reference ("reader-…"): the same person always has the same
/// reference, and it does not tell who they are (their organisation does). Null when the organisation's API client read them.
/// </param>
public sealed record DisclosureResponse(
    Guid Id,
    Guid OrganisationId,
    string? ReaderReference,
    DateTimeOffset At,
    IReadOnlyList<string> Categories,
    Guid HandoverId,
    IReadOnlyList<Guid> ConsentIds);

internal static class DossierEndpoints
{
    public static IEndpointRouteBuilder MapDossierEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cases/{caseId:guid}/dossier", ReadAsync)
            .WithQuota(CounsellingLimits.DossierReads)
            .WithTags("Dossier")
            .RequireAuthorization(NetworkRoles.ReceivingService)
            .WithSummary("Read a case's dossier (receiving services)")
            .WithDescription("Only while the caller holds an accepted handover of the case (else 404) and an active consent names it (else 403); "
                + "only the categories that consent releases; nothing while the case's processing is restricted (403). Consent is checked at every read, "
                + "and every read is logged as a disclosure.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/cases/{caseId:guid}/disclosures", ListAsync)
            .WithTags("Dossier")
            .RequireAuthorization(NetworkRoles.Partner)
            .WithSummary("List a case's disclosures (the owner partner)")
            .WithDescription("Who received which categories of the case's data, when, under which handover and consents: what the person is told when they ask. "
                + "The reader is named by organisation and by a stable pseudonymous reference to the person, never by the person's id or name.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<DossierResponse>, ProblemHttpResult>> ReadAsync(
        Guid caseId, ClaimsPrincipal user, CounsellingDbContext db, MasterKeyRing keys, TimeProvider time, CounsellingMetrics metrics,
        CancellationToken cancellationToken)
    {
        var reader = NetworkActor.Of(user);
        var receiver = reader.OrganisationId;
        // The handover, the case and its key in one round trip.
        var row = await db.Handovers.AsNoTracking()
            .Where(h => h.CaseId == caseId && h.ReceiverOrganisationId == receiver && CaseHandover.DossierStatuses.Contains(h.Status))
            .OrderByDescending(h => h.UpdatedAt)
            .Select(h => new
            {
                Handover = h,
                Case = db.Cases.FirstOrDefault(c => c.Id == caseId),
                Key = db.CaseKeys.FirstOrDefault(k => k.CaseId == caseId),
            })
            .FirstOrDefaultAsync(cancellationToken);
        var (handover, found, key) = (row?.Handover, row?.Case, row?.Key);
        if (handover is null || found is null || key is null)
        {
            metrics.DossierRead(DossierReadOutcome.NotFound);
            return Problems.NotFound("Case");
        }

        if (found.RestrictedAt is not null)
        {
            metrics.DossierRead(DossierReadOutcome.Restricted);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "The processing of this case is restricted.",
                detail: "The person asked for restriction (GDPR Art. 18): the data is kept, but nothing is disclosed until the owner lifts it.");
        }

        // Consent is checked now, at read time: a withdrawal or an expiry a moment ago already counts.
        var now = time.GetUtcNow();
        var consents = await db.Consents.AsNoTracking()
            .Where(Consent.ActiveFor(caseId, receiver, now))
            .ToListAsync(cancellationToken);
        if (consents.Count == 0)
        {
            metrics.DossierRead(DossierReadOutcome.NoConsent);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "No active consent releases this case to your organisation.",
                detail: "The person's consent was withdrawn or has expired, or names other services. Nothing is disclosed.");
        }

        var released = DataCategories.All
            .Where(category => consents.Any(c => c.Categories.Contains(category)
                && (category != DataCategories.SpecialCategories || c.ExplicitSpecialCategories)))
            .ToList();
        bool Released(string category) => released.Contains(category);

        using var cipher = keys.Open(key);
        var disclosure = new Disclosure
        {
            Id = Guid.CreateVersion7(now),
            CaseId = caseId,
            OrganisationId = receiver,
            ReaderPersonId = reader.PersonId,
            ReaderClientId = reader.ClientId,
            HandoverId = handover.HandoverId,
            At = now,
            Categories = released,
            ConsentIds = consents.Select(c => c.Id).ToList(),
        };
        var dossier = new DossierResponse(
            caseId,
            handover.HandoverId,
            disclosure.Id,
            now,
            released,
            disclosure.ConsentIds,
            Released(DataCategories.Identity) ? cipher.OpenIdentity(found) : null,
            Released(DataCategories.Contact) ? cipher.OpenContact(found) : null,
            Released(DataCategories.MigrationPlan) ? cipher.OpenMigrationPlan(found) : null,
            Released(DataCategories.LanguageAndQualifications) ? cipher.OpenLanguageAndQualifications(found) : null,
            Released(DataCategories.CounsellingHistory) ? await CaseEndpoints.SessionsOfAsync(db, cipher, caseId, cancellationToken) : null,
            Released(DataCategories.NeedsAndOpenTasks) ? cipher.OpenNeedsAndOpenTasks(found) : null,
            Released(DataCategories.SpecialCategories) ? cipher.OpenSpecialCategories(found) : null);

        // The log entry is written before anything is shown: no disclosure goes unrecorded.
        db.Disclosures.Add(disclosure);
        await db.SaveChangesAsync(cancellationToken);
        metrics.DossierRead(DossierReadOutcome.Disclosed);
        return TypedResults.Ok(dossier);
    }

    private static async Task<Results<Ok<List<DisclosureResponse>>, ProblemHttpResult>> ListAsync(
        Guid caseId, ClaimsPrincipal user, CounsellingDbContext db, Pseudonyms pseudonyms, CancellationToken cancellationToken)
    {
        var owner = user.OrganisationId();
        if (!await db.Cases.AnyAsync(c => c.Id == caseId && c.OwnerOrganisationId == owner, cancellationToken))
        {
            return Problems.NotFound("Case");
        }

        return TypedResults.Ok(await DisclosuresOfAsync(db, caseId, user, pseudonyms, cancellationToken));
    }

    /// <summary>The case's disclosure log as its owner reads it (the caller must own the case), newest first.</summary>
    internal static async Task<List<DisclosureResponse>> DisclosuresOfAsync(
        CounsellingDbContext db, Guid caseId, ClaimsPrincipal user, Pseudonyms pseudonyms, CancellationToken cancellationToken)
    {
        var disclosures = await db.Disclosures.AsNoTracking()
            .Where(d => d.CaseId == caseId)
            .OrderByDescending(d => d.At)
            .ToListAsync(cancellationToken);
        return disclosures
            .Select(d => new DisclosureResponse(
                d.Id, d.OrganisationId, pseudonyms.OfOrNull(d.ReaderPersonId, user.OrganisationId()), d.At, d.Categories, d.HandoverId, d.ConsentIds))
            .ToList();
    }
}
