using Imsa.Network.Access;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Handovers.Endpoints;

namespace Imsa.Network.Handovers;

public partial class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddHandoversServices();

        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapNetworkAccess();
        app.MapOperations();
        app.MapReferenceEndpoints();
        // Handover work is a counsellor's: a person needs that role (API clients act for the whole organisation).
        app.MapGroup("").RequireAuthorization(PersonPolicies.CaseWork).MapHandoverEndpoints();
        app.MapAdminHandoverEndpoints();

        await app.MigrateDatabaseAsync();
        await app.RunAsync();
    }
}
