using Imsa.Network.Counselling.Consumers;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Messaging;
using Imsa.Network.Messaging.Access;
using Imsa.Network.Messaging.Hosting;
using Microsoft.OpenApi;

namespace Imsa.Network.Counselling;

internal static class CounsellingServices
{
    public static WebApplicationBuilder AddCounsellingServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults("counselling", new OpenApiInfo
        {
            Title = "IMSA Network — Counselling",
            Version = "v1",
            Description = "Pre-integration case records, consent and the consent-checked dossier.",
        });
        builder.AddMessaging<CounsellingDbContext>("counselling", bus => bus.AddConsumer<OrganisationRegisteredConsumer>());
        builder.AddNetworkAuthentication<CounsellingDbContext>();
        return builder;
    }
}
