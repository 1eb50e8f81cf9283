using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Imsa.Network.ServiceDefaults;

/// <summary>A service's one PostgreSQL database: its DbContext, its readiness check, its migrations.</summary>
public static partial class ServiceDatabase
{
    /// <summary>
    /// The argument that runs a service as its release's migration step (<c>dotnet Imsa.Network.&lt;Service&gt;.dll
    /// --migrate</c>): <see cref="RunMigrationCommandAsync"/> instead of the service.
    /// </summary>
    public const string MigrateCommand = "--migrate";

    /// <summary>
    /// Registers <typeparamref name="TDbContext"/> on PostgreSQL (connection string "Database", read when services
    /// resolve, so a test host can override it), also as <see cref="DbContext"/>: a service has one database, and
    /// the shared libraries (network access, operations) take it under that name. The check "database" joins
    /// /health/ready; the model must map <see cref="IdempotentRequestsModel.AddIdempotentRequests"/>, whose keys a job
    /// deletes after their retention, and <see cref="RateLimits.AddRateLimits"/>, whose counters every instance shares
    /// (<see cref="RateLimitCounters"/>) and a job deletes when their window has ended. Every
    /// <see cref="ISaveChangesInterceptor"/> registered in the services joins the DbContext.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TDbContext>(this IHostApplicationBuilder builder)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Pooled: a request or a message leases a DbContext that is reset, not built, and its options are built once
        // (docs/benchmarks.md, issue 16). Nothing here keeps state in a DbContext beyond its scope.
        builder.Services.AddDbContextPool<TDbContext>((provider, options) =>
        {
            var connectionString = provider.GetRequiredService<IConfiguration>().GetConnectionString("Database")
                ?? throw new InvalidOperationException("The connection string 'Database' is not configured.");
            options.UseNpgsql(Tuned(connectionString));
            // What a shared library needs to do on every save joins here (the operations' activity record, say).
            options.AddInterceptors(provider.GetServices<ISaveChangesInterceptor>());
        });
        builder.Services.AddScoped<DbContext>(provider => provider.GetRequiredService<TDbContext>());
        builder.Services.AddHealthChecks().AddDbContextCheck<TDbContext>("database", tags: ["ready"]);
        // Writes under an Idempotency-Key keep their answers here (IdempotentRequests), for a while.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<IdempotencyOptions>().BindConfiguration("Idempotency");
        builder.Services.AddHostedService<IdempotencyRetention>();
        builder.Services.TryAddSingleton<RateLimitCounters>();
        builder.Services.AddOptions<RateLimitCleanupOptions>().BindConfiguration("Limits:Cleanup");
        builder.Services.AddHostedService<RateLimitRetention>();
        return builder;
    }

    /// <summary>
    /// The services' connection string with what a busy service wants unless it says otherwise: no <c>DISCARD ALL</c>
    /// each time a pooled connection is handed back (<c>No Reset On Close</c>: that reset was half of PostgreSQL's
    /// transactions; no code here leaves session state behind: no SET, no session locks, no temporary tables, no
    /// LISTEN on a pooled connection), and the statements a service runs again and again prepared on the server
    /// (<c>Max Auto Prepare</c>, after <c>Auto Prepare Min Usages</c>, 5 by default).
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var named = connectionString.Split(';').Select(part => part.Split('=', 2)[0].Trim().Replace(" ", "", StringComparison.Ordinal))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!named.Contains("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!named.Contains("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 100;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// A transaction for an endpoint's work: its own, or the one the request already runs in (an Idempotency-Key's,
    /// <see cref="IdempotentRequests"/>), which then commits with the key's row.
    /// </summary>
    public static async Task<ServiceTransaction> BeginOrJoinTransactionAsync(this DatabaseFacade database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        return new ServiceTransaction(database.CurrentTransaction is null ? await database.BeginTransactionAsync(cancellationToken) : null);
    }

    /// <summary>
    /// The migration step: applies the service's EF Core migrations and returns the process's exit code, 0, or 1
    /// after one Critical log line (the database unreachable, a migration failing, the schema ahead of this build).
    /// Call it right after the application is built: it needs the connection string and nothing else, and starts
    /// neither the web host, nor the bus, nor a background service. Running it again applies nothing.
    /// </summary>
    public static async Task<int> RunMigrationCommandAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = Logger(app);
        try
        {
            await using var scope = app.Services.CreateAsyncScope();
            var database = scope.ServiceProvider.GetRequiredService<DbContext>().Database;
            if (await AheadOfBuildAsync(database) is { } ahead)
            {
                Refused(logger, ahead);
                return 1;
            }

            var pending = (await database.GetPendingMigrationsAsync()).ToList();
            await MigrateExclusivelyAsync(database);
            var names = Names(pending);
            MigrationsApplied(logger, pending.Count, names);
            return 0;
        }
#pragma warning disable CA1031 // Whatever failed, the step reports it in one line and fails; EF Core logged the statement.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var type = ex.GetType().Name;
            MigrationFailed(logger, type, ex.Message);
            return 1;
        }
    }

    /// <summary>
    /// Before the service starts: whether its database's schema is this build's. Migrations applied that this build
    /// does not know (a newer release migrated the database) refuse the start; pending migrations are applied when
    /// "Database:MigrateOnStartup" is true (the default; under a lock held for the whole run, so replicas may start
    /// together: <see cref="MigrateExclusivelyAsync"/>), and refuse the start when it is false (a deployment step runs <see cref="MigrateCommand"/>).
    /// Returns false after a Critical log line saying why, and the service exits with a non-zero code. A database that
    /// is away (restarting, failing over, not yet up) is waited for, as every other piece of work waits it out.
    /// </summary>
    public static async Task<bool> PrepareDatabaseAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<DbContext>().Database;
        await WaitForDatabaseAsync(database, Logger(app), app.Lifetime.ApplicationStopping);
        var refusal = await AheadOfBuildAsync(database);
        if (refusal is null && app.Configuration.GetValue("Database:MigrateOnStartup", true))
        {
            await MigrateExclusivelyAsync(database);
            return true;
        }

        refusal ??= await BehindBuildAsync(database);
        if (refusal is not null)
        {
            var logger = Logger(app);
            Refused(logger, refusal);
        }

        return refusal is null;
    }

    /// <summary>
    /// Until the database answers: a failure that passes (<see cref="DatabaseFailures.IsTransient"/>) is waited out,
    /// logged once by its type, with a growing pause up to 10 s; any other (a wrong password, no such database) is
    /// the start's to report.
    /// </summary>
    private static async Task WaitForDatabaseAsync(DatabaseFacade database, ILogger logger, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.FromSeconds(1);
        for (var waited = false; ; waited = true)
        {
            try
            {
                await database.OpenConnectionAsync(cancellationToken);
                await database.CloseConnectionAsync();
                if (waited)
                {
                    DatabaseBack(logger);
                }

                return;
            }
            catch (Exception ex) when (DatabaseFailures.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (!waited)
                {
                    WaitingForDatabase(logger, ex.GetType().Name);
                }

                await Task.Delay(pause, cancellationToken);
                pause = pause * 2 < TimeSpan.FromSeconds(10) ? pause * 2 : TimeSpan.FromSeconds(10);
            }
        }
    }

    /// <summary>
    /// Applies the pending migrations while holding a PostgreSQL advisory lock on this database for the whole run, on a
    /// connection kept open for it. EF Core's own migration lock on PostgreSQL (LOCK TABLE "__EFMigrationsHistory")
    /// lasts one transaction, and EF Core commits each migration in a transaction of its own: a second replica starting
    /// at the same moment got the lock between two migrations of the first, read a history half written, applied the
    /// rest a second time beside it ("column … already exists") and exited. Now the second waits, then finds nothing to
    /// do. A process that dies holding the lock ends its session, and the lock with it.
    /// </summary>
    private static Task MigrateExclusivelyAsync(DatabaseFacade database) =>
        database.ExclusivelyAsync(MigrationLockKey, () => database.MigrateAsync());

    /// <summary>
    /// Runs <paramref name="work"/> while this process holds the PostgreSQL advisory lock <paramref name="key"/> of this
    /// database (session-level, on a connection kept open for the whole run): one instance of a service at a time.
    /// Another instance waits for it; a process that dies holding it ends its session, and the lock with it.
    /// </summary>
    public static async Task ExclusivelyAsync(this DatabaseFacade database, long key, Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(work);
        await database.OpenConnectionAsync();
        try
        {
            await database.ExecuteSqlAsync($"SELECT pg_advisory_lock({key})");
            try
            {
                await work();
            }
            finally
            {
                await database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({key})");
            }
        }
        finally
        {
            await database.CloseConnectionAsync();
        }
    }

    /// <summary>The advisory lock's key (advisory locks are per database): "IMSAMIGR" in ASCII.</summary>
    private const long MigrationLockKey = 0x494D53414D494752;

    /// <summary>Why the service must not run against this database: migrations applied there that this build does not know.</summary>
    private static async Task<string?> AheadOfBuildAsync(DatabaseFacade database)
    {
        var known = database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        var unknown = (await database.GetAppliedMigrationsAsync()).Where(migration => !known.Contains(migration)).ToList();
        return unknown.Count == 0 ? null
            : $"The database schema is ahead of this build: {HowMany(unknown)} applied that this build does not know ({Names(unknown)}), "
                + "by a newer release; roll forward, or restore the database this release ran on.";
    }

    /// <summary>Why the service must not run against this database: migrations of this build not applied there.</summary>
    private static async Task<string?> BehindBuildAsync(DatabaseFacade database)
    {
        var pending = (await database.GetPendingMigrationsAsync()).ToList();
        return pending.Count == 0 ? null
            : $"The database schema is behind this build: {HowMany(pending)} not applied ({Names(pending)}); run the service with {MigrateCommand} first.";
    }

    private static string HowMany(List<string> migrations) => migrations.Count == 1 ? "1 migration" : $"{migrations.Count} migrations";

    private static string Names(List<string> migrations) => string.Join(", ", migrations);

    private static ILogger Logger(WebApplication app) => app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServiceDatabase));

    [LoggerMessage(Level = LogLevel.Information, Message = "The database schema matches this build: {Count} migration(s) applied ({Names})")]
    private static partial void MigrationsApplied(ILogger logger, int count, string names);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The migration failed: {ExceptionType}: {Error}")]
    private static partial void MigrationFailed(ILogger logger, string exceptionType, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database cannot be reached ({ExceptionType}); waiting for it before starting")]
    private static partial void WaitingForDatabase(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database answers again; starting")]
    private static partial void DatabaseBack(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Refusal}")]
    private static partial void Refused(ILogger logger, string refusal);

    /// <summary>
    /// Names every column not named explicitly in snake_case (<c>OwnerOrganisationId</c> → <c>owner_organisation_id</c>).
    /// Call it last in OnModelCreating.
    /// </summary>
    public static ModelBuilder UseSnakeCaseColumns(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(entity => entity.GetProperties()))
        {
            if (property.GetColumnName() == property.Name)
            {
                property.SetColumnName(JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
            }
        }

        return modelBuilder;
    }
}

/// <summary>An endpoint's transaction: committed here when it is the endpoint's own, with the request's when it joined one.</summary>
public sealed class ServiceTransaction(IDbContextTransaction? owned) : IAsyncDisposable
{
    public Task CommitAsync(CancellationToken cancellationToken) => owned?.CommitAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;
}
