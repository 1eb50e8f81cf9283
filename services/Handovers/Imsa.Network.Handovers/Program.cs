using Imsa.Network.Access;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Handovers.Endpoints;

namespace Imsa.Network.Handovers;

public partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddHandoversServices();

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
        app.MapReferenceEndpoints();
        // Handover work is a counsellor's: a person needs that role (API clients act for the whole organisation).
        app.MapGroup("").RequireAuthorization(PersonPolicies.CaseWork).MapHandoverEndpoints();
        app.MapAdminHandoverEndpoints();

        // The schema must be this build's: migrated here (Database:MigrateOnStartup) or by the release's step.
        if (!await app.PrepareDatabaseAsync())
        {
            return 1;
        }

        await app.RunAsync();
        return 0;
    }
}
