using Imsa.Network.Handovers.Consumers;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Messaging;
using Imsa.Network.Messaging.Access;
using Imsa.Network.Messaging.Hosting;
using Microsoft.OpenApi;

namespace Imsa.Network.Handovers;

internal static class HandoversServices
{
    public static WebApplicationBuilder AddHandoversServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults("handovers", new OpenApiInfo
        {
            Title = "IMSA Network — Handovers",
            Version = "v1",
            Description = "Handover tickets from partners abroad to receiving services in Germany, and their outcomes.",
        });
        builder.AddMessaging<HandoversDbContext>("handovers", bus => bus.AddConsumer<OrganisationRegisteredConsumer>());
        builder.AddNetworkAuthentication<HandoversDbContext>();
        return builder;
    }
}
