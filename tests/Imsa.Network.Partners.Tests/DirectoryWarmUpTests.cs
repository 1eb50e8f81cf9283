using Imsa.Network.Partners.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Partners.Tests;

/// <summary>The directory index is built as the service starts, so the first matching request does not pay for it.</summary>
public sealed class DirectoryWarmUpTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    [Fact]
    public async Task AfterStart_TheIndexIsBuilt_WithoutAnyRequestAskingForIt()
    {
        // No test in this class searches or matches: only the start can have built it.
        var catalog = service.Factory.Services.GetRequiredService<DirectoryCatalog>();

        var index = await Eventually.Until(() => Task.FromResult(catalog.Current), built => built is not null, "the index to be built at start");

        index!.Count.Should().Be(0, "a new network has no receiving services");
    }
}
