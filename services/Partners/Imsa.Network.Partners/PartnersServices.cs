using Imsa.Network.Messaging;
using Imsa.Network.Messaging.Hosting;
using Imsa.Network.Partners.Data;
using Microsoft.OpenApi;

namespace Imsa.Network.Partners;

internal static class PartnersServices
{
    public static WebApplicationBuilder AddPartnersServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults("partners", new OpenApiInfo
        {
            Title = "IMSA Network — Partners",
            Version = "v1",
            Description = "The registry of partner organisations abroad, receiving services in Germany and coordinators.",
        });
        builder.AddMessaging<PartnersDbContext>("partners");
        return builder;
    }
}
