using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Contracts.Handovers;

namespace Imsa.Network.Counselling.Tests;

/// <summary>Expiry is a withdrawal by time. This class moves the service's clock, so it has a service of its own.</summary>
public sealed class ConsentExpiryTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Fact]
    public async Task AtValidUntil_TheNextDossierReadIsRefused_AndConsentExpiredIsAnnounced()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(ConsentExpired));
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        var validUntil = service.Time.GetUtcNow().AddDays(30);
        var consentId = (string)(await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id, validUntil: validUntil)))["consent"]!["id"]!;
        await service.PublishAsync(new HandoverAccepted(Guid.NewGuid(), Guid.Parse(caseId), owner.Id, receiver.Id, 3, DateTimeOffset.UtcNow));
        await Eventually.Until(
            () => service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier"),
            r => r.StatusCode == HttpStatusCode.OK,
            "the accepted handover to open the dossier");

        service.Time.Advance(TimeSpan.FromDays(30));

        var next = await service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier");
        next.StatusCode.Should().Be(HttpStatusCode.Forbidden, "validity is checked at read time, before any job runs");
        var expired = await tap.WaitForAsync<ConsentExpired>(m => (string?)m["consentId"] == consentId);
        expired["recipients"]!.AsArray().Select(r => (string?)r).Should().Equal(receiver.Id.ToString());
        DateTimeOffset.Parse((string)expired["at"]!, System.Globalization.CultureInfo.InvariantCulture).Should().BeCloseTo(validUntil, TimeSpan.FromMilliseconds(1), "PostgreSQL keeps microseconds");
        var consent = (await (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}/consents/{consentId}")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)consent["state"]).Should().Be("expired");
        ((string?)consent["withdrawal"]!["channel"]).Should().Be("expiry");

        // Withdrawing an expired consent afterwards is harmless and announces nothing more.
        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents/{consentId}/withdraw")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await service.Database.CountAsync($"SELECT count(*) FROM consent_withdrawals WHERE consent_id = '{consentId}'")).Should().Be(1);
    }
}
