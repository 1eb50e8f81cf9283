using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Partners;

namespace Imsa.Network.Handovers.Tests;

public sealed class StatisticsTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task Statistics_MatchHandComputedFigures_WithSmallCountsSuppressed()
    {
        var coordinator = await service.OrganisationAsync("coordinator");
        var morocco = await service.OrganisationAsync("origin-partner");
        var tunisia = new Organisation(Guid.NewGuid(), "transit-partner");
        await service.PublishAsync(new OrganisationRegistered(tunisia.Id, "transit-partner", "TN", "pending-verification", DateTimeOffset.UtcNow));
        await service.PublishAsync(new OrganisationVerified(tunisia.Id, 1, DateTimeOffset.UtcNow));
        var jmd = await service.OrganisationAsync("receiving-service");
        var mbe = await service.OrganisationAsync("receiving-service");
        await service.PublishAsync(Profile(jmd, "JMD"));
        await service.PublishAsync(Profile(mbe, "MBE"));
        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM known_organisations WHERE id IN ('{jmd.Id}', '{mbe.Id}', '{tunisia.Id}') AND (cardinality(service_types) > 0 OR country = 'TN')"),
            3, "profiles and the Tunisian partner");
        await Eventually.UntilCount(() => service.Database.CountAsync($"SELECT count(*) FROM access.organisation_access WHERE organisation_id = '{tunisia.Id}'"), 1, "TN active");

        // Morocco: 6 to the JMD (5 accepted with first contact, 1 declined no-capacity), 1 to the MBE left offered.
        for (var i = 0; i < 7; i++)
        {
            var caseId = await service.CaseAsync(morocco, "vocational-training", "DE-RP");
            var receiver = i < 6 ? jmd : mbe;
            await service.ConsentAsync(caseId, morocco, receiver);
            var id = (string)(await service.RequestAsync(morocco, caseId, receiver))["id"]!;
            if (i < 5)
            {
                (await service.SendAsync(jmd, HttpMethod.Post, $"/handovers/{id}/accept")).EnsureSuccessStatusCode();
                (await service.SendAsync(jmd, HttpMethod.Post, $"/handovers/{id}/outcomes", new { outcome = "first-contact-made" })).EnsureSuccessStatusCode();
            }
            else if (i == 5)
            {
                (await service.SendAsync(jmd, HttpMethod.Post, $"/handovers/{id}/decline", new { reason = "no-capacity" })).EnsureSuccessStatusCode();
            }
        }

        // Tunisia: 2 to the MBE, one declined outside-service-area, one left offered.
        for (var i = 0; i < 2; i++)
        {
            var caseId = await service.CaseAsync(tunisia, "study", "DE-BE");
            await service.ConsentAsync(caseId, tunisia, mbe);
            var id = (string)(await service.RequestAsync(tunisia, caseId, mbe))["id"]!;
            if (i == 0)
            {
                (await service.SendAsync(mbe, HttpMethod.Post, $"/handovers/{id}/decline", new { reason = "outside-service-area" })).EnsureSuccessStatusCode();
            }
        }

        var response = await service.SendAsync(coordinator, HttpMethod.Get, "/admin/statistics");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var stats = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)stats["handovers"]).Should().Be("9");
        // MA is 7, but 9 − 7 would give TN's 2 away: hidden too ("*").
        Cells(stats, "byOriginCountry").Should().Equal(("MA", "*"), ("TN", "<5"));
        Cells(stats, "byDestinationState").Should().Equal(("DE-BE", "<5"), ("DE-RP", "*"));
        Cells(stats, "byServiceType").Should().Equal(("JMD", "*"), ("MBE", "<5"));
        Cells(stats, "byPurpose").Should().Equal(("study", "<5"), ("vocational-training", "*"));
        Cells(stats, "byMonth").Should().Equal((DateTimeOffset.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), "9"));
        Cells(stats, "declineReasons").Should().Equal(("no-capacity", "<5"), ("outside-service-area", "<5"));
        var answers = stats["answers"]!;
        ((string?)answers["answered"]).Should().Be("7");
        ((string?)answers["accepted"]).Should().Be("*", "7 answered − 5 accepted would give the 2 declines away");
        ((string?)answers["declined"]).Should().Be("<5");
        answers["acceptanceRate"].Should().BeNull("with 2 declines it would give them away");
        stats["medianHoursToAnswer"]!.GetValue<double>().Should().BeLessThan(1);
        stats["medianDaysToFirstContact"]!.GetValue<double>().Should().Be(0);
        ((string?)stats["open"]).Should().Be("7");
        ((string?)stats["escalated"]).Should().Be("0");
        ((string?)stats["stale"]).Should().Be("0");

        var csv = await (await service.SendAsync(coordinator, HttpMethod.Get, "/admin/statistics/csv")).Content.ReadAsStringAsync();
        csv.Split('\n').Should().Contain(["dimension,key,value", "handovers,all,9", "origin-country,TN,<5", "service-type,JMD,*", "answers,answered,7", "answers,accepted,*"]);
        (await service.SendAsync(morocco, HttpMethod.Get, "/admin/statistics")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    private static OrganisationUpdated Profile(Organisation organisation, string serviceType) =>
        new(organisation.Id, ["de"], ["EDU"], [serviceType], ["DE-RP"], [], [], null, null, [], [], DateTimeOffset.UtcNow);

    private static List<(string?, string?)> Cells(JsonObject stats, string breakdown) =>
        stats[breakdown]!.AsArray().Select(c => ((string?)c!["key"], (string?)c["handovers"])).ToList();
}
