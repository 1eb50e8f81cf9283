using Imsa.Network.Access;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Endpoints;
using Imsa.Network.Partners.Identity;

namespace Imsa.Network.Partners;

public partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPartnersServices();

        var app = builder.Build();
        // The release's migration step (docs/operations.md#releases): before anything reads more configuration than
        // the connection string, and without starting the host.
        if (args.Contains(ServiceDatabase.MigrateCommand))
        {
            return await app.RunMigrationCommandAsync();
        }

        app.MapServiceDefaults();
        app.MapNetworkAccess();
        app.MapOperations();
        // Before the endpoints: the sign-in pages' forms carry an antiforgery token.
        app.UseAntiforgery();
        app.MapTokenEndpoint();
        app.MapAuthorizationEndpoint();
        app.MapSignInPages();
        app.MapEnrolmentPages();
        app.MapAccountPages();
        app.MapOrganisationEndpoints();
        app.MapWebhookEndpoints();
        app.MapApiClientEndpoints();
        app.MapInvitationEndpoints();
        app.MapPeopleEndpoints();
        app.MapNotificationEndpoints();
        app.MapProfileEndpoints();
        app.MapDirectoryEndpoints();
        app.MapReferenceEndpoints();

        // The schema must be this build's: migrated here (Database:MigrateOnStartup) or by the release's step.
        if (!await app.PrepareDatabaseAsync())
        {
            return 1;
        }

        await app.Services.EnsureKeyRingAsync<PartnersDbContext>(app.Services.GetRequiredService<TimeProvider>());
        await app.RunExclusivelyAsync(async () =>
        {
            await app.BootstrapCoordinatorAsync();
            await app.RegisterSignInClientsAsync();
        });
        await app.RunAsync();
        return 0;
    }
}
