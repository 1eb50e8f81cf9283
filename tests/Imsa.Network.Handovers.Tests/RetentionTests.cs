using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Operations;
using Imsa.Network.Reference.Retention;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Handovers.Tests;

/// <summary>Retention of handovers of erased cases. This class moves the service's clock by years, so it has a service of its own.</summary>
public sealed class RetentionTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task TheEndedHandoversOfAnErasedCase_GoOnceTheirTimeIsUp_OnceWithTwoJobsRacing_AndOthersStay()
    {
        var erased = await Scene.SetUpAsync(service);
        var revoked = (string)(await service.RequestAsync(erased.Origin, erased.CaseId, erased.Receiver))["id"]!;
        var kept = await Scene.SetUpAsync(service);
        var withdrawn = (string)(await service.RequestAsync(kept.Origin, kept.CaseId, kept.Receiver))["id"]!;
        (await service.SendAsync(kept.Origin, HttpMethod.Post, $"/handovers/{withdrawn}/withdraw")).StatusCode.Should().Be(HttpStatusCode.OK);
        var erasedAt = service.Time.GetUtcNow();
        await service.PublishAsync(new CaseErased(erased.CaseId, erased.Origin.Id, erasedAt));
        await service.StatusAsync(revoked, "Revoked");

        // Three years from the end of the year of the erasure (§ 199(1) BGB): a day before, nothing goes.
        var due = new DateTimeOffset(erasedAt.Year + 1, 1, 1, 0, 0, 0, TimeSpan.Zero) + RetentionRules.ErasedCaseHandovers.Default;
        service.Time.Advance(due - service.Time.GetUtcNow() - TimeSpan.FromDays(1));
        (await RaceAsync())[RetentionRules.ErasedCaseHandovers.Name].Should().Be(0);
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE id = '{revoked}'")).Should().Be(1);

        service.Time.Advance(TimeSpan.FromDays(2));
        (await RaceAsync())[RetentionRules.ErasedCaseHandovers.Name].Should().Be(1, "the one ended ticket of the erased case, once");
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE id = '{revoked}'")).Should().Be(0);
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_timeline WHERE ticket_id = '{revoked}'")).Should().Be(0, "its timeline goes with it");
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE id = '{withdrawn}'")).Should().Be(1, "its case is not erased");
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_timeline WHERE ticket_id = '{withdrawn}'")).Should().BePositive();

        var coordinator = new Organisation(Guid.NewGuid(), "coordinator");
        var report = await service.SendAsync(coordinator, HttpMethod.Get, "/admin/retention");
        report.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = (await report.Content.ReadFromJsonAsync<JsonObject>())!;
        body["rules"]!.AsArray().Select(r => (string?)r!["setting"]).Should().BeEquivalentTo(RetentionRules.Of(RetentionRules.Handovers).Select(r => r.Setting));
        body["runs"]!.AsArray().Select(r => ((string?)r!["rule"], (int)r["deleted"]!)).Should().Contain((RetentionRules.ErasedCaseHandovers.Name, 1));
        (await service.SendAsync(erased.Origin, HttpMethod.Get, "/admin/retention")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    private async Task<Dictionary<string, int>> RaceAsync()
    {
        var services = service.Factory.Services;
        RetentionJob[] jobs = [services.GetRequiredService<RetentionJob>(), ActivatorUtilities.CreateInstance<RetentionJob>(services)];
        var passes = await Task.WhenAll(jobs.Select(job => Task.Run(() => job.RunOnceAsync(CancellationToken.None))));
        return passes.SelectMany(p => p).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
    }
}
