using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.Counselling.Tests;

public sealed class ReferenceDataTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    [Fact]
    public async Task Topics_ListEveryCodeWithGermanAndEnglishLabels()
    {
        var topics = (await service.Client.GetFromJsonAsync<JsonArray>("/reference/topics"))!;

        topics.Should().HaveCount(22);
        var recognition = topics.Single(t => (string?)t!["code"] == "REC")!;
        ((string?)recognition["german"]).Should().Be("Anerkennung von Abschlüssen");
        ((string?)recognition["english"]).Should().Be("Recognition of qualifications");
    }
}
