using Imsa.Network.Access;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Counselling.Domain.ConsentTexts;
using Imsa.Network.Counselling.Endpoints;
using Imsa.Network.Counselling.Export;

namespace Imsa.Network.Counselling;

public partial class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddCounsellingServices();

        var app = builder.Build();
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

        await app.MigrateDatabaseAsync();
        await app.SeedConsentTextsAsync();
        await app.RunAsync();
    }
}
