using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Operations;

/// <summary>
/// The operations every service offers coordinators under /admin: its audit trail, its outbox quarantine and its
/// dead letters. Coordinators only (everyone else 403); every change is recorded in the audit trail. And every
/// organisation's activity: who of it changed what (<see cref="ActivityRecorder"/>), read at GET /activity.
/// </summary>
public static class OperationsExtensions
{
    /// <summary>
    /// The operations' services: the outbox quarantine, the dead letters of the service's queues and the activity
    /// record of every request that writes. They work on the service's <see cref="DbContext"/>, whose model maps the
    /// audit trail and the activity with <see cref="AddOperations(ModelBuilder)"/>.
    /// </summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ISaveChangesInterceptor, ActivityRecorder>();
        builder.Services.AddScoped<OutboxQuarantine>();
        builder.Services.AddSingleton<DeadLetters>();
        builder.Services.AddOptions<DeadLetterBrokerOptions>().BindConfiguration("RabbitMq:DeadLetters");
        // Retention: the service adds its rules (AddRetentionRule); a period below a rule's minimum stops the start.
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration("Retention").ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidation>();
        builder.Services.AddSingleton<RetentionJob>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RetentionJob>());
        return builder;
    }

    /// <summary>Adds a retention rule the service's <see cref="RetentionJob"/> applies and GET /admin/retention reports.</summary>
    public static IHostApplicationBuilder AddRetentionRule(this IHostApplicationBuilder builder, RetentionRule rule)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(rule);
        return builder;
    }

    /// <summary>Maps the coordinators' audit trail and the activity (schema "admin") into a service's model, so its migrations create them.</summary>
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
            audit.Property(e => e.PersonId).HasColumnName("person_id");
            audit.Property(e => e.Action).HasColumnName("action").HasMaxLength(100);
            audit.Property(e => e.Target).HasColumnName("target").HasMaxLength(300);
            audit.Property(e => e.Reason).HasColumnName("reason").HasMaxLength(500);
        });

        modelBuilder.Entity<ActivityEntry>(activity =>
        {
            activity.ToTable("activity", "admin");
            activity.HasKey(e => e.Id);
            activity.Property(e => e.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            activity.Property(e => e.At).HasColumnName("at");
            activity.Property(e => e.OrganisationId).HasColumnName("organisation_id");
            activity.Property(e => e.ClientId).HasColumnName("client_id").HasMaxLength(200);
            activity.Property(e => e.PersonId).HasColumnName("person_id");
            activity.Property(e => e.Endpoint).HasColumnName("endpoint").HasMaxLength(300);
            activity.Property(e => e.Changes).HasColumnName("changes");
            activity.HasIndex(e => new { e.OrganisationId, e.Id });
        });

        modelBuilder.Entity<RetentionRun>(run =>
        {
            run.ToTable("retention_runs", "admin");
            run.HasKey(e => e.Id);
            run.Property(e => e.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            run.Property(e => e.Rule).HasColumnName("rule").HasMaxLength(100);
            run.Property(e => e.At).HasColumnName("at");
            run.Property(e => e.Cutoff).HasColumnName("cutoff");
            run.Property(e => e.Deleted).HasColumnName("deleted");
        });
        return modelBuilder;
    }

    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/activity", Handlers.ActivityAsync)
            .RequireAuthorization(PersonPolicies.Administration)
            .WithTags("Activity")
            .WithSummary("Who of the caller's organisation changed what in this service, newest first")
            .WithDescription("Every request of the caller's organisation that wrote here (a dossier read writes its disclosure): when, the person "
                + "(null for an API client), the client, the endpoint (method and route) and the ids of the entities it changed, never their "
                + "content. Only the caller's own organisation's entries; filter by personId; 50 a page by default (pageSize 1–200). "
                + "People: organisation-admins and coordinators only (others 403).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        var admin = app.MapGroup("/admin").RequireAuthorization(NetworkRoles.Coordinator);

        admin.MapGet("/audit", Handlers.AuditAsync)
            .WithTags("Admin: audit")
            .WithSummary("The coordinators' actions in this service, newest first")
            .WithDescription("Who (organisation and API client), what, on which target, when and why; limit 1–1000, default 200.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        admin.MapGet("/retention", Handlers.RetentionAsync)
            .WithTags("Admin: retention")
            .WithSummary("This service's retention rules and what they deleted")
            .WithDescription("Each rule with its setting, the period this instance applies, its default and minimum, and why; and the newest "
                + "passes that deleted something: the rule, when, the cutoff and how many items. Counts only, never ids. limit 1–1000, default 200.")
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
        public static async Task<Results<Ok<ActivityPage>, ProblemHttpResult>> ActivityAsync(
            ClaimsPrincipal user, DbContext db, CancellationToken cancellationToken, Guid? personId = null, int page = 1, int pageSize = 50)
        {
            var errors = new Dictionary<string, string[]>();
            Paging.Check(page, pageSize, errors);
            if (errors.Count > 0)
            {
                return Problems.Unprocessable(errors);
            }

            var organisation = user.OrganisationId();
            var query = db.Set<ActivityEntry>().AsNoTracking().Where(e => e.OrganisationId == organisation);
            query = personId is { } person ? query.Where(e => e.PersonId == person) : query;
            var total = await query.CountAsync(cancellationToken);
            var items = await query.OrderByDescending(e => e.Id).Page(page, pageSize)
                .Select(e => new ActivityResponse(e.Id, e.At, e.PersonId, e.ClientId, e.Endpoint, e.Changes))
                .ToListAsync(cancellationToken);
            return TypedResults.Ok(new ActivityPage(items, page, pageSize, total));
        }

        public static async Task<Results<Ok<List<AuditEntry>>, ProblemHttpResult>> AuditAsync(DbContext db, int? limit, CancellationToken cancellationToken) =>
            limit is < 1 or > 1000
                ? Problems.Unprocessable(new Dictionary<string, string[]> { ["limit"] = ["From 1 to 1000."] })
                : TypedResults.Ok(await db.Set<AuditEntry>().AsNoTracking().OrderByDescending(e => e.Id).Take(limit ?? 200).ToListAsync(cancellationToken));

        public static async Task<Results<Ok<RetentionReport>, ProblemHttpResult>> RetentionAsync(
            DbContext db, IEnumerable<RetentionRule> rules, IOptions<RetentionOptions> options, int? limit, CancellationToken cancellationToken)
        {
            if (limit is < 1 or > 1000)
            {
                return Problems.Unprocessable(new Dictionary<string, string[]> { ["limit"] = ["From 1 to 1000."] });
            }

            var runs = await db.Set<RetentionRun>().AsNoTracking().OrderByDescending(r => r.Id).Take(limit ?? 200)
                .Select(r => new RetentionRunView(r.Rule, r.At, r.Cutoff, r.Deleted))
                .ToListAsync(cancellationToken);
            var views = rules.Select(rule => new RetentionRuleView(
                rule.Name, rule.Setting, options.Value.PeriodOf(rule), rule.Default, rule.Minimum, rule.FromEndOfYear, rule.Reason)).ToList();
            return TypedResults.Ok(new RetentionReport(options.Value.Interval, views, runs));
        }

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

/// <summary>One request that changed data: ids only.</summary>
/// <param name="PersonId">The person who acted; null for an API client.</param>
/// <param name="ClientId">The API client, or the application the person signed in through.</param>
/// <param name="Endpoint">HTTP method and route pattern, e.g. "POST /cases/{caseId:guid}/consents".</param>
/// <param name="Changes">The entities changed, as "Type:id".</param>
public sealed record ActivityResponse(long Id, DateTimeOffset At, Guid? PersonId, string? ClientId, string Endpoint, IReadOnlyList<string> Changes);

/// <param name="Total">Entries matching the filter, over all pages.</param>
public sealed record ActivityPage(IReadOnlyList<ActivityResponse> Items, int Page, int PageSize, int Total);

/// <param name="Count">How many messages were replayed or discarded.</param>
public sealed record DeadLetterResult(string Queue, int Count);
