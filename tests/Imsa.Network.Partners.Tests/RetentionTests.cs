using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Operations;
using Imsa.Network.Reference.Retention;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Partners.Tests;

/// <summary>Retention of the webhook delivery log and the credential trail.</summary>
public sealed class RetentionTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    [Fact]
    public async Task DoneDeliveriesOlderThan30Days_AndOldCredentialEvents_Go_Once_PendingAndNewerOnesStay()
    {
        var subscription = Guid.NewGuid();
        var organisation = Guid.NewGuid();
        var old = DateTimeOffset.UtcNow.AddDays(-31);
        var recent = DateTimeOffset.UtcNow.AddDays(-29);
        var future = DateTimeOffset.UtcNow.AddDays(400);
        Guid oldDelivered = Guid.NewGuid(), oldFailed = Guid.NewGuid(), oldPending = Guid.NewGuid(), recentDelivered = Guid.NewGuid();
        foreach (var (id, status, at) in new[] { (oldDelivered, "Delivered", old), (oldFailed, "Failed", old), (oldPending, "Pending", old), (recentDelivered, "Delivered", recent) })
        {
            // A pending one waits far ahead, so the dispatcher leaves it alone during the test.
            await service.Database.ExecuteAsync(
                "INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, payload, status, attempts, created_at, next_attempt_at) "
                + "VALUES ($1, $2, $3, 'handover.offered', '{}', $4, 1, $5, $6)",
                id, subscription, Guid.NewGuid(), status, at, future);
        }

        var days = RetentionRules.CredentialEvents.Default.TotalDays;
        await service.Database.ExecuteAsync(
            "INSERT INTO credential_events (organisation_id, at, kind) VALUES ($1, $2, 'client-created'), ($1, $3, 'client-rotated')",
            organisation, DateTimeOffset.UtcNow.AddDays(-days - 1), DateTimeOffset.UtcNow.AddDays(-days + 1));

        var deleted = await RaceAsync();

        deleted[RetentionRules.WebhookDeliveries.Name].Should().Be(2, "the old delivered and the old failed one, once");
        deleted[RetentionRules.CredentialEvents.Name].Should().Be(1);
        (await service.Database.CountAsync($"SELECT count(*) FROM webhook_deliveries WHERE subscription_id = '{subscription}'")).Should().Be(2);
        (await service.Database.CountAsync($"SELECT count(*) FROM webhook_deliveries WHERE id IN ('{oldPending}', '{recentDelivered}')")).Should().Be(2);
        (await service.Database.CountAsync($"SELECT count(*) FROM credential_events WHERE organisation_id = '{organisation}' AND kind = 'client-rotated'")).Should().Be(1);
        (await service.Database.CountAsync($"SELECT count(*) FROM credential_events WHERE organisation_id = '{organisation}'")).Should().Be(1);

        var token = await service.Client.GetCoordinatorTokenAsync();
        var report = await service.Client.SendAsAsync(token, HttpMethod.Get, "/admin/retention");
        var body = (await report.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!;
        body["rules"]!.AsArray().Select(r => (string?)r!["setting"]).Should().BeEquivalentTo(RetentionRules.Of(RetentionRules.Partners).Select(r => r.Setting));
        body["runs"]!.AsArray().Select(r => ((string?)r!["rule"], (int)r["deleted"]!)).Should().Contain((RetentionRules.WebhookDeliveries.Name, 2));
    }

    private async Task<Dictionary<string, int>> RaceAsync()
    {
        var services = service.Factory.Services;
        RetentionJob[] jobs = [services.GetRequiredService<RetentionJob>(), ActivatorUtilities.CreateInstance<RetentionJob>(services)];
        var passes = await Task.WhenAll(jobs.Select(job => Task.Run(() => job.RunOnceAsync(CancellationToken.None))));
        return passes.SelectMany(p => p).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
    }
}
