using System.Net;
using System.Net.Http.Json;
using Imsa.Network.Contracts.Handovers;

namespace Imsa.Network.Counselling.Tests;

/// <summary>Per-organisation quotas on cases, consents and dossier reads: 429 with Retry-After, and nothing written.</summary>
public sealed class QuotaLimitTests(QuotaLimitTests.LimitedService service) : IClassFixture<QuotaLimitTests.LimitedService>
{
    public sealed class LimitedService : CounsellingService
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Limits:Cases:Count"] = "3",
            ["Limits:Cases:Window"] = "01:00:00",
            ["Limits:Consents:Count"] = "2",
            ["Limits:Consents:Window"] = "01:00:00",
            ["Limits:DossierReads:Count"] = "2",
            ["Limits:DossierReads:Window"] = "01:00:00",
        };
    }

    [Fact]
    public async Task Cases_BeyondTheQuota_Get429WithRetryAfter_WriteNothing_AndOtherOrganisationsGoOn()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var other = await service.RegisterAsync("origin-partner");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        await service.OpenCaseAsync(owner);
        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/sessions", CaseSamples.Session())).StatusCode.Should().Be(HttpStatusCode.Created);
        var updatedAt = UpdatedAtSql(caseId);
        var updatedBefore = await service.Database.CountAsync(updatedAt);

        var refused = await service.SendAsync(owner, HttpMethod.Post, "/cases", CaseSamples.Content());
        var update = await service.SendAsync(owner, HttpMethod.Put, $"/cases/{caseId}", CaseSamples.Content(purpose: "studies"));

        await ShouldBeRefusedAsync(refused);
        await ShouldBeRefusedAsync(update);
        (await service.Database.CountAsync($"SELECT count(*) FROM cases WHERE owner_organisation_id = '{owner.Id}'")).Should().Be(2);
        (await service.Database.CountAsync(updatedAt)).Should().Be(updatedBefore, "the refused update changed nothing");
        await service.OpenCaseAsync(other);
    }

    [Fact]
    public async Task Consents_BeyondTheQuota_Get429WithRetryAfter_AndWriteNothing()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id));
        await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id));

        await ShouldBeRefusedAsync(await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents", CaseSamples.Consent(receiver.Id)));

        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE case_id = '{caseId}'")).Should().Be(2);
    }

    [Fact]
    public async Task DossierReads_BeyondTheQuota_Get429WithRetryAfter_AndDiscloseNothing()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id));
        var handoverId = Guid.NewGuid();
        await service.PublishAsync(new HandoverAccepted(handoverId, Guid.Parse(caseId), owner.Id, receiver.Id, 3, DateTimeOffset.UtcNow));
        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM case_handovers WHERE handover_id = '{handoverId}' AND status = 'accepted'"), 1, "the handover to be accepted");

        (await service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.OK);
        var refused = await service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier");

        await ShouldBeRefusedAsync(refused);
        (await refused.Content.ReadAsStringAsync()).Should().NotContain(CaseSamples.FamilyName);
        (await service.Database.CountAsync($"SELECT count(*) FROM disclosures WHERE case_id = '{caseId}'")).Should().Be(2, "only what was read is logged");
    }

    private static string UpdatedAtSql(string caseId) => $"SELECT (extract(epoch FROM updated_at) * 1000000)::bigint FROM cases WHERE id = '{caseId}'";

    private static async Task ShouldBeRefusedAsync(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, await response.Content.ReadAsStringAsync());
        ((int?)(await response.ReadProblemAsync())["status"]).Should().Be(429);
        response.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(1, 3600);
    }
}

/// <summary>The withdrawal-code limit is counted in the database: every instance of the service shares it.</summary>
public sealed class WithdrawalLimitTests(WithdrawalLimitTests.LimitedService service) : IClassFixture<WithdrawalLimitTests.LimitedService>
{
    public sealed class LimitedService : CounsellingService
    {
        public IReadOnlyDictionary<string, string?> Settings => ExtraSettings;

        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Limits:Withdrawals:Count"] = "3",
            ["Limits:Withdrawals:Window"] = "00:10:00",
        };
    }

    [Fact]
    public async Task GuessesAtTwoInstances_CountTogether()
    {
        var settings = service.VirtualHost.Settings(service: "counselling");
        foreach (var (key, value) in service.Settings)
        {
            settings[key] = value;
        }

        await using var second = new ServiceFactory<Program>(service.Database.ConnectionString, settings);
        using var secondClient = second.CreateClient();
        await secondClient.WaitUntilReadyAsync();

        var statuses = new List<HttpStatusCode>();
        foreach (var client in new[] { service.Client, secondClient, service.Client, secondClient, service.Client })
        {
            using var response = await client.PostAsJsonAsync("/consent-withdrawals", new { code = "GUES-S000-0000-0000-0000" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                response.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(1, 600);
            }
        }

        statuses.Should().Equal(
            HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
    }
}
