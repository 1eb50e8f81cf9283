using Imsa.Network.Access;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
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
        app.MapProfileEndpoints();
        app.MapDirectoryEndpoints();
        app.MapReferenceEndpoints();

        await app.MigrateDatabaseAsync();
        await app.BootstrapCoordinatorAsync();
        await app.RegisterSignInClientsAsync();
        await app.RunAsync();
    }
}
