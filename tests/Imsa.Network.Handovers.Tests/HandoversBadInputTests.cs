using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.Handovers.Tests;

/// <summary>
/// Every Handovers operation refuses bad input (<see cref="BadInputTests{TProgram}"/>); and the inbox's month filter and
/// the free text of a handover.
/// </summary>
public sealed class HandoversBadInputTests(HandoversService service)
    : BadInputTests<Program>(service), IClassFixture<HandoversService>
{
    private readonly HandoversService _service = service;

    protected override async Task<InputScene> SetUpAsync()
    {
        var scene = await Scene.SetUpAsync(_service);
        var other = await _service.OrganisationAsync("receiving-service");
        var coordinator = new Organisation(Guid.NewGuid(), "coordinator");
        var handover = (string)(await _service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;

        return new InputScene(
            new Dictionary<string, string> { ["id"] = handover },
            new Dictionary<string, string>
            {
                ["partner"] = scene.Origin.Token,
                ["receiving-service"] = scene.Receiver.Token,
                ["coordinator"] = coordinator.Token,
                [""] = scene.Origin.Token,
            },
            new Dictionary<string, JsonNode>
            {
                ["POST /handovers"] = new JsonObject
                {
                    ["caseId"] = scene.CaseId,
                    ["receiverOrganisationId"] = other.Id,
                    ["topics"] = new JsonArray("EDU"),
                    ["plannedArrival"] = TestDates.ArrivalText,
                    ["message"] = "Starts an apprenticeship in April.",
                },
                ["POST /admin/handovers/{id}/reassign"] = new JsonObject { ["receiverOrganisationId"] = other.Id, ["reason"] = "no answer" },
            });
    }

    [Fact]
    public async Task Inbox_ForAMonthAtTheEdgeOfTheCalendar_Returns422NamingIt()
    {
        var receiver = await _service.OrganisationAsync("receiving-service");

        foreach (var month in new[] { "9999-12", "0001-01" })
        {
            var response = await _service.SendAsync(receiver, HttpMethod.Get, $"/handovers/inbox?arrivalMonth={month}");

            response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, month);
            (await response.ReadProblemAsync()).ErrorFields().Should().Equal("arrivalMonth");
        }

        (await _service.SendAsync(receiver, HttpMethod.Get, "/handovers/inbox?arrivalMonth=2199-12")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheMessageAndADeclineNote_KeepLineBreaks_ButNoOtherControlCharacter()
    {
        var scene = await Scene.SetUpAsync(_service);
        var body = new JsonObject
        {
            ["caseId"] = scene.CaseId,
            ["receiverOrganisationId"] = scene.Receiver.Id,
            ["message"] = "Starts in April.\nThe dossier has the details.\u0007",
        };

        var refused = await _service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers", body);

        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await refused.ReadProblemAsync()).ErrorFields().Should().Equal("message");
        (await _service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE case_id = '{scene.CaseId}'")).Should().Be(0);

        body["message"] = "Starts in April.\nThe dossier has the details.";
        var requested = await _service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers", body);
        requested.StatusCode.Should().Be(HttpStatusCode.Created, await requested.Content.ReadAsStringAsync());
        var handover = (await requested.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)handover["message"]).Should().Be("Starts in April.\nThe dossier has the details.");

        var declined = await _service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{handover["id"]}/decline",
            new { reason = "other", note = "No counsellor for this\r\nuntil June." });
        declined.StatusCode.Should().Be(HttpStatusCode.OK, await declined.Content.ReadAsStringAsync());
        ((string?)(await declined.Content.ReadFromJsonAsync<JsonObject>())!["declineNote"]).Should().Be("No counsellor for this\r\nuntil June.");
    }
}
