using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Contracts.Handovers;

namespace Imsa.Network.Counselling.Tests;

/// <summary>Restriction of processing (GDPR Art. 18): the data is kept, the dossier is refused, until it is lifted.</summary>
public sealed class RestrictionTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Fact]
    public async Task Restrict_RefusesTheDossier_KeepsTheData_AndLiftingRestoresIt_WithCodesOnlyEvents()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(CaseRestricted), typeof(CaseRestrictionLifted));
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id, ["identity", "contact"]));
        var handoverId = Guid.NewGuid();
        await service.PublishAsync(new HandoverAccepted(handoverId, Guid.Parse(caseId), owner.Id, receiver.Id, 3, DateTimeOffset.UtcNow));
        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM case_handovers WHERE handover_id = '{handoverId}' AND status = 'accepted'"),
            1,
            "the accepted handover to arrive");
        (await service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.OK);

        var restricted = await service.SendAsync(owner, HttpMethod.Put, $"/cases/{caseId}/restriction", new { reason = "accuracy-contested" });

        restricted.StatusCode.Should().Be(HttpStatusCode.OK);
        var answer = (await restricted.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)answer["restriction"]!["reason"]).Should().Be("accuracy-contested");
        var refused = await service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier");
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync()).Should().NotContainAny(CaseSamples.Secrets).And.Contain("restricted");
        var read = (await (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)read["identity"]!["familyName"]).Should().Be(CaseSamples.FamilyName, "a restricted case keeps its data");
        (await service.SendAsync(owner, HttpMethod.Put, $"/cases/{caseId}", CaseSamples.Content())).StatusCode
            .Should().Be(HttpStatusCode.OK, "correcting the data is what a contested accuracy asks for");
        var again = await service.SendAsync(owner, HttpMethod.Put, $"/cases/{caseId}/restriction", new { reason = "accuracy-contested" });
        // (The database keeps microseconds: the first answer's value had a tenth of one more.)
        (await again.Content.ReadFromJsonAsync<JsonObject>())!["restriction"]!["since"]!.GetValue<DateTimeOffset>()
            .Should().BeCloseTo(answer["restriction"]!["since"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMicroseconds(1), "asked again, the restriction keeps its date");

        var lifted = await service.SendAsync(owner, HttpMethod.Delete, $"/cases/{caseId}/restriction");

        lifted.StatusCode.Should().Be(HttpStatusCode.OK);
        (await lifted.Content.ReadFromJsonAsync<JsonObject>())!["restriction"].Should().BeNull();
        (await service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await service.SendAsync(owner, HttpMethod.Delete, $"/cases/{caseId}/restriction")).StatusCode.Should().Be(HttpStatusCode.OK);

        var announced = await tap.WaitForAsync<CaseRestricted>(m => (string?)m["caseId"] == caseId);
        ((string?)announced["reason"]).Should().Be("accuracy-contested");
        await tap.WaitForAsync<CaseRestrictionLifted>(m => (string?)m["caseId"] == caseId);
        await tap.DrainAsync();
        var ofTheCase = tap.Received.Where(r => r.Body.Contains(caseId, StringComparison.Ordinal)).ToList();
        ofTheCase.Should().HaveCount(2, "restricting twice and lifting twice announce each once");
        ofTheCase.Select(r => r.Body).Should().AllSatisfy(body => body.Should().NotContainAny(CaseSamples.Secrets));
    }

    [Fact]
    public async Task Restrict_WithAnUnknownReason_Is422_SomeoneElsesCase_404_AndNothingChanges()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var other = await service.RegisterAsync("origin-partner");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;

        var unknown = await service.SendAsync(owner, HttpMethod.Put, $"/cases/{caseId}/restriction", new { reason = "because" });
        var foreign = await service.SendAsync(other, HttpMethod.Put, $"/cases/{caseId}/restriction", new { reason = "legal-claims" });
        var foreignLift = await service.SendAsync(other, HttpMethod.Delete, $"/cases/{caseId}/restriction");

        unknown.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await unknown.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["reason"].Should().NotBeNull();
        foreign.StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreignLift.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await service.Database.CountAsync($"SELECT count(*) FROM cases WHERE id = '{caseId}' AND restricted_at IS NOT NULL"))
            .Should().Be(0);
    }
}
