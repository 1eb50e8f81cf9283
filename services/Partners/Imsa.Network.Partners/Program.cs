using Imsa.Network.Messaging.Admin;
using Imsa.Network.Messaging.Hosting;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Endpoints;
using Imsa.Network.Partners.Identity;

namespace Imsa.Network.Partners;

public partial class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddPartnersServices();

        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapAdminOperations<PartnersDbContext>();
        app.MapTokenEndpoint();
        app.MapOrganisationEndpoints();
        app.MapWebhookEndpoints();
        app.MapApiClientEndpoints();
        app.MapProfileEndpoints();
        app.MapDirectoryEndpoints();
        app.MapReferenceEndpoints();

        await app.MigrateDatabaseAsync<PartnersDbContext>();
        await app.BootstrapCoordinatorAsync();
        await app.RunAsync();
    }
}
