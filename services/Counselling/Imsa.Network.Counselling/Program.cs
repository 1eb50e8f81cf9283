using Imsa.Network.Messaging.Admin;
using Imsa.Network.Messaging.Hosting;
using Imsa.Network.Counselling.Data;
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
        app.MapAdminOperations<CounsellingDbContext>();
        app.UseRateLimiter();
        app.MapReferenceEndpoints();
        app.MapCaseEndpoints();
        app.MapConsentEndpoints();
        app.MapDossierEndpoints();

        await app.MigrateDatabaseAsync<CounsellingDbContext>();
        await app.RunAsync();
    }
}
