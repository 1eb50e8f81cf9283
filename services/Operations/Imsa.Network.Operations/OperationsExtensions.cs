using Imsa.Network.Access;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Imsa.Network.Operations;

/// <summary>
/// The operations every service offers coordinators under /admin: its audit trail, its outbox quarantine and its
/// dead letters. Coordinators only (everyone else 403); every change is recorded in the audit trail.
/// </summary>
public static class OperationsExtensions
{
    /// <summary>
    /// The operations' services: the outbox quarantine and the dead letters of the service's queues. They work on the
    /// service's <see cref="DbContext"/>, whose model maps the audit trail with <see cref="AddOperations(ModelBuilder)"/>.
    /// </summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<OutboxQuarantine>();
        builder.Services.AddSingleton<DeadLetters>();
        builder.Services.AddOptions<DeadLetterBrokerOptions>().BindConfiguration("RabbitMq:DeadLetters");
        return builder;
    }

    /// <summary>Maps the coordinators' audit trail (schema "admin") into a service's model, so its migrations create it.</summary>
    public static ModelBuilder AddOperations(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<AuditEntry>(audit =>
        {
            audit.ToTable("audit_trail", "admin");
            audit.HasKey(e => e.Id);
            audit.Property(e => e.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            audit.Property(e => e.At).HasColumnName("at");
            audit.Property(e => e.OrganisationId).HasColumnName("organisation_id");
            audit.Property(e => e.ClientId).HasColumnName("client_id").HasMaxLength(100);
            audit.Property(e => e.Action).HasColumnName("action").HasMaxLength(100);
            audit.Property(e => e.Target).HasColumnName("target").HasMaxLength(300);
            audit.Property(e => e.Reason).HasColumnName("reason").HasMaxLength(500);
        });
        return modelBuilder;
    }

    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireAuthorization(NetworkRoles.Coordinator);

        admin.MapGet("/audit", Handlers.AuditAsync)
            .WithTags("Admin: audit")
            .WithSummary("The coordinators' actions in this service, newest first")
            .WithDescription("Who (organisation and API client), what, on which target, when and why; limit 1–1000, default 200.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        var outbox = admin.MapGroup("/outbox/quarantine").WithTags("Admin: outbox");
        outbox.MapGet("/", Handlers.QuarantineAsync)
            .WithSummary("Events the outbox relay could not publish")
            .WithDescription("After its attempts ran out, or at once for a message the broker can never take. Nothing is lost: retry or discard each.");
        outbox.MapPost("/{messageId:guid}/retry", Handlers.RetryAsync)
            .WithSummary("Put a quarantined event back in line for publishing")
            .ProducesProblem(StatusCodes.Status404NotFound);
        outbox.MapDelete("/{messageId:guid}", Handlers.DiscardAsync)
            .WithSummary("Discard a quarantined event for good")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var dead = admin.MapGroup("/dead-letters").WithTags("Admin: dead letters");
        dead.MapGet("/", Handlers.DeadLettersAsync)
            .WithSummary("This service's dead-letter queues, with counts and message summaries")
            .WithDescription("Messages a consumer gave up on after its retries: type, id, time and exception type; never their content.");
        dead.MapPost("/replay-passing", Handlers.ReplayPassingAsync)
            .WithSummary("Replay, in every queue, the dead letters whose failure passes (the database was away)")
            .WithDescription("Consumers now wait out a database outage instead of dead-lettering; this puts back what an older build "
                + "dead-lettered for that reason (connection failures, timeouts, shutdowns, serialization failures, deadlocks). "
                + "Messages that failed for a reason of their own stay. The inbox still recognises any message that was handled before.");
        dead.MapPost("/{queue}/replay", Handlers.ReplayAllAsync)
            .WithSummary("Replay every dead letter of a queue to it")
            .WithDescription("Once the cause is fixed. The inbox still recognises any message that was handled before.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        dead.MapPost("/{queue}/{messageId:guid}/replay", Handlers.ReplayOneAsync)
            .WithSummary("Replay one dead letter to the queue it failed in")
            .ProducesProblem(StatusCodes.Status404NotFound);
        dead.MapDelete("/{queue}/{messageId:guid}", Handlers.DiscardDeadLetterAsync)
            .WithSummary("Discard one dead letter")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static class Handlers
    {
        public static async Task<Results<Ok<List<AuditEntry>>, ProblemHttpResult>> AuditAsync(DbContext db, int? limit, CancellationToken cancellationToken) =>
            limit is < 1 or > 1000
                ? Problems.Unprocessable(new Dictionary<string, string[]> { ["limit"] = ["From 1 to 1000."] })
                : TypedResults.Ok(await db.Set<AuditEntry>().AsNoTracking().OrderByDescending(e => e.Id).Take(limit ?? 200).ToListAsync(cancellationToken));

        public static async Task<Ok<List<QuarantinedMessage>>> QuarantineAsync(OutboxQuarantine quarantine, CancellationToken cancellationToken) =>
            TypedResults.Ok(await quarantine.ListAsync(cancellationToken));

        public static Task<Results<NoContent, ProblemHttpResult>> RetryAsync(
            Guid messageId, string? reason, DbContext db, OutboxQuarantine quarantine, HttpContext http, TimeProvider time, CancellationToken cancellationToken) =>
            QuarantineActionAsync(messageId, "outbox.retry", () => quarantine.RetryAsync(messageId, cancellationToken), reason, db, http, time, cancellationToken);

        public static Task<Results<NoContent, ProblemHttpResult>> DiscardAsync(
            Guid messageId, string? reason, DbContext db, OutboxQuarantine quarantine, HttpContext http, TimeProvider time, CancellationToken cancellationToken) =>
            QuarantineActionAsync(messageId, "outbox.discard", () => quarantine.DiscardAsync(messageId, cancellationToken), reason, db, http, time, cancellationToken);

        public static async Task<Ok<IReadOnlyList<QueueDeadLetters>>> DeadLettersAsync(DeadLetters deadLetters, CancellationToken cancellationToken) =>
            TypedResults.Ok(await deadLetters.ListAsync(cancellationToken));

        public static async Task<Ok<IReadOnlyList<DeadLetterResult>>> ReplayPassingAsync(
            string? reason, DbContext db, DeadLetters deadLetters, HttpContext http, TimeProvider time, CancellationToken cancellationToken)
        {
            var replayed = await deadLetters.ReplayPassingAsync(cancellationToken);
            db.Record(http.User, "dead-letter.replay-passing", $"{replayed.Sum(r => r.Count)} messages", reason, time);
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(replayed);
        }

        public static Task<Results<Ok<DeadLetterResult>, ProblemHttpResult>> ReplayAllAsync(
            string queue, string? reason, DbContext db, DeadLetters deadLetters, HttpContext http, TimeProvider time, CancellationToken cancellationToken) =>
            TakeAsync(queue, null, replay: true, reason, db, deadLetters, http, time, cancellationToken);

        public static Task<Results<Ok<DeadLetterResult>, ProblemHttpResult>> ReplayOneAsync(
            string queue, Guid messageId, string? reason, DbContext db, DeadLetters deadLetters, HttpContext http, TimeProvider time, CancellationToken cancellationToken) =>
            TakeAsync(queue, messageId, replay: true, reason, db, deadLetters, http, time, cancellationToken);

        public static Task<Results<Ok<DeadLetterResult>, ProblemHttpResult>> DiscardDeadLetterAsync(
            string queue, Guid messageId, string? reason, DbContext db, DeadLetters deadLetters, HttpContext http, TimeProvider time, CancellationToken cancellationToken) =>
            TakeAsync(queue, messageId, replay: false, reason, db, deadLetters, http, time, cancellationToken);

        private static async Task<Results<NoContent, ProblemHttpResult>> QuarantineActionAsync(
            Guid messageId, string action, Func<Task<bool>> apply, string? reason, DbContext db, HttpContext http, TimeProvider time, CancellationToken cancellationToken)
        {
            await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
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
