using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.Messaging.Outbox;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Handovers.Endpoints;

/// <summary>A handover as coordinators see it: ids, parties, codes and dates; never the message or a note.</summary>
public sealed record AdminHandoverView(
    Guid Id,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    HandoverStatus Status,
    IReadOnlyList<string> Topics,
    DateOnly? PlannedArrivalMonth,
    DateTimeOffset RequestedAt,
    DateTimeOffset? AnswerDueAt,
    DateTimeOffset? EscalatedAt,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? FollowUpDueAt,
    HandoverOutcome? LastOutcome);

/// <summary>Handovers that need a coordinator.</summary>
/// <param name="Unanswered">Offers past their answer deadline that the SLA job has not escalated yet.</param>
/// <param name="WithoutFirstContact">Accepted, the follow-up date passed, no first contact reported.</param>
public sealed record StaleHandovers(IReadOnlyList<AdminHandoverView> Unanswered, IReadOnlyList<AdminHandoverView> WithoutFirstContact);

internal static class AdminHandoverEndpoints
{
    public static IEndpointRouteBuilder MapAdminHandoverEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin/handovers").WithTags("Admin: handovers").RequireAuthorization(NetworkRoles.Coordinator);

        admin.MapGet("/escalated", async (HandoversDbContext db, CancellationToken cancellationToken) =>
                TypedResults.Ok(await db.Tickets.AsNoTracking()
                    .Where(t => t.Status == HandoverStatus.Escalated)
                    .OrderBy(t => t.EscalatedAt)
                    .Take(1000)
                    .Select(t => ToView(t))
                    .ToListAsync(cancellationToken)))
            .WithSummary("Escalated handovers: offers no one answered in time (coordinators)")
            .WithDescription("Oldest first. Reassign one to another receiving service, or ask the receiver to answer.");
        admin.MapGet("/stale", async (HandoversDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
            {
                var now = time.GetUtcNow();
                var unanswered = await db.Tickets.AsNoTracking()
                    .Where(t => t.Status == HandoverStatus.Offered && t.AnswerDueAt <= now)
                    .OrderBy(t => t.AnswerDueAt).Take(1000).Select(t => ToView(t)).ToListAsync(cancellationToken);
                var silent = await db.Tickets.AsNoTracking()
                    .Where(t => t.Status == HandoverStatus.Accepted && t.FollowUpDueAt <= now)
                    .OrderBy(t => t.FollowUpDueAt).Take(1000).Select(t => ToView(t)).ToListAsync(cancellationToken);
                return TypedResults.Ok(new StaleHandovers(unanswered, silent));
            })
            .WithSummary("Stale handovers: unanswered offers and accepted handovers without first contact (coordinators)");
        var statistics = app.MapGroup("/admin/statistics").WithTags("Admin: statistics").RequireAuthorization(NetworkRoles.Coordinator);
        statistics.MapGet("/", async (HandoversDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
                TypedResults.Ok(await NetworkStatistics.ComputeAsync(db, time.GetUtcNow(), cancellationToken)))
            .WithSummary("Network statistics, without personal data (coordinators)")
            .WithDescription("Handovers by origin country, destination state, service type, purpose and month; answers and decline reasons; "
                + "median times; open, escalated and stale counts. Any count from 1 to 4 is \"<5\"; a rate or median that could give one "
                + "away is left out.");
        statistics.MapGet("/csv", async (HandoversDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
                TypedResults.Text((await NetworkStatistics.ComputeAsync(db, time.GetUtcNow(), cancellationToken)).ToCsv(), "text/csv"))
            .WithSummary("The same statistics as CSV (dimension, key, value)")
            .Produces<string>(StatusCodes.Status200OK, "text/csv");

        admin.MapPost("/{id:guid}/reassign", ReassignAsync)
            .AcceptsFreeText("reason")
            .WithSummary("Offer an unanswered handover to another receiving service (coordinators)")
            .WithDescription("Only from offered or escalated, and only to an active, accepting receiving service that an active consent "
                + "names; otherwise 409 says why (for consent: the origin partner must record a new one). Recorded in the audit trail. "
                + "Announces HandoverReassigned.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Results<Ok<AdminHandoverView>, ProblemHttpResult>> ReassignAsync(
        Guid id, ReassignHandoverRequest request, ClaimsPrincipal user, HandoversDbContext db, TimeProvider time, IOptions<SlaOptions> sla,
        CancellationToken cancellationToken)
    {
        var ticket = await db.Tickets.Include(t => t.Timeline).FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (ticket is null)
        {
            return Problems.NotFound("Handover");
        }

        if (request.ReceiverOrganisationId is not { } receiverId || receiverId == ticket.ReceiverOrganisationId)
        {
            return Problems.Unprocessable(new Dictionary<string, string[]> { ["receiverOrganisationId"] = ["Another receiving service is required."] });
        }

        if (ticket.Refuses(TicketStep.Reassign) is { } refusal)
        {
            return Problems.Conflict(refusal);
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var facts = await HandoverOffer.ReadReceiverAsync(db, ticket.CaseId, receiverId, now, cancellationToken);
        if (HandoverOffer.Refuses(facts, DateOnly.FromDateTime(now.UtcDateTime)) is { } receiverRefusal)
        {
            return HandoverResults.Refused(receiverRefusal);
        }

        var due = sla.Value.AnswerDueAt(now);
        db.AddEvent(ticket.Reassign(NetworkActor.Of(user), receiverId, due, sla.Value.ReminderAt(due, now), now), time);
        db.Record(user, "handover.reassign", $"{id} to {receiverId}", request.Reason, time);
        if (await HandoverResults.SaveAsync(db, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        await transaction.CommitAsync(cancellationToken);

        // Coordinators see ids, codes and dates: not the message, not the timeline's notes.
        return TypedResults.Ok(ToView(ticket));
    }

    private static AdminHandoverView ToView(HandoverTicket t) => new(
        t.Id,
        t.CaseId,
        t.OriginOrganisationId,
        t.ReceiverOrganisationId,
        t.Status,
        t.Topics,
        t.PlannedArrival == null ? null : new DateOnly(t.PlannedArrival.Value.Year, t.PlannedArrival.Value.Month, 1),
        t.RequestedAt,
        t.AnswerDueAt,
        t.EscalatedAt,
        t.AcceptedAt,
        t.FollowUpDueAt,
        t.LastOutcome);
}
