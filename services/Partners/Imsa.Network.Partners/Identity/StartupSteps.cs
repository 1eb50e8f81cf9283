using Imsa.Network.Partners.Data;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Partners.Identity;

/// <summary>
/// Partners' writing start-up steps (the bootstrap coordinator, the sign-in clients) check before they create, so two
/// instances starting together on a fresh database both found nothing and both created: the second failed on the
/// organisations' unique name and exited. They run one instance at a time, under a PostgreSQL advisory lock held on a
/// connection of its own for the whole run; the next instance finds what the first made.
/// </summary>
internal static class StartupSteps
{
    /// <summary>The advisory lock's key (per database): "IMSASTRT" in ASCII.</summary>
    private const long LockKey = 0x494D534153545254;

    public static async Task RunExclusivelyAsync(this WebApplication app, Func<Task> steps)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PartnersDbContext>().Database.ExclusivelyAsync(LockKey, steps);
    }
}
