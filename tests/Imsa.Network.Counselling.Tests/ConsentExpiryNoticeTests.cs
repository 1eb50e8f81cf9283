using System.Globalization;
using System.Net;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Counselling.Tests;

/// <summary>
/// ConsentExpiring: a consent's coming end, announced once, Counselling:ConsentExpiry:NoticeBefore (14 days) ahead.
/// This class moves the service's clock, so it has a service of its own.
/// </summary>
public sealed class ConsentExpiryNoticeTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Fact]
    public async Task ConsentExpiring_IsAnnouncedOnce_WhenTimeMovesIntoTheNoticePeriod_AndNotBefore()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(ConsentExpiring));
        var (owner, caseId, consentId, validUntil) = await ConsentAsync(TimeSpan.FromDays(30));

        // 20 days left: not yet.
        service.Time.Advance(TimeSpan.FromDays(10));
        await RaceAsync();
        (await NoticesOfAsync(tap, consentId)).Should().Be(0, "the notice period (14 days) has not begun");

        // 13 days left.
        service.Time.Advance(TimeSpan.FromDays(7));

        var expiring = await tap.WaitForAsync<ConsentExpiring>(m => (string?)m["consentId"] == consentId);
        ((string?)expiring["caseId"]).Should().Be(caseId);
        ((Guid)expiring["ownerOrganisationId"]!).Should().Be(owner.Id);
        DateTimeOffset.Parse((string)expiring["validUntil"]!, CultureInfo.InvariantCulture).Should().BeCloseTo(validUntil, TimeSpan.FromMilliseconds(1), "PostgreSQL keeps microseconds");
        expiring["recipients"].Should().BeNull("the owner knows them");
        await RaceAsync();
        service.Time.Advance(TimeSpan.FromDays(1));
        await RaceAsync();
        (await NoticesOfAsync(tap, consentId)).Should().Be(1, "announced once, however many runs and instances look");
        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE id = '{consentId}' AND expiry_notice_at IS NOT NULL")).Should().Be(1);
        (await service.Database.CountAsync($"SELECT count(*) FROM consent_withdrawals WHERE consent_id = '{consentId}'")).Should().Be(0, "a notice ends nothing");
    }

    [Fact]
    public async Task AWithdrawnConsent_IsNotAnnounced()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(ConsentExpiring));
        var withdrawn = await ConsentAsync(TimeSpan.FromDays(30));
        (await service.SendAsync(withdrawn.Owner, HttpMethod.Post, $"/cases/{withdrawn.CaseId}/consents/{withdrawn.ConsentId}/withdraw"))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        // Recorded last: when its notice goes out, the withdrawn one's time had come too.
        var kept = await ConsentAsync(TimeSpan.FromDays(30));

        service.Time.Advance(TimeSpan.FromDays(17));

        await tap.WaitForAsync<ConsentExpiring>(m => (string?)m["consentId"] == kept.ConsentId);
        await RaceAsync();
        (await NoticesOfAsync(tap, withdrawn.ConsentId)).Should().Be(0);
    }

    [Fact]
    public async Task AConsentShorterThanTheNoticePeriod_IsNotAnnounced()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(ConsentExpiring));
        var shortOne = await ConsentAsync(TimeSpan.FromDays(10));
        var longer = await ConsentAsync(TimeSpan.FromDays(20));

        // Both in their notice period: the short one since it was recorded, the longer one for a day now.
        service.Time.Advance(TimeSpan.FromDays(7));

        await tap.WaitForAsync<ConsentExpiring>(m => (string?)m["consentId"] == longer.ConsentId);
        await RaceAsync();
        (await NoticesOfAsync(tap, shortOne.ConsentId)).Should().Be(0, "its owner recorded it knowing it ends within the notice period");
    }

    private async Task<(Organisation Owner, string CaseId, string ConsentId, DateTimeOffset ValidUntil)> ConsentAsync(TimeSpan validFor)
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        var now = service.Time.GetUtcNow();
        var validUntil = now + validFor;
        var consentId = (string)(await service.RecordConsentAsync(
            owner, caseId, CaseSamples.Consent(receiver.Id, obtainedAt: now.AddMinutes(-10), validUntil: validUntil)))["consent"]!["id"]!;
        return (owner, caseId, consentId, validUntil);
    }

    /// <summary>Two more expiry jobs race each other, as more instances would; then their events go out.</summary>
    private async Task RaceAsync()
    {
        var services = service.Factory.Services;
        ConsentExpiryJob[] jobs = [ActivatorUtilities.CreateInstance<ConsentExpiryJob>(services), ActivatorUtilities.CreateInstance<ConsentExpiryJob>(services)];
        await Task.WhenAll(jobs.Select(job => Task.Run(() => job.RunOnceAsync(CancellationToken.None))));
        await Eventually.UntilCount(() => service.Database.CountAsync("SELECT count(*) FROM messaging.outbox_messages"), 0, "the outbox to drain");
    }

    private static async Task<int> NoticesOfAsync(EventTap tap, string consentId)
    {
        await tap.DrainAsync();
        return tap.Received.Count(r => r.Type == nameof(ConsentExpiring) && r.Body.Contains(consentId, StringComparison.Ordinal));
    }
}
