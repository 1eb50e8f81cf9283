using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.Counselling.Tests;

/// <summary>
/// Every Counselling operation refuses bad input (<see cref="BadInputTests{TProgram}"/>), in encrypted fields too;
/// and where Counselling's free text and paging begin and end.
/// </summary>
public sealed class CounsellingBadInputTests(CounsellingService service)
    : BadInputTests<Program>(service), IClassFixture<CounsellingService>
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly CounsellingService _service = service;

    protected override async Task<InputScene> SetUpAsync()
    {
        var partner = await _service.RegisterAsync("origin-partner");
        var receiver = await _service.RegisterAsync("receiving-service");
        var coordinator = new Organisation(Guid.NewGuid(), "coordinator");
        var caseId = (string)(await _service.OpenCaseAsync(partner))["id"]!;

        return new InputScene(
            new Dictionary<string, string> { ["id"] = caseId, ["caseId"] = caseId },
            new Dictionary<string, string> { ["partner"] = partner.Token, ["coordinator"] = coordinator.Token, [""] = partner.Token },
            new Dictionary<string, JsonNode>
            {
                ["POST /cases"] = Node(CaseSamples.Content()),
                ["PUT /cases/{id}"] = Node(CaseSamples.Content()),
                ["POST /cases/{id}/sessions"] = Node(CaseSamples.Session()),
                ["POST /cases/{caseId}/consents"] = Node(CaseSamples.Consent(receiver.Id)),
            });
    }

    [Fact]
    public async Task Notes_AndOtherFreeText_KeepLineBreaksAndTabs_WhileNamesAreOneLine()
    {
        var partner = await _service.RegisterAsync("origin-partner");
        var caseId = (string)(await _service.OpenCaseAsync(partner))["id"]!;

        var session = await _service.SendAsync(partner, HttpMethod.Post, $"/cases/{caseId}/sessions",
            new { heldOn = "2026-11-20", format = "video", notes = "Visa appointment:\n\t- bring the contract\r\n\t- bring photos" });

        session.StatusCode.Should().Be(HttpStatusCode.Created, await session.Content.ReadAsStringAsync());
        ((string?)(await session.Content.ReadFromJsonAsync<JsonObject>())!["notes"]).Should().Be("Visa appointment:\n\t- bring the contract\r\n\t- bring photos");

        var content = Node(CaseSamples.Content());
        content["identity"]!["givenNames"] = "Zainab\tLeakcheck";
        content["contact"]!["addressAbroad"] = "12 Rue Example\nCasablanca";
        var update = await _service.SendAsync(partner, HttpMethod.Put, $"/cases/{caseId}", content);

        update.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await update.ReadProblemAsync()).ErrorFields().Should().Equal("identity.givenNames");
    }

    [Fact]
    public async Task ListCases_OnAPageThatWouldOverflow_Returns422NamingThePage()
    {
        var partner = await _service.RegisterAsync("origin-partner");

        var response = await _service.SendAsync(partner, HttpMethod.Get, "/cases?page=2147483647");

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ReadProblemAsync()).ErrorFields().Should().Equal("page");
        (await _service.SendAsync(partner, HttpMethod.Get, "/cases?page=100000")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RecordConsent_ValidUntilTheYear9999_Returns400NamingValidUntil_AndRecordsNothing()
    {
        var partner = await _service.RegisterAsync("origin-partner");
        var receiver = await _service.RegisterAsync("receiving-service");
        var caseId = (string)(await _service.OpenCaseAsync(partner))["id"]!;
        var consent = Node(CaseSamples.Consent(receiver.Id));
        consent["validFrom"] = "9999-12-30T00:00:00+00:00";
        consent["validUntil"] = "9999-12-31T00:00:00+00:00";

        var response = await _service.SendAsync(partner, HttpMethod.Post, $"/cases/{caseId}/consents", consent);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ReadProblemAsync()).ErrorFields().Should().ContainSingle().Which.Should().BeOneOf("validFrom", "validUntil");
        (await _service.Database.CountAsync($"SELECT count(*) FROM consents WHERE case_id = '{caseId}'")).Should().Be(0);
    }

    private static JsonNode Node(object value) => JsonSerializer.SerializeToNode(value, Web)!;
}
