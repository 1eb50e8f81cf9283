using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Imsa.Network.Counselling.Tests;

/// <summary>Answers kept for a repeated write hold personal data: they are sealed under the case's key, and erased with it.</summary>
public sealed class IdempotencyTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Fact]
    public async Task OpeningACaseTwiceUnderOneKey_OpensOneCase_TheKeptAnswerIsSealed_AndAfterErasureARepeatIs410()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var key = Guid.NewGuid().ToString();

        var first = await service.SendAsync(owner, HttpMethod.Post, "/cases", CaseSamples.Content(), key);
        var repeat = await service.SendAsync(owner, HttpMethod.Post, "/cases", CaseSamples.Content(), key);

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        repeat.StatusCode.Should().Be(HttpStatusCode.Created);
        var caseId = (string)(await first.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var repeated = (await repeat.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)repeated["id"]).Should().Be(caseId);
        ((string?)repeated["identity"]!["givenNames"]).Should().Be(CaseSamples.GivenNames);
        (await service.Database.CountAsync($"SELECT count(*) FROM cases WHERE owner_organisation_id = '{owner.Id}'")).Should().Be(1);
        // The kept answer is not readable in the database: the name is not in it.
        (await service.Database.CountAsync(
            $"SELECT count(*) FROM idempotency.requests WHERE caller = '{owner.Id}' AND position('{CaseSamples.GivenNames}'::bytea IN body) > 0"))
            .Should().Be(0);
        (await service.Database.CountAsync($"SELECT count(*) FROM idempotency.requests WHERE caller = '{owner.Id}' AND length(body) > 100")).Should().Be(1);

        (await service.SendAsync(owner, HttpMethod.Delete, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var afterErasure = await service.SendAsync(owner, HttpMethod.Post, "/cases", CaseSamples.Content(), key);

        afterErasure.StatusCode.Should().Be(HttpStatusCode.Gone);
        (await service.Database.CountAsync($"SELECT count(*) FROM cases WHERE owner_organisation_id = '{owner.Id}'")).Should().Be(1);
    }

    [Fact]
    public async Task AConsentRecordedTwiceUnderOneKey_IsOneConsent_AndTheRepeatGivesTheSameWithdrawalCode()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        var key = Guid.NewGuid().ToString();

        var consent = CaseSamples.Consent(receiver.Id);
        var first = await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents", consent, key);
        var repeat = await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents", consent, key);

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        repeat.StatusCode.Should().Be(HttpStatusCode.Created);
        var code = (string?)(await first.Content.ReadFromJsonAsync<JsonObject>())!["receipt"]!["withdrawal"]!["code"];
        code.Should().NotBeNullOrEmpty();
        ((string?)(await repeat.Content.ReadFromJsonAsync<JsonObject>())!["receipt"]!["withdrawal"]!["code"]).Should().Be(code);
        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE case_id = '{caseId}'")).Should().Be(1);
        (await service.Database.CountAsync(
            $"SELECT count(*) FROM idempotency.requests WHERE position(convert_to('{code}', 'UTF8') IN body) > 0")).Should().Be(0);
    }
}
