using System.Globalization;
using System.Linq.Expressions;
using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.Messaging.Outbox;
using Imsa.Network.Reference;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Handovers.Endpoints;

/// <summary>A request to hand a case over to a receiving service.</summary>
/// <param name="CaseId">The case, in the Counselling service, that the caller owns.</param>
/// <param name="ReceiverOrganisationId">The receiving service, typically chosen from POST /directory/matches on the Partners service.</param>
/// <param name="Topics">Topic codes the receiver is asked to continue with (GET /reference/topics on Counselling).</param>
/// <param name="PlannedArrival">Planned arrival in Germany: the follow-up clock starts there.</param>
/// <param name="Message">A short note to the receiver (at most 1,000 characters). No personal data: that is in the dossier, under consent.</param>
public sealed record RequestHandoverRequest(Guid? CaseId, Guid? ReceiverOrganisationId, IReadOnlyList<string>? Topics, DateOnly? PlannedArrival, string? Message);

/// <param name="Reason">no-capacity, not-eligible, outside-service-area, language-not-available, duplicate or other (then a note is required).</param>
/// <param name="Note">Why, in a sentence; required for "other". No personal data.</param>
public sealed record DeclineHandoverRequest(string? Reason, string? Note);

/// <param name="Outcome">first-appointment-booked, first-contact-made, did-not-arrive or could-not-be-contacted.</param>
/// <param name="OccurredOn">The day it happened, or the day of the booked appointment.</param>
public sealed record RecordOutcomeRequest(string? Outcome, DateOnly? OccurredOn);

/// <param name="ReceiverOrganisationId">Another receiving service that an active consent names.</param>
/// <param name="Reason">Why, for the audit trail.</param>
public sealed record ReassignHandoverRequest(Guid? ReceiverOrganisationId, string? Reason = null);

/// <summary>One step on the timeline.</summary>
/// <param name="ActorOrganisationId">The organisation that took the step; null for the service's own steps.</param>
/// <param name="ActorPersonId">The person who took it, shown to their own organisation (and to coordinators); null for an API client, and for the other party.</param>
/// <param name="ActorReference">
/// The person who took it as the other party sees them: a stable pseudonymous reference ("reader-…"), the same for the same
/// person, that does not tell who they are. Null for an API client, and for the person's own organisation (which sees the id).
/// </param>
public sealed record TimelineEntryResponse(
    DateTimeOffset At,
    TimelineActor Actor,
    Guid? ActorOrganisationId,
    Guid? ActorPersonId,
    string? ActorReference,
    string Action,
    string? Detail,
    long Version);

/// <summary>
/// Who reads a ticket's timeline, and so how its people are named: by id to their own organisation and to coordinators,
/// by a pseudonymous reference to the other party.
/// </summary>
internal sealed record TimelineReader(Guid OrganisationId, bool IsCoordinator, Pseudonyms Pseudonyms)
{
    public static TimelineReader Of(ClaimsPrincipal user, Pseudonyms pseudonyms) =>
        new(user.OrganisationId(), user.IsInRole(NetworkRoles.Coordinator), pseudonyms);

    public TimelineEntryResponse Show(TimelineEntry e)
    {
        var sameSide = IsCoordinator || e.ActorOrganisationId == OrganisationId;
        return new TimelineEntryResponse(
            e.At,
            e.Actor,
            e.ActorOrganisationId,
            sameSide ? e.ActorPersonId : null,
            sameSide ? null : Pseudonyms.OfOrNull(e.ActorPersonId, OrganisationId),
            e.Action,
            e.Detail,
            e.Version);
    }
}

/// <summary>A handover ticket as its two parties see it.</summary>
/// <param name="FollowUpDue">Accepted, the follow-up date passed, and no first contact yet.</param>
/// <param name="Timeline">Who did what when; left out of lists.</param>
public sealed record HandoverResponse(
    Guid Id,
    Guid CaseId,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    HandoverStatus Status,
    long Version,
    IReadOnlyList<string> Topics,
    DateOnly? PlannedArrival,
    string? Message,
    DateTimeOffset RequestedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? AnswerDueAt,
    DateTimeOffset? EscalatedAt,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? FollowUpDueAt,
    bool FollowUpDue,
    DeclineReason? DeclineReason,
    string? DeclineNote,
    RevocationCause? RevocationCause,
    HandoverOutcome? LastOutcome,
    DateOnly? LastOutcomeOn,
    DateTimeOffset? ClosedAt,
    IReadOnlyList<TimelineEntryResponse>? Timeline);

internal static class HandoverEndpoints
{
    public static IEndpointRouteBuilder MapHandoverEndpoints(this IEndpointRouteBuilder app)
    {
        var handovers = app.MapGroup("/handovers").WithTags("Handovers");

        handovers.MapPost("/", RequestAsync)
            .AcceptsFreeText("message")
            .WithQuota(HandoversServices.HandoverRequests)
            .RequireAuthorization(NetworkRoles.Partner)
            .WithSummary("Request a handover of the caller's case (partners abroad)")
            .WithDescription("Checks, each answered with a problem that says which: the receiver is a receiving service (404), both are "
                + "active (409), the receiver accepts handovers and is not at capacity (409), the case is not restricted and has no open "
                + "handover to it (409). When the case and an active consent naming the receiver are here too, the handover is offered at "
                + "once (201, status offered; announces HandoverOffered). When either has not reached this service yet (a case opened or a "
                + "consent recorded a moment ago), the request waits (201, status requested): it is offered as soon as they arrive, or "
                + "declined by the service after 15 minutes (case-not-found, no-consent). Read it with GET /handovers/{id}.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        handovers.MapGet("/outgoing", OutgoingAsync)
            .RequireAuthorization(NetworkRoles.Partner)
            .WithSummary("The caller's outgoing handovers")
            .WithDescription("Newest first; filter by status and case. With timeline=true (and a case) each comes with its timeline, as "
                + "GET /handovers/{id} shows it: the export of a case (GDPR Art. 15) takes the case's handovers from here.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        handovers.MapGet("/inbox", InboxAsync)
            .RequireAuthorization(NetworkRoles.ReceivingService)
            .WithSummary("The caller's inbox of handovers (receiving services)")
            .WithDescription("Default: offered and escalated, oldest deadline first. Filter by status, arrival month (yyyy-MM) and topic.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        handovers.MapGet("/{id:guid}", GetAsync)
            .RequireAuthorization()
            .WithSummary("Read a handover with its timeline")
            .WithDescription("Its origin partner and its receiver read it; anyone else gets 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        MapStep(handovers, "accept", TicketStep.Accept, NetworkRoles.ReceivingService,
            "Accept an offered (or escalated) handover (the receiver). The receiver may now read the consented dossier. Announces HandoverAccepted.",
            (ticket, user, now, sla) => ticket.Accept(NetworkActor.Of(user), now, TimeSpan.FromDays(sla.FollowUpDaysAfterArrival)));
        MapStep(handovers, "withdraw", TicketStep.Withdraw, NetworkRoles.Partner,
            "Withdraw a handover that has not ended (the origin partner). Announces HandoverWithdrawn.",
            (ticket, user, now, _) => ticket.Withdraw(NetworkActor.Of(user), now));
        MapStep(handovers, "complete", TicketStep.Complete, NetworkRoles.ReceivingService,
            "Complete an accepted handover: counselling goes on in Germany (the receiver). Announces HandoverCompleted.",
            (ticket, user, now, _) => ticket.Complete(NetworkActor.Of(user), now));

        handovers.MapPost("/{id:guid}/decline", DeclineAsync)
            .AcceptsFreeText("note")
            .RequireAuthorization(NetworkRoles.ReceivingService)
            .WithSummary("Decline an offered handover with a coded reason (the receiver)")
            .WithDescription("The origin partner sees the reason and may hand the case to another service. Announces HandoverDeclined.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        handovers.MapPost("/{id:guid}/outcomes", RecordOutcomeAsync)
            .RequireAuthorization(NetworkRoles.ReceivingService)
            .WithSummary("Report what happened after arrival (the receiver)")
            .WithDescription("first-contact-made moves the handover to in-contact. The origin partner sees every outcome (the closed loop). "
                + "Announces HandoverOutcomeRecorded.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private delegate IHandoverEvent Transition(HandoverTicket ticket, ClaimsPrincipal user, DateTimeOffset now, SlaOptions sla);

    private static void MapStep(RouteGroupBuilder group, string action, TicketStep step, string role, string description, Transition transition) =>
        group.MapPost($"/{{id:guid}}/{action}", async Task<Results<Ok<HandoverResponse>, ProblemHttpResult>> (
                Guid id, ClaimsPrincipal user, HandoversDbContext db, TicketTexts texts, TimeProvider time, IOptions<SlaOptions> sla,
                Pseudonyms pseudonyms, CancellationToken cancellationToken) =>
            {
                var reader = TimelineReader.Of(user, pseudonyms);
                var ticket = await PartyTicketAsync(db, texts, user, id, cancellationToken);
                if (ticket is null)
                {
                    return Problems.NotFound("Handover");
                }

                if (ticket.HasTaken(step))
                {
                    return TypedResults.Ok(ToResponse(ticket, reader));
                }

                if (ticket.Refuses(step) is { } refusal)
                {
                    return Problems.Conflict(refusal);
                }

                // An offer made before the case was restricted is not taken up while it is (GDPR Art. 18): the receiver
                // would gain a dossier it may not read. Withdrawing and completing stay possible.
                if (step == TicketStep.Accept && await db.Cases.AnyAsync(c => c.CaseId == ticket.CaseId && c.Restricted, cancellationToken))
                {
                    return Problems.Conflict("The processing of this case is restricted at the person's request (GDPR Art. 18): the offer "
                        + "can be accepted once its owner lifts the restriction.");
                }

                var announced = transition(ticket, user, time.GetUtcNow(), sla.Value);
                if (ticket.WasOffered)
                {
                    // A request withdrawn while it waited was never announced: nobody else knows it.
                    db.AddEvent(announced, time);
                }

                return await SaveAsync(db, ticket, reader, cancellationToken);
            })
            .RequireAuthorization(role)
            .WithSummary($"{char.ToUpperInvariant(action[0])}{action[1..]} a handover")
            .WithDescription(description)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<Results<Created<HandoverResponse>, ProblemHttpResult>> RequestAsync(
        RequestHandoverRequest request, ClaimsPrincipal user, HandoversDbContext db, TicketTexts texts, TimeProvider time, IOptions<SlaOptions> sla,
        Pseudonyms pseudonyms, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        if (request.CaseId is null)
        {
            errors["caseId"] = ["The case to hand over is required."];
        }

        if (request.ReceiverOrganisationId is null)
        {
            errors["receiverOrganisationId"] = ["The receiving service is required."];
        }

        CheckTopics(request.Topics, errors);
        if (request.Message is { Length: > 1000 })
        {
            errors["message"] = ["At most 1,000 characters."];
        }

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (request.PlannedArrival is { } arrival && (arrival < today.AddYears(-2) || arrival > today.AddYears(10)))
        {
            errors["plannedArrival"] = ["The planned arrival must lie between two years ago and ten years ahead."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var origin = user.OrganisationId();
        var caseId = request.CaseId!.Value;
        var receiverId = request.ReceiverOrganisationId!.Value;
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        await PendingRequests.LockCaseAsync(db, caseId, cancellationToken);
        var facts = await HandoverOffer.ReadRequestAsync(db, caseId, origin, receiverId, now, cancellationToken);
        var refusal = HandoverOffer.Refuses(facts, today);
        if (refusal is { CanWait: false })
        {
            return HandoverResults.Refused(refusal);
        }

        // Offered at once when every check passes; otherwise it waits for the case or consent still on their way.
        var ticket = HandoverTicket.Request(caseId, NetworkActor.Of(user), receiverId, request.Topics ?? [], request.PlannedArrival, request.Message, now);
        db.Tickets.Add(ticket);
        await texts.SealAsync(db, ticket, cancellationToken);
        if (refusal is null)
        {
            var due = sla.Value.AnswerDueAt(now);
            db.AddEvent(ticket.Offer(due, sla.Value.ReminderAt(due, now), now), time);
        }

        if (await HandoverResults.SaveAsync(db, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/handovers/{ticket.Id}", ToResponse(ticket, TimelineReader.Of(user, pseudonyms)));
    }

    private static async Task<Results<Ok<List<HandoverResponse>>, ProblemHttpResult>> OutgoingAsync(
        ClaimsPrincipal user, HandoversDbContext db, TicketTexts texts, Pseudonyms pseudonyms, CancellationToken cancellationToken,
        string? status = null, Guid? caseId = null, bool timeline = false)
    {
        if (timeline && caseId is null)
        {
            return Problems.Unprocessable(new Dictionary<string, string[]> { ["timeline"] = ["Timelines come for one case at a time: give caseId too."] });
        }

        HandoverStatus? wanted = null;
        if (status is not null)
        {
            if (!EnumCodes.TryParse<HandoverStatus>(status, out var parsed))
            {
                return UnknownStatus();
            }

            wanted = parsed;
        }

        var origin = user.OrganisationId();
        var query = db.Tickets.AsNoTracking().Where(t => t.OriginOrganisationId == origin);
        query = wanted is { } s ? query.Where(t => t.Status == s) : query;
        query = caseId is { } c ? query.Where(t => t.CaseId == c) : query;
        query = timeline ? query.Include(t => t.Timeline) : query;
        var tickets = await query.OrderByDescending(t => t.RequestedAt).Take(500).ToListAsync(cancellationToken);
        await texts.OpenAsync(db, tickets, cancellationToken);
        var reader = timeline ? TimelineReader.Of(user, pseudonyms) : null;
        return TypedResults.Ok(tickets.Select(t => ToResponse(t, reader)).ToList());
    }

    private static async Task<Results<Ok<List<HandoverResponse>>, ProblemHttpResult>> InboxAsync(
        ClaimsPrincipal user, HandoversDbContext db, TicketTexts texts, CancellationToken cancellationToken, string? status = null, string? arrivalMonth = null, string? topic = null)
    {
        HandoverStatus[] statuses = [HandoverStatus.Offered, HandoverStatus.Escalated];
        if (status is not null)
        {
            if (!EnumCodes.TryParse<HandoverStatus>(status, out var parsed))
            {
                return UnknownStatus();
            }

            statuses = [parsed];
        }

        DateOnly? month = null;
        if (arrivalMonth is not null)
        {
            // Within the dates any request may hold (InputLimits): a month after December 9999 does not exist.
            if (!DateOnly.TryParseExact($"{arrivalMonth}-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsedMonth)
                || parsedMonth < InputLimits.EarliestDate || parsedMonth > InputLimits.LatestDate)
            {
                return Problems.Unprocessable(new Dictionary<string, string[]> { ["arrivalMonth"] = [string.Create(CultureInfo.InvariantCulture,
                    $"A month as yyyy-MM from {InputLimits.EarliestDate:yyyy-MM} to {InputLimits.LatestDate:yyyy-MM}, e.g. 2027-03.")] });
            }

            month = parsedMonth;
        }

        if (topic is not null && !Topics.Codes.Contains(topic))
        {
            return Problems.Unprocessable(new Dictionary<string, string[]> { ["topic"] = ["Unknown topic code (GET /reference/topics on Counselling)."] });
        }

        var receiver = user.OrganisationId();
        var query = db.Tickets.AsNoTracking().Where(t => t.ReceiverOrganisationId == receiver && t.AnswerDueAt != null && statuses.Contains(t.Status));
        if (month is { } m)
        {
            var next = m.AddMonths(1);
            query = query.Where(t => t.PlannedArrival >= m && t.PlannedArrival < next);
        }

        if (topic is not null)
        {
            query = query.Where(t => t.Topics.Contains(topic));
        }

        var tickets = await query.OrderBy(t => t.AnswerDueAt).ThenBy(t => t.RequestedAt).Take(500).ToListAsync(cancellationToken);
        await texts.OpenAsync(db, tickets, cancellationToken);
        return TypedResults.Ok(tickets.Select(t => ToResponse(t, timeline: null)).ToList());
    }

    private static async Task<Results<Ok<HandoverResponse>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, HandoversDbContext db, TicketTexts texts, Pseudonyms pseudonyms, CancellationToken cancellationToken)
    {
        var caller = user.OrganisationId();
        var ticket = await db.Tickets.AsNoTracking().Include(t => t.Timeline)
            .Where(PartyOf(caller)).FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (ticket is null)
        {
            return Problems.NotFound("Handover");
        }

        await texts.OpenAsync(db, [ticket], cancellationToken);
        return TypedResults.Ok(ToResponse(ticket, TimelineReader.Of(user, pseudonyms)));
    }

    private static async Task<Results<Ok<HandoverResponse>, ProblemHttpResult>> DeclineAsync(
        Guid id, DeclineHandoverRequest request, ClaimsPrincipal user, HandoversDbContext db, TicketTexts texts, TimeProvider time,
        Pseudonyms pseudonyms, CancellationToken cancellationToken)
    {
        var ticket = await PartyTicketAsync(db, texts, user, id, cancellationToken);
        if (ticket is null)
        {
            return Problems.NotFound("Handover");
        }

        var errors = new Dictionary<string, string[]>();
        if (!EnumCodes.TryParse<DeclineReason>(request.Reason, out var reason) || !DeclineReasons.ByReceiver.Contains(reason))
        {
            errors["reason"] = ["A reason is required: no-capacity, not-eligible, outside-service-area, language-not-available, duplicate or other."];
        }
        else if (reason == DeclineReason.Other && string.IsNullOrWhiteSpace(request.Note))
        {
            errors["note"] = ["Say why in a note when the reason is other."];
        }

        if (request.Note is { Length: > 1000 })
        {
            errors["note"] = ["At most 1,000 characters."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        if (ticket.HasTaken(TicketStep.Decline))
        {
            return TypedResults.Ok(ToResponse(ticket, TimelineReader.Of(user, pseudonyms)));
        }

        if (ticket.Refuses(TicketStep.Decline) is { } refusal)
        {
            return Problems.Conflict(refusal);
        }

        db.AddEvent(ticket.Decline(NetworkActor.Of(user), reason, request.Note?.Trim(), time.GetUtcNow()), time);
        await texts.SealAsync(db, ticket, cancellationToken);
        return await SaveAsync(db, ticket, TimelineReader.Of(user, pseudonyms), cancellationToken);
    }

    private static async Task<Results<Ok<HandoverResponse>, ProblemHttpResult>> RecordOutcomeAsync(
        Guid id, RecordOutcomeRequest request, ClaimsPrincipal user, HandoversDbContext db, TicketTexts texts, TimeProvider time,
        Pseudonyms pseudonyms, CancellationToken cancellationToken)
    {
        var ticket = await PartyTicketAsync(db, texts, user, id, cancellationToken);
        if (ticket is null)
        {
            return Problems.NotFound("Handover");
        }

        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        if (!EnumCodes.TryParse<HandoverOutcome>(request.Outcome, out var outcome))
        {
            errors["outcome"] = ["One of first-appointment-booked, first-contact-made, did-not-arrive, could-not-be-contacted."];
        }
        else if (outcome != HandoverOutcome.FirstAppointmentBooked && request.OccurredOn > DateOnly.FromDateTime(now.UtcDateTime))
        {
            errors["occurredOn"] = ["Only a booked appointment lies in the future."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        if (ticket.Refuses(TicketStep.RecordOutcome) is { } refusal)
        {
            return Problems.Conflict(refusal);
        }

        db.AddEvent(ticket.RecordOutcome(NetworkActor.Of(user), outcome, request.OccurredOn, now), time);
        return await SaveAsync(db, ticket, TimelineReader.Of(user, pseudonyms), cancellationToken);
    }

    /// <summary>
    /// The tickets <paramref name="caller"/> is a party to: its origin, or its receiver once offered (a request still
    /// waiting for its case or consent is the origin's alone). Everyone else's id answers 404.
    /// </summary>
    private static Expression<Func<HandoverTicket, bool>> PartyOf(Guid caller) =>
        t => t.OriginOrganisationId == caller || (t.ReceiverOrganisationId == caller && t.AnswerDueAt != null);

    /// <summary>The ticket, its text opened, if the caller is one of its two parties; null (404) otherwise.</summary>
    private static async Task<HandoverTicket?> PartyTicketAsync(
        HandoversDbContext db, TicketTexts texts, ClaimsPrincipal user, Guid id, CancellationToken cancellationToken)
    {
        var caller = user.OrganisationId();
        var ticket = await db.Tickets.Include(t => t.Timeline)
            .Where(PartyOf(caller)).FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (ticket is not null)
        {
            await texts.OpenAsync(db, [ticket], cancellationToken);
        }

        return ticket;
    }

    private static async Task<Results<Ok<HandoverResponse>, ProblemHttpResult>> SaveAsync(
        HandoversDbContext db, HandoverTicket ticket, TimelineReader reader, CancellationToken cancellationToken) =>
        await HandoverResults.SaveAsync(db, cancellationToken) is { } conflict ? conflict : TypedResults.Ok(ToResponse(ticket, reader));

    private static void CheckTopics(IReadOnlyList<string>? topics, Dictionary<string, string[]> errors)
    {
        if (topics is null)
        {
            return;
        }

        if (topics.Count > 30 || topics.Distinct(StringComparer.Ordinal).Count() != topics.Count)
        {
            errors["topics"] = ["At most 30 topic codes, each once."];
        }
        else if (topics.Where(t => !Topics.Codes.Contains(t)).ToList() is { Count: > 0 } unknown)
        {
            errors["topics"] = [$"Unknown topic codes: {string.Join(", ", unknown)}."];
        }
    }

    private static ProblemHttpResult UnknownStatus() =>
        Problems.Unprocessable(new Dictionary<string, string[]>
        {
            ["status"] = ["One of requested, offered, accepted, in-contact, completed, declined, escalated, withdrawn, revoked."],
        });

    /// <summary>The ticket, with its timeline as <paramref name="timeline"/> may see it, or without (null: lists).</summary>
    public static HandoverResponse ToResponse(HandoverTicket t, TimelineReader? timeline) => new(
        t.Id,
        t.CaseId,
        t.OriginOrganisationId,
        t.ReceiverOrganisationId,
        t.Status,
        t.Version,
        t.Topics,
        t.PlannedArrival,
        t.Message,
        t.RequestedAt,
        t.UpdatedAt,
        t.AnswerDueAt,
        t.EscalatedAt,
        t.AcceptedAt,
        t.FollowUpDueAt,
        t.FollowUpFlaggedAt is not null && t.Status == HandoverStatus.Accepted,
        t.DeclineReason,
        t.DeclineNote,
        t.RevocationCause,
        t.LastOutcome,
        t.LastOutcomeOn,
        t.ClosedAt,
        timeline is null ? null : t.Timeline.OrderBy(e => e.Version).ThenBy(e => e.Id).Select(timeline.Show).ToList());
}
