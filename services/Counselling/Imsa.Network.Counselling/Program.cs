using Imsa.Network.Access;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Counselling.Domain.ConsentTexts;
using Imsa.Network.Counselling.Endpoints;
using Imsa.Network.Counselling.Export;

namespace Imsa.Network.Counselling;

public partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddCounsellingServices();

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
        app.MapConsentTextEndpoints();
        app.MapProcessingRecordEndpoints();
        // Counselling work is a counsellor's: a person needs that role (API clients act for the whole organisation).
        var caseWork = app.MapGroup("").RequireAuthorization(PersonPolicies.CaseWork);
        caseWork.MapCaseEndpoints();
        caseWork.MapRestrictionEndpoints();
        caseWork.MapConsentEndpoints();
        caseWork.MapDossierEndpoints();
        caseWork.MapExportEndpoints();

        // The schema must be this build's: migrated here (Database:MigrateOnStartup) or by the release's step.
        if (!await app.PrepareDatabaseAsync())
        {
            return 1;
        }

        await app.SeedConsentTextsAsync();
        await app.RunAsync();
        return 0;
    }
}
