using Imsa.Network.Messaging.Access;
using Imsa.Network.Messaging.Hosting;
using Imsa.Network.Messaging.Outbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Messaging.Admin;

/// <summary>
/// The operations every service offers coordinators under /admin: its audit trail, its outbox quarantine and its
/// dead letters. Coordinators only (everyone else 403); every change is recorded in the audit trail.
/// </summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminOperations<TDbContext>(this IEndpointRouteBuilder app)
        where TDbContext : DbContext
    {
        var admin = app.MapGroup("/admin").RequireAuthorization(NetworkRoles.Coordinator);

        admin.MapGet("/audit", Handlers<TDbContext>.AuditAsync)
            .WithTags("Admin: audit")
            .WithSummary("The coordinators' actions in this service, newest first")
            .WithDescription("Who (organisation and API client), what, on which target, when and why.");

        var outbox = admin.MapGroup("/outbox/quarantine").WithTags("Admin: outbox");
        outbox.MapGet("/", Handlers<TDbContext>.QuarantineAsync)
            .WithSummary("Events the outbox relay could not publish")
            .WithDescription("After its attempts ran out, or at once for a message the broker can never take. Nothing is lost: retry or discard each.");
        outbox.MapPost("/{messageId:guid}/retry", Handlers<TDbContext>.RetryAsync)
            .WithSummary("Put a quarantined event back in line for publishing")
            .ProducesProblem(StatusCodes.Status404NotFound);
        outbox.MapDelete("/{messageId:guid}", Handlers<TDbContext>.DiscardAsync)
            .WithSummary("Discard a quarantined event for good")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var dead = admin.MapGroup("/dead-letters").WithTags("Admin: dead letters");
        dead.MapGet("/", Handlers<TDbContext>.DeadLettersAsync)
            .WithSummary("This service's dead-letter queues, with counts and message summaries")
            .WithDescription("Messages a consumer gave up on after its retries: type, id, time and exception type; never their content.");
        dead.MapPost("/{queue}/replay", Handlers<TDbContext>.ReplayAllAsync)
            .WithSummary("Replay every dead letter of a queue to it")
            .WithDescription("Once the cause is fixed. The inbox still recognises any message that was handled before.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        dead.MapPost("/{queue}/{messageId:guid}/replay", Handlers<TDbContext>.ReplayOneAsync)
            .WithSummary("Replay one dead letter to the queue it failed in")
            .ProducesProblem(StatusCodes.Status404NotFound);
        dead.MapDelete("/{queue}/{messageId:guid}", Handlers<TDbContext>.DiscardDeadLetterAsync)
            .WithSummary("Discard one dead letter")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static class Handlers<TDbContext>
        where TDbContext : DbContext
    {
        public static async Task<Ok<List<AuditEntry>>> AuditAsync(TDbContext db, int? limit, CancellationToken cancellationToken) =>
            TypedResults.Ok(await db.Set<AuditEntry>().AsNoTracking().OrderByDescending(e => e.Id).Take(Math.Clamp(limit ?? 200, 1, 1000)).ToListAsync(cancellationToken));

        public static async Task<Ok<List<QuarantinedMessage>>> QuarantineAsync(OutboxQuarantine<TDbContext> quarantine, CancellationToken cancellationToken) =>
            TypedResults.Ok(await quarantine.ListAsync(cancellationToken));

        public static Task<Results<NoContent, ProblemHttpResult>> RetryAsync(
            Guid messageId, string? reason, TDbContext db, OutboxQuarantine<TDbContext> quarantine, HttpContext http, TimeProvider time, CancellationToken cancellationToken) =>
            QuarantineActionAsync(messageId, "outbox.retry", () => quarantine.RetryAsync(messageId, cancellationToken), reason, db, http, time, cancellationToken);

        public static Task<Results<NoContent, ProblemHttpResult>> DiscardAsync(
            Guid messageId, string? reason, TDbContext db, OutboxQuarantine<TDbContext> quarantine, HttpContext http, TimeProvider time, CancellationToken cancellationToken) =>
            QuarantineActionAsync(messageId, "outbox.discard", () => quarantine.DiscardAsync(messageId, cancellationToken), reason, db, http, time, cancellationToken);

        public static async Task<Ok<IReadOnlyList<QueueDeadLetters>>> DeadLettersAsync(DeadLetters deadLetters, CancellationToken cancellationToken) =>
            TypedResults.Ok(await deadLetters.ListAsync(cancellationToken));

        public static Task<Results<Ok<DeadLetterResult>, ProblemHttpResult>> ReplayAllAsync(
            string queue, string? reason, TDbContext db, DeadLetters deadLetters, HttpContext http, TimeProvider time, CancellationToken cancellationToken) =>
            TakeAsync(queue, null, replay: true, reason, db, deadLetters, http, time, cancellationToken);

        public static Task<Results<Ok<DeadLetterResult>, ProblemHttpResult>> ReplayOneAsync(
            string queue, Guid messageId, string? reason, TDbContext db, DeadLetters deadLetters, HttpContext http, TimeProvider time, CancellationToken cancellationToken) =>
            TakeAsync(queue, messageId, replay: true, reason, db, deadLetters, http, time, cancellationToken);

        public static Task<Results<Ok<DeadLetterResult>, ProblemHttpResult>> DiscardDeadLetterAsync(
            string queue, Guid messageId, string? reason, TDbContext db, DeadLetters deadLetters, HttpContext http, TimeProvider time, CancellationToken cancellationToken) =>
            TakeAsync(queue, messageId, replay: false, reason, db, deadLetters, http, time, cancellationToken);

        private static async Task<Results<NoContent, ProblemHttpResult>> QuarantineActionAsync(
            Guid messageId, string action, Func<Task<bool>> apply, string? reason, TDbContext db, HttpContext http, TimeProvider time, CancellationToken cancellationToken)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (!await apply())
            {
                return Problems.NotFound("Quarantined message");
            }

            db.Record(http.User, action, messageId.ToString(), reason, time);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return TypedResults.NoContent();
        }
    }

    private static async Task<Results<Ok<DeadLetterResult>, ProblemHttpResult>> TakeAsync(
        string queue, Guid? messageId, bool replay, string? reason, DbContext db, DeadLetters deadLetters, HttpContext http, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!deadLetters.IsReceiveQueue(queue))
        {
            return Problems.NotFound("Queue");
        }

        var taken = replay
            ? await deadLetters.ReplayAsync(queue, messageId, cancellationToken)
            : await deadLetters.DiscardAsync(queue, messageId!.Value, cancellationToken);
        if (taken == 0 && messageId is not null)
        {
            return Problems.NotFound("Dead letter");
        }

        db.Record(http.User, replay ? "dead-letter.replay" : "dead-letter.discard", messageId is { } id ? $"{queue}/{id}" : queue, reason, time);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new DeadLetterResult(queue, taken));
    }
}

/// <param name="Count">How many messages were replayed or discarded.</param>
public sealed record DeadLetterResult(string Queue, int Count);
