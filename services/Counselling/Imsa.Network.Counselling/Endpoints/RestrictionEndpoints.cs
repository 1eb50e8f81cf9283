using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Counselling.Protection;
using Imsa.Network.Messaging.Outbox;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Imsa.Network.Counselling.Endpoints;

/// <param name="Reason">accuracy-contested, unlawful-processing, legal-claims or objection-pending.</param>
public sealed record RestrictCaseRequest(string? Reason);

/// <summary>
/// Restriction of processing (GDPR Art. 18), asked by the person and recorded by the case's owner: the data stays as it
/// is, the case goes to no new receiving service (Handovers refuses requests and reassignments) and its dossier is
/// read by no one, until the owner lifts it. An objection (Art. 21) is recorded the same way while it is examined.
/// </summary>
internal static class RestrictionEndpoints
{
    public static IEndpointRouteBuilder MapRestrictionEndpoints(this IEndpointRouteBuilder app)
    {
        var restriction = app.MapGroup("/cases/{id:guid}/restriction").WithTags("Cases").RequireAuthorization(NetworkRoles.Partner);

        restriction.MapPut("/", RestrictAsync)
            .WithSummary("Restrict the processing of a case (the person's right, GDPR Art. 18)")
            .WithDescription("The owner records the person's request, with the reason: accuracy-contested, unlawful-processing, legal-claims or "
                + "objection-pending (Art. 18(1)(a)–(d); an objection under Art. 21 while it is examined). The case keeps its data and may be "
                + "edited (to correct it); no new handover goes out and no receiving service reads the dossier until the restriction is lifted. "
                + "Handovers already open stay as they are. Asked again, it keeps the first date and announces nothing new unless the reason "
                + "changed. Announces CaseRestricted. Open and closed cases; an erased case answers 410.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);

        restriction.MapDelete("/", LiftAsync)
            .WithSummary("Lift the restriction of a case's processing")
            .WithDescription("Handovers and the dossier work again. Lifting an unrestricted case changes nothing. Announces CaseRestrictionLifted.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);
        return app;
    }

    private static async Task<Results<Ok<CaseResponse>, ProblemHttpResult>> RestrictAsync(
        Guid id, RestrictCaseRequest request, ClaimsPrincipal user, CounsellingDbContext db, MasterKeyRing keys, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var owned = await OwnedCase.FindAsync(db, user, id, tracking: true, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        if (!EnumCodes.TryParse<CaseRestrictionReason>(request.Reason, out var reason))
        {
            return Problems.Unprocessable(new Dictionary<string, string[]>
            {
                ["reason"] = ["One of accuracy-contested, unlawful-processing, legal-claims, objection-pending."],
            });
        }

        var c = owned.Case;
        if (c.RestrictedAt is null || c.RestrictionReason != reason)
        {
            var now = time.GetUtcNow();
            c.RestrictedAt ??= now;
            c.RestrictionReason = reason;
            c.UpdatedAt = now;
            db.AddEvent(new CaseRestricted(c.Id, c.OwnerOrganisationId, EnumCodes.Of(reason), now), time);
            if (await CaseEndpoints.SaveAsync(db, cancellationToken) is { } conflict)
            {
                return conflict;
            }
        }

        return await AnswerAsync(owned, db, keys, cancellationToken);
    }

    private static async Task<Results<Ok<CaseResponse>, ProblemHttpResult>> LiftAsync(
        Guid id, ClaimsPrincipal user, CounsellingDbContext db, MasterKeyRing keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var owned = await OwnedCase.FindAsync(db, user, id, tracking: true, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        var c = owned.Case;
        if (c.RestrictedAt is not null)
        {
            var now = time.GetUtcNow();
            c.RestrictedAt = null;
            c.RestrictionReason = null;
            c.UpdatedAt = now;
            db.AddEvent(new CaseRestrictionLifted(c.Id, c.OwnerOrganisationId, now), time);
            if (await CaseEndpoints.SaveAsync(db, cancellationToken) is { } conflict)
            {
                return conflict;
            }
        }

        return await AnswerAsync(owned, db, keys, cancellationToken);
    }

    private static async Task<Results<Ok<CaseResponse>, ProblemHttpResult>> AnswerAsync(
        OwnedCase owned, CounsellingDbContext db, MasterKeyRing keys, CancellationToken cancellationToken)
    {
        using var cipher = owned.Open(keys);
        return TypedResults.Ok(CaseEndpoints.ToResponse(
            owned.Case, cipher.OpenContent(owned.Case), await CaseEndpoints.HandoversOfAsync(db, owned.Case.Id, cancellationToken)));
    }
}
