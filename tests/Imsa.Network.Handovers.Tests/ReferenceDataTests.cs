using System.Net.Http.Json;

namespace Imsa.Network.Handovers.Tests;

public sealed class ReferenceDataTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    [Fact]
    public async Task DeclineReasons_AreTheCodedReasons()
    {
        var reasons = await service.Client.GetFromJsonAsync<string[]>("/reference/decline-reasons");

        reasons.Should().Equal("no-capacity", "not-eligible", "outside-service-area", "language-not-available", "duplicate", "other");
    }
}
