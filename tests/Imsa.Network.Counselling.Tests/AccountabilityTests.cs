using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Handovers;

namespace Imsa.Network.Counselling.Tests;

/// <summary>Who of an organisation did what: the disclosure log, consents and the activity record name the acting person.</summary>
public sealed class AccountabilityTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    private async Task<(Organisation Owner, Organisation Receiver, string CaseId)> AcceptedHandoverAsync()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id));
        var handoverId = Guid.NewGuid();
        await service.PublishAsync(new HandoverAccepted(handoverId, Guid.Parse(caseId), owner.Id, receiver.Id, 3, DateTimeOffset.UtcNow));
        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM case_handovers WHERE handover_id = '{handoverId}' AND status = 'accepted'"),
            1,
            "the handover to be accepted");
        return (owner, receiver, caseId);
    }

    private async Task<JsonNode> ReadAsync(string token, HttpMethod method, string uri, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await service.Client.SendAsAsync(token, method, uri, body);
        response.StatusCode.Should().Be(expected, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    [Fact]
    public async Task DossierRead_ByAPerson_LogsThePerson_AndTheOriginSeesTheOrganisationAndAStablePseudonymousReference()
    {
        var (owner, receiver, caseId) = await AcceptedHandoverAsync();
        var reader = Guid.NewGuid();
        var colleague = Guid.NewGuid();
        var readerToken = TestIdentity.MintPersonToken(receiver.Id, reader, "receiving-service");
        var colleagueToken = TestIdentity.MintPersonToken(receiver.Id, colleague, "receiving-service");

        await ReadAsync(readerToken, HttpMethod.Get, $"/cases/{caseId}/dossier");
        await ReadAsync(readerToken, HttpMethod.Get, $"/cases/{caseId}/dossier");
        await ReadAsync(colleagueToken, HttpMethod.Get, $"/cases/{caseId}/dossier");
        await ReadAsync(receiver.Token, HttpMethod.Get, $"/cases/{caseId}/dossier");

        (await service.Database.CountAsync(
            $"SELECT count(*) FROM disclosures WHERE case_id = '{caseId}' AND reader_person_id = '{reader}' AND reader_client_id = 'imsa-web'"))
            .Should().Be(2, "each of the person's reads is logged with the person and the application they used");
        (await service.Database.CountAsync(
            $"SELECT count(*) FROM disclosures WHERE case_id = '{caseId}' AND reader_person_id IS NULL AND reader_client_id = 'imsa-test-client'"))
            .Should().Be(1, "the API client's read names the client and no person");

        var response = await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}/disclosures");
        var body = await response.Content.ReadAsStringAsync();
        body.Should().NotContain(reader.ToString()).And.NotContain(colleague.ToString());
        var disclosures = JsonNode.Parse(body)!.AsArray().Reverse().ToList();
        disclosures.Select(d => (string?)d!["organisationId"]).Should().AllBe(receiver.Id.ToString());
        var references = disclosures.Select(d => (string?)d!["readerReference"]).ToList();
        references[0].Should().StartWith("reader-").And.Be(references[1], "the same reader always gets the same reference");
        references[2].Should().StartWith("reader-").And.NotBe(references[0], "another reader gets another reference");
        references[3].Should().BeNull("an API client is no person");
    }

    [Fact]
    public async Task AWrite_ThroughAPerson_IsRecordedWithThePerson_AndThroughAnApiClient_WithTheClientAndNoPerson()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var counsellor = Guid.NewGuid();
        var counsellorToken = TestIdentity.MintPersonToken(owner.Id, counsellor);
        var adminToken = TestIdentity.MintPersonToken(owner.Id, Guid.NewGuid(), personRole: "organisation-admin");

        var byPerson = (string)(await ReadAsync(counsellorToken, HttpMethod.Post, "/cases", CaseSamples.Content(), HttpStatusCode.Created))["id"]!;
        var byClient = (string)(await service.OpenCaseAsync(owner))["id"]!;

        var activity = await ReadAsync(adminToken, HttpMethod.Get, "/activity");
        ((int)activity["total"]!).Should().Be(2);
        var items = activity["items"]!.AsArray();
        var clientEntry = items[0]!;
        ((string?)clientEntry["personId"]).Should().BeNull();
        ((string?)clientEntry["clientId"]).Should().Be("imsa-test-client");
        clientEntry["changes"]!.AsArray().Select(c => (string?)c).Should().Contain($"Case:{byClient}");
        var personEntry = items[1]!;
        ((string?)personEntry["personId"]).Should().Be(counsellor.ToString());
        ((string?)personEntry["clientId"]).Should().Be("imsa-web");
        ((string?)personEntry["endpoint"]).Should().Be("POST /cases");
        personEntry["changes"]!.AsArray().Select(c => (string?)c).Should().Contain($"Case:{byPerson}").And.Contain($"CaseKey:{byPerson}");
        personEntry.ToJsonString().Should().NotContain(CaseSamples.FamilyName, "the activity names entities, never their content");

        var consent = await ReadAsync(
            counsellorToken, HttpMethod.Post, $"/cases/{byPerson}/consents", CaseSamples.Consent((await service.RegisterAsync("receiving-service")).Id),
            HttpStatusCode.Created);
        ((string?)consent["consent"]!["recordedByPersonId"]).Should().Be(counsellor.ToString());
        var mine = await ReadAsync(adminToken, HttpMethod.Get, $"/activity?personId={counsellor}");
        mine["items"]!.AsArray().Select(i => (string?)i!["endpoint"]).Should().Equal("POST /cases/{caseId:guid}/consents", "POST /cases");
        (await service.Database.CountAsync($"SELECT count(*) FROM admin.activity WHERE person_id = '{counsellor}'")).Should().Be(2);
    }

    [Fact]
    public async Task Activity_OfAnotherOrganisation_IsNotShown()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var counsellor = Guid.NewGuid();
        await ReadAsync(TestIdentity.MintPersonToken(owner.Id, counsellor), HttpMethod.Post, "/cases", CaseSamples.Content(), HttpStatusCode.Created);
        (await ReadAsync(owner.Token, HttpMethod.Get, "/activity"))["items"]!.AsArray().Should().ContainSingle();

        var other = await service.RegisterAsync("origin-partner");
        var otherAdmin = TestIdentity.MintPersonToken(other.Id, Guid.NewGuid(), personRole: "organisation-admin");
        var seen = await ReadAsync(otherAdmin, HttpMethod.Get, "/activity");
        ((int)seen["total"]!).Should().Be(0);
        seen["items"]!.AsArray().Should().BeEmpty();
        var filtered = await ReadAsync(otherAdmin, HttpMethod.Get, $"/activity?personId={counsellor}");
        filtered["items"]!.AsArray().Should().BeEmpty("another organisation's person is not found by id either");
    }
}
