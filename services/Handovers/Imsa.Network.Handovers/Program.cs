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
        app.MapReferenceEndpoints();
        app.MapHandoverEndpoints();

        await app.MigrateDatabaseAsync<HandoversDbContext>();
        await app.RunAsync();
    }
}
