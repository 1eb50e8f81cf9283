using System.Net;
using System.Net.Http.Json;
using Imsa.Network.Contracts.Handovers;

namespace Imsa.Network.Counselling.Tests;

/// <summary>What the metrics port tells of dossiers and consents: counts by outcome and channel, nothing of the cases.</summary>
public sealed class MetricsTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Fact]
    public async Task DossierReadsAndAWithdrawal_AreCountedByOutcomeAndChannel_WithoutCaseData()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var stranger = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/sessions", CaseSamples.Session())).EnsureSuccessStatusCode();
        var recorded = await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id, ["identity", "contact"]));
        var handoverId = Guid.NewGuid();
        await service.PublishAsync(new HandoverAccepted(handoverId, Guid.Parse(caseId), owner.Id, receiver.Id, 3, DateTimeOffset.UtcNow));
        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM case_handovers WHERE handover_id = '{handoverId}' AND status = 'accepted'"),
            1,
            "the handover to be accepted");

        (await service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await service.SendAsync(stranger, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var code = (string)recorded["receipt"]!["withdrawal"]!["code"]!;
        (await service.Client.PostAsJsonAsync("/consent-withdrawals", new { code })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await service.Client.PostAsJsonAsync("/consent-withdrawals", new { code })).StatusCode.Should().Be(HttpStatusCode.OK, "twice is harmless");
        (await service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var scrape = await service.Factory.ScrapeUntilAsync(
            s => s.Value("imsa_messaging_outbox_published_total", ("message_type", "ConsentWithdrawn")) == 1, "the withdrawal's event published");
        scrape.Value("imsa_counselling_dossier_reads_total", ("outcome", "disclosed")).Should().Be(1);
        scrape.Value("imsa_counselling_dossier_reads_total", ("outcome", "not-found")).Should().Be(1);
        scrape.Value("imsa_counselling_dossier_reads_total", ("outcome", "no-consent")).Should().Be(1);
        scrape.Value("imsa_counselling_dossier_reads_total").Should().Be(3);
        scrape.Value("imsa_counselling_consent_withdrawals_total", ("channel", "data-subject")).Should().Be(1, "the second withdrawal ended nothing");
        scrape.Value("imsa_counselling_consent_withdrawals_total").Should().Be(1);

        foreach (var secret in CaseSamples.Secrets.Append(caseId).Append(owner.Id.ToString()).Append(receiver.Id.ToString()).Append(code))
        {
            scrape.Samples.SelectMany(s => s.Labels.Values).Should().NotContain(value => value.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }
}
