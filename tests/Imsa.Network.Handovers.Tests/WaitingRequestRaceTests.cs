using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;

namespace Imsa.Network.Handovers.Tests;

/// <summary>
/// A request and the arrival of its case and consent at the same moment: whichever commits first, the request ends
/// offered by the arrival, not left waiting for the SLA job (switched off here: its interval is an hour).
/// </summary>
public sealed class WaitingRequestRaceTests(WaitingRequestRaceTests.NoSweepService service) : IClassFixture<WaitingRequestRaceTests.NoSweepService>
{
    public sealed class NoSweepService : HandoversService
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Handovers:Sla:Interval"] = "01:00:00",
        };
    }

    [Fact]
    public async Task RequestsCrossingTheirCaseAndConsent_AreAllOffered_ByTheArrival()
    {
        var origin = await service.OrganisationAsync("origin-partner");
        var receiver = await service.OrganisationAsync("receiving-service");
        // The job's first pass runs at start; from then on only arrivals decide.
        var cases = Enumerable.Range(0, 24).Select(_ => Guid.NewGuid()).ToList();

        var requests = cases.Select(async (caseId, i) =>
        {
            var now = service.Time.GetUtcNow();
            var arrival = Task.Run(async () =>
            {
                await service.PublishAsync(new CaseOpened(caseId, origin.Id, "vocational-training", "DE-RP", null, TestDates.Arrival, DateTimeOffset.UtcNow));
                await service.PublishAsync(new ConsentGranted(
                    Guid.NewGuid(), caseId, origin.Id, [receiver.Id], ["identity"], "continuation-of-counselling", now.AddMinutes(-1), now.AddYears(1), now));
            });
            // Spread over the arrivals' time: some requests come before, some during, some after.
            await Task.Delay(i % 6 * 15);
            var response = await service.SendAsync(origin, HttpMethod.Post, "/handovers", new { caseId, receiverOrganisationId = receiver.Id });
            await arrival;
            response.StatusCode.Should().Be(HttpStatusCode.Created);
            return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        }).ToList();
        var ids = await Task.WhenAll(requests);

        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE status = 'Offered' AND id IN ({string.Join(", ", ids.Select(id => $"'{id}'"))})"),
            ids.Length,
            "every request to be offered by its arrival");
    }
}
