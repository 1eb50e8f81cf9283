using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.Counselling.Tests;

public sealed class OpenApiDocumentTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    [Fact]
    public async Task Document_SaysWhichDataCategoryEachPartOfTheDossierBelongsTo()
    {
        var document = (await service.Client.GetFromJsonAsync<JsonObject>("/swagger/v1/swagger.json"))!;
        var schemas = document["components"]!["schemas"]!;

        var dossier = schemas["DossierResponse"]!;
        ((string?)dossier["x-data-categories"]!["identity"]).Should().Be("identity");
        ((string?)dossier["x-data-categories"]!["specialCategories"]).Should().Be("special-categories");
        ((string?)schemas["PersonIdentity"]!["x-data-category"]).Should().Be("identity");
        ((string?)schemas["RiskFlag"]!["x-data-category"]).Should().Be("special-categories");
        ((string?)schemas["SessionResponse"]!["x-data-category"]).Should().Be("counselling-history");
        ((string?)schemas["CaseContent"]!["example"]!["identity"]!["givenNames"]).Should().Be("Amina");

        var paths = document["paths"]!;
        paths["/cases/{caseId}/dossier"]!["get"]!["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["200", "401", "403", "404"]);
        paths["/cases"]!["post"]!["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["201", "401", "403", "422"]);
        paths["/consent-withdrawals"]!["post"]!["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["200", "404", "429"]).And.NotContain("401");
    }
}
