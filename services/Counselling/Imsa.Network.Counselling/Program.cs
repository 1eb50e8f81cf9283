using Imsa.Network.Access;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Counselling.Endpoints;

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
        app.MapCaseEndpoints();
        app.MapConsentEndpoints();
        app.MapDossierEndpoints();

        await app.MigrateDatabaseAsync();
        await app.RunAsync();
    }
}
