using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.Partners.Tests;

public sealed class OpenApiDocumentTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    [Fact]
    public async Task Document_OffersTheTokenEndpointAndBearerScheme_ExampleBodies_AndTheProblemsEachEndpointCanReturn()
    {
        var document = (await service.Client.GetFromJsonAsync<JsonObject>("/swagger/v1/swagger.json"))!;

        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        ((string?)schemes["oauth2"]!["flows"]!["clientCredentials"]!["tokenUrl"]).Should().Be("http://partners.test/connect/token");
        ((string?)schemes["bearer"]!["scheme"]).Should().Be("bearer");

        var register = document["paths"]!["/organisations"]!["post"]!;
        register["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["201", "401", "403", "409", "422"]);
        ((string?)document["components"]!["schemas"]!["RegisterOrganisationRequest"]!["example"]!["kind"]).Should().Be("receiving-service");

        var matches = document["paths"]!["/directory/matches"]!["post"]!;
        matches["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["200", "401", "422"]).And.NotContain("403");
        document["paths"]!["/reference/service-types"]!["get"]!["responses"]!.AsObject().Select(r => r.Key).Should().NotContain("401");
    }
}
