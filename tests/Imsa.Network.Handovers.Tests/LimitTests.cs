using System.Net;

namespace Imsa.Network.Handovers.Tests;

/// <summary>The per-organisation quota on handover requests: 429 with Retry-After, and nothing written.</summary>
public sealed class QuotaLimitTests(QuotaLimitTests.LimitedService service) : IClassFixture<QuotaLimitTests.LimitedService>
{
    public sealed class LimitedService : HandoversService
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Limits:HandoverRequests:Count"] = "1",
            ["Limits:HandoverRequests:Window"] = "01:00:00",
        };
    }

    [Fact]
    public async Task HandoverRequests_BeyondTheQuota_Get429WithRetryAfter_WriteNothing_AndMayBeSentAgainLater()
    {
        var scene = await Scene.SetUpAsync(service);
        var secondReceiver = await service.OrganisationAsync("receiving-service");
        var secondCase = await service.CaseAsync(scene.Origin);
        await service.ConsentAsync(secondCase, scene.Origin, secondReceiver);
        await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver);
        var request = new
        {
            caseId = secondCase,
            receiverOrganisationId = secondReceiver.Id,
            topics = new[] { "EDU" },
            plannedArrival = TestDates.ArrivalText,
        };

        var refused = await service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers", request, idempotencyKey: "second");

        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, await refused.Content.ReadAsStringAsync());
        ((int?)(await refused.ReadProblemAsync())["status"]).Should().Be(429);
        refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(1, 3600);
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE origin_organisation_id = '{scene.Origin.Id}'")).Should().Be(1);

        service.Time.Advance(TimeSpan.FromHours(1));
        (await service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers", request, idempotencyKey: "second"))
            .StatusCode.Should().Be(HttpStatusCode.Created, "after Retry-After the same request goes through");
    }
}
