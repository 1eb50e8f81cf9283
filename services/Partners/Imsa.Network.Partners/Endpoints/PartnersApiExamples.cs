using Imsa.Network.ServiceDefaults;
using Imsa.Network.Partners.Identity;

namespace Imsa.Network.Partners.Endpoints;

/// <summary>The example bodies the Swagger document shows for the Partners API.</summary>
internal static class PartnersApiExamples
{
    public static void Add(ApiExamples examples) => examples
        .Add(new RegisterOrganisationRequest("Jugendmigrationsdienst Mainz", "DE", "receiving-service", "VR 40123 Mainz"))
        .Add(new CreateApiClientRequest("case system production"))
        .Add(new ClientCredentials("imsa-3f9c2a71d04be85c6a21", "shown-once-3q2X8mZ0pV7kLr1tYb9wHc4N"))
        .Add(new UpdateProfileRequest(
            new AddressRequest("Kaiserstraße 1", "55116", "Mainz", "DE"),
            [new ContactRequest("intake", "jmd-mainz@example.org", "+49 6131 000000")],
            ["de", "ar", "fr"],
            ["EDU", "LANG", "REC", "WORK"],
            new ReceivingServiceRequest(
                ["JMD"],
                new ServiceAreaRequest(null, ["07315"], null),
                new EligibilityRequest(12, 26, null, null),
                new CapacityRequest(true, 20, null, null))))
        .Add(new CreateWebhookRequest("https://cases.example.org/imsa/webhook", ["handover.offered", "consent.withdrawn"]))
        .Add(new MatchRequest("55116", 19, "vocational-training", null, ["ar"], ["REC"], ExplainExclusions: true));
}
