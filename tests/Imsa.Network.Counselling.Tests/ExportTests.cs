using System.Net;

namespace Imsa.Network.Counselling.Tests;

/// <summary>A case's export without the Handovers service: refused whole, not given incomplete (its full content: ExportEndToEndTests).</summary>
public sealed class ExportTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Fact]
    public async Task WhileHandoversCannotBeReached_TheExportAnswers503_AndRecordsNothing()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;

        var response = await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}/export");

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).Should().NotContainAny(CaseSamples.Secrets);
        (await service.Database.CountAsync($"SELECT count(*) FROM case_exports WHERE case_id = '{caseId}'")).Should().Be(0);
    }
}
