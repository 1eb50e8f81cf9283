using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Messaging.Hosting;

public static class DatabaseMigration
{
    /// <summary>
    /// Applies the service's EF Core migrations before it serves requests, unless "Database:MigrateOnStartup"
    /// is false (then a deployment step runs them). EF Core takes a database lock, so replicas may start together.
    /// </summary>
    public static async Task MigrateDatabaseAsync<TDbContext>(this WebApplication app)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Configuration.GetValue("Database:MigrateOnStartup", true))
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TDbContext>().Database.MigrateAsync();
    }
}
