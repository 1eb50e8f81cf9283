using Imsa.Network.Messaging.Admin;
using Imsa.Network.Messaging.Hosting;
using Imsa.Network.Handovers.Data;
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
        app.MapAdminOperations<HandoversDbContext>();
        app.MapReferenceEndpoints();
        app.MapHandoverEndpoints();
        app.MapAdminHandoverEndpoints();

        await app.MigrateDatabaseAsync<HandoversDbContext>();
        await app.RunAsync();
    }
}
