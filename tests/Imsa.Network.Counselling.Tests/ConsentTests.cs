using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Counselling.Tests;

public sealed class ConsentTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Fact]
    public async Task Record_ReturnsAKantaraReceipt_WhoseWithdrawalCodeIsShownOnce_AndStoredOnlyAsAHash()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(ConsentGranted));
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;

        var recorded = await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id, ["identity", "contact"]));

        var consentId = (string)recorded["consent"]!["id"]!;
        ((string?)recorded["consent"]!["state"]).Should().Be("active");
        var receipt = recorded["receipt"]!;
        ((string?)receipt["version"]).Should().Be("KI-CR-v1.1.0");
        ((string?)receipt["consentReceiptID"]).Should().Be(consentId);
        ((string?)receipt["jurisdiction"]).Should().Be("DE");
        ((string?)receipt["collectionMethod"]).Should().Be("signed-form");
        ((string?)receipt["language"]).Should().Be("en");
        receipt["consentTimestamp"]!.GetValue<long>().Should().BeGreaterThan(0);
        var purpose = receipt["services"]![0]!["purposes"]![0]!;
        purpose["piiCategory"]!.AsArray().Select(c => (string?)c).Should().Equal("identity", "contact");
        ((string?)purpose["thirdPartyName"]).Should().Contain(receiver.Id.ToString());
        receipt["sensitive"]!.GetValue<bool>().Should().BeFalse();
        ((string?)receipt["consentText"]!["sha256"]).Should().HaveLength(64);
        var code = (string)receipt["withdrawal"]!["code"]!;
        code.Should().MatchRegex("^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$");

        var again = (await (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}/consents/{consentId}/receipt")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)again["consentReceiptID"]).Should().Be(consentId);
        again["withdrawal"]!["code"].Should().BeNull("the code is shown only once");
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(code.Replace("-", "", StringComparison.Ordinal)))).ToLowerInvariant();
        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE id = '{consentId}' AND encode(withdrawal_code_hash, 'hex') = '{hash}'")).Should().Be(1);
        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE position('{code}' in row_to_json(consents)::text) > 0")).Should().Be(0);

        var granted = await tap.WaitForAsync<ConsentGranted>(m => (string?)m["consentId"] == consentId);
        granted["recipients"]!.AsArray().Select(r => (string?)r).Should().Equal(receiver.Id.ToString());
        granted["categories"]!.AsArray().Select(c => (string?)c).Should().Equal("identity", "contact");
        ((string?)granted["purpose"]).Should().Be("continuation-of-counselling");
        tap.Received.Single().Body.Should().NotContainAny(CaseSamples.Secrets).And.NotContain(code);
    }

    [Fact]
    public async Task Record_WithBadInput_Returns422NamingTheField_AndStoresNothing()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var otherPartner = await service.RegisterAsync("origin-partner");
        var caseId = (string)(await service.OpenCaseAsync(owner, CaseSamples.Content(plannedArrival: DateOnly.FromDateTime(DateTime.UtcNow.AddDays(10)))))["id"]!;
        var valid = CaseSamples.Consent(receiver.Id);

        async Task ExpectRefused(object consent, params string[] fields)
        {
            var response = await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents", consent);
            response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, JsonContent.Create(consent).ReadAsStringAsync().Result);
            (await response.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo(fields);
        }

        await ExpectRefused(CaseSamples.Consent(Guid.NewGuid()), "recipients[0]");
        await ExpectRefused(CaseSamples.Consent(otherPartner.Id), "recipients[0]");
        await ExpectRefused(new { recipients = Array.Empty<Guid>(), categories = new[] { "identity" }, method = "signed-form", obtainedAt = DateTimeOffset.UtcNow, textLanguage = "en", textVersion = "1", validUntil = DateTimeOffset.UtcNow.AddYears(1) }, "recipients");
        await ExpectRefused(CaseSamples.Consent(receiver.Id, categories: []), "categories");
        await ExpectRefused(CaseSamples.Consent(receiver.Id, categories: ["identity", "shoe-size"]), "categories");
        await ExpectRefused(CaseSamples.Consent(receiver.Id, categories: ["identity", "special-categories"]), "explicitSpecialCategories");
        await ExpectRefused(CaseSamples.Consent(receiver.Id, obtainedAt: DateTimeOffset.UtcNow.AddDays(20)), "obtainedAt");
        await ExpectRefused(CaseSamples.Consent(receiver.Id, validUntil: DateTimeOffset.UtcNow.AddDays(-1)), "validUntil");
        await ExpectRefused(new { recipients = new[] { receiver.Id }, categories = new[] { "identity" }, method = "telepathy", obtainedAt = DateTimeOffset.UtcNow, textLanguage = "en", textVersion = "9", textSha256 = "00", validUntil = DateTimeOffset.UtcNow.AddYears(1), purpose = "statistics" }, "method", "textVersion", "purpose");
        await ExpectRefused(new { recipients = new[] { receiver.Id }, categories = new[] { "identity" }, method = "electronic", obtainedAt = DateTimeOffset.UtcNow, textLanguage = "de", textVersion = "1", textSha256 = new string('0', 64), validUntil = DateTimeOffset.UtcNow.AddYears(1) }, "textSha256");

        // A planned arrival before the day consent was given: the arrival moved into the past is refused.
        var lateConsent = CaseSamples.Consent(receiver.Id, obtainedAt: DateTimeOffset.UtcNow, validUntil: DateTimeOffset.UtcNow.AddYears(1));
        var arrivedCase = (string)(await service.OpenCaseAsync(owner, CaseSamples.Content(plannedArrival: DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-3)))))["id"]!;
        var refused = await service.SendAsync(owner, HttpMethod.Post, $"/cases/{arrivedCase}/consents", lateConsent);
        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await refused.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo("obtainedAt");

        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE case_id IN ('{caseId}', '{arrivedCase}')")).Should().Be(0);
        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents", valid)).StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task WithdrawByCode_WorksAlone_AWrongCodeRevealsNothing_AndTwiceIsHarmless()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(ConsentWithdrawn));
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        var recorded = await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id));
        var consentId = (string)recorded["consent"]!["id"]!;
        var code = (string)recorded["receipt"]!["withdrawal"]!["code"]!;

        var wrong = await service.Client.PostAsJsonAsync("/consent-withdrawals", new { code = "0000-0000-0000-0000-0000" });
        wrong.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (wrong.Headers.CacheControl?.NoStore ?? false).Should().BeTrue("no cache may keep what a code answered");
        var wrongBody = await wrong.Content.ReadAsStringAsync();
        wrongBody.Should().NotContain(consentId).And.NotContain(caseId);
        (await service.Database.CountAsync($"SELECT count(*) FROM consent_withdrawals WHERE consent_id = '{consentId}'")).Should().Be(0);

        // No account, no token: the code alone; written as the person might type it.
        var first = await service.Client.PostAsJsonAsync("/consent-withdrawals", new { code = code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal) });
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        (first.Headers.CacheControl?.NoStore ?? false).Should().BeTrue();
        var firstBody = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)firstBody["state"]).Should().Be("withdrawn");
        firstBody["alreadyEnded"]!.GetValue<bool>().Should().BeFalse();

        var second = await service.Client.PostAsJsonAsync("/consent-withdrawals", new { code });
        second.StatusCode.Should().Be(HttpStatusCode.OK);
        (await second.Content.ReadFromJsonAsync<JsonObject>())!["alreadyEnded"]!.GetValue<bool>().Should().BeTrue();

        var consent = (await (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}/consents/{consentId}")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)consent["state"]).Should().Be("withdrawn");
        ((string?)consent["withdrawal"]!["channel"]).Should().Be("data-subject");
        (await service.Database.CountAsync($"SELECT count(*) FROM consent_withdrawals WHERE consent_id = '{consentId}'")).Should().Be(1);
        var withdrawn = await tap.WaitForAsync<ConsentWithdrawn>(m => (string?)m["consentId"] == consentId);
        ((string?)withdrawn["channel"]).Should().Be("data-subject");
        withdrawn["recipients"]!.AsArray().Select(r => (string?)r).Should().Equal(receiver.Id.ToString());
        await tap.DrainAsync();
        tap.Received.Count(r => r.Body.Contains(consentId, StringComparison.Ordinal)).Should().Be(1, "withdrawing twice announces it once");
    }

    [Fact]
    public async Task LookUpByCode_ShowsOnlyTheReceiptsContent_AWrongCodeIs404_AndNothingChanges()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        var recorded = await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id, ["identity", "contact"]));
        var consentId = (string)recorded["consent"]!["id"]!;
        var code = (string)recorded["receipt"]!["withdrawal"]!["code"]!;

        var wrong = await service.Client.PostAsJsonAsync("/consent-withdrawals/lookup", new { code = "0000-0000-0000-0000-0000" });
        wrong.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await wrong.Content.ReadAsStringAsync()).Should().NotContain(consentId).And.NotContain(caseId);

        var found = await service.Client.PostAsJsonAsync("/consent-withdrawals/lookup", new { code = code.ToLowerInvariant() });
        found.StatusCode.Should().Be(HttpStatusCode.OK);
        (found.Headers.CacheControl?.NoStore ?? false).Should().BeTrue();
        var body = (await found.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)body["consentReceiptId"]).Should().Be(consentId);
        ((string?)body["state"]).Should().Be("active");
        ((string?)body["controller"]).Should().Be(owner.Id.ToString());
        body["recipients"]!.AsArray().Select(r => (string?)r).Should().Equal(receiver.Id.ToString());
        body["categories"]!.AsArray().Select(c => (string?)c).Should().Equal("identity", "contact");
        body["validUntil"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(recorded["consent"]!["validUntil"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMilliseconds(1));
        body["endedAt"].Should().BeNull();
        // The receipt's content and the state, nothing of the case: not its id, not who recorded it, not the code.
        body.Select(p => p.Key).Should().BeEquivalentTo(
            "consentReceiptId", "state", "controller", "recipients", "categories", "sensitive", "language", "obtainedAt", "validFrom", "validUntil", "endedAt");
        body.ToJsonString().Should().NotContain(caseId).And.NotContain(code);

        (await service.Database.CountAsync($"SELECT count(*) FROM consent_withdrawals WHERE consent_id = '{consentId}'")).Should().Be(0, "reading changes nothing");
        (await service.Client.PostAsJsonAsync("/consent-withdrawals", new { code })).StatusCode.Should().Be(HttpStatusCode.OK);
        var after = (await (await service.Client.PostAsJsonAsync("/consent-withdrawals/lookup", new { code })).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)after["state"]).Should().Be("withdrawn");
        after["endedAt"].Should().NotBeNull();
    }

    [Fact]
    public async Task Consents_AreAppendOnly_ANewRecordLeavesTheOldOneAsItWas()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        var first = (string)(await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id, ["identity"])))["consent"]!["id"]!;
        await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents/{first}/withdraw");
        var second = (string)(await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id, ["identity", "contact"])))["consent"]!["id"]!;

        var list = (await (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}/consents")).Content.ReadFromJsonAsync<JsonArray>())!;

        list.Select(c => ((string?)c!["id"], (string?)c["state"])).Should().Equal((second, "active"), (first, "withdrawn"));
        list[1]!["categories"]!.AsArray().Select(c => (string?)c).Should().Equal("identity");
    }
}

public sealed class WithdrawalRateLimitTests(WithdrawalRateLimitTests.LimitedService service) : IClassFixture<WithdrawalRateLimitTests.LimitedService>
{
    public sealed class LimitedService : CounsellingService
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Limits:Withdrawals:Count"] = "3",
            ["Limits:Withdrawals:Window"] = "00:10:00",
        };

        // Each test guesses from an address of its own, so the tests' counts do not add up.
        protected override void ConfigureServices(IServiceCollection services)
        {
            base.ConfigureServices(services);
            ConnectionFrom.AddTo(services);
        }
    }

    [Fact]
    public async Task GuessingCodes_IsStoppedWith429()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            var response = await service.Client.PostAsJsonAsync("/consent-withdrawals", new { code = $"GUES-S{i:000}-0000-0000-0000" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                ((int?)(await response.ReadProblemAsync())["status"]).Should().Be(429);
            }
        }

        statuses.Should().Equal(
            HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task LookingUpCodes_CountsAgainstTheSameGuessLimit_AsWithdrawing()
    {
        var statuses = new List<HttpStatusCode>();
        foreach (var path in new[] { "lookup", "lookup", "", "lookup", "" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path.Length == 0 ? "/consent-withdrawals" : "/consent-withdrawals/" + path)
            {
                Content = JsonContent.Create(new { code = $"LOOK-S{statuses.Count:000}-0000-0000-0000" }),
            };
            request.Headers.Add(ConnectionFrom.Header, "192.0.2.77");
            using var response = await service.Client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        statuses.Should().Equal(
            HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
    }
}
