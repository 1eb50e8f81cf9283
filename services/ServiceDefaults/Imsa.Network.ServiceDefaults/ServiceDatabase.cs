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
using Npgsql;

namespace Imsa.Network.ServiceDefaults;

/// <summary>A service's one PostgreSQL database: its DbContext, its readiness check, its migrations.</summary>
public static class ServiceDatabase
{
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
    /// Applies the service's EF Core migrations before it serves requests, unless "Database:MigrateOnStartup"
    /// is false (then a deployment step runs them). EF Core takes a database lock, so replicas may start together.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Configuration.GetValue("Database:MigrateOnStartup", true))
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DbContext>().Database.MigrateAsync();
    }

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
