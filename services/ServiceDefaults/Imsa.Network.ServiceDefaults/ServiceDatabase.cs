using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Imsa.Network.ServiceDefaults;

/// <summary>A service's one PostgreSQL database: its DbContext, its readiness check, its migrations.</summary>
public static class ServiceDatabase
{
    /// <summary>
    /// Registers <typeparamref name="TDbContext"/> on PostgreSQL (connection string "Database", read when services
    /// resolve, so a test host can override it), also as <see cref="DbContext"/>: a service has one database, and
    /// the shared libraries (network access, operations) take it under that name. The check "database" joins
    /// /health/ready.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TDbContext>(this IHostApplicationBuilder builder)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDbContext<TDbContext>((provider, options) =>
        {
            var connectionString = provider.GetRequiredService<IConfiguration>().GetConnectionString("Database")
                ?? throw new InvalidOperationException("The connection string 'Database' is not configured.");
            options.UseNpgsql(connectionString);
        });
        builder.Services.AddScoped<DbContext>(provider => provider.GetRequiredService<TDbContext>());
        builder.Services.AddHealthChecks().AddDbContextCheck<TDbContext>("database", tags: ["ready"]);
        return builder;
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
