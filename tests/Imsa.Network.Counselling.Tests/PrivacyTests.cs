using System.Net;
using System.Net.Http.Json;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Contracts.Handovers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Imsa.Network.Counselling.Tests;

/// <summary>A whole case's life with every log line kept at Debug and every event tapped: nothing personal leaves.</summary>
public sealed class PrivacyTests(PrivacyTests.LoggedService service) : IClassFixture<PrivacyTests.LoggedService>
{
    public sealed class LoggedService : CounsellingService
    {
        public CapturedLogs Logs { get; } = new();

        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Logging:Captured:LogLevel:Default"] = "Debug",
        };

        protected override void ConfigureServices(IServiceCollection services)
        {
            base.ConfigureServices(services);
            services.AddSingleton<ILoggerProvider>(Logs);
        }
    }

    [Fact]
    public async Task ACaseFromOpeningToErasure_LeavesNoPersonalDataInEventsOrLogs()
    {
        await using var tap = await EventTap.StartAsync(
            service.VirtualHost,
            typeof(CaseOpened), typeof(CaseClosed), typeof(CaseErased), typeof(ConsentGranted), typeof(ConsentWithdrawn), typeof(ConsentExpired));
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/sessions", CaseSamples.Session())).EnsureSuccessStatusCode();
        (await service.SendAsync(owner, HttpMethod.Put, $"/cases/{caseId}", CaseSamples.Content())).EnsureSuccessStatusCode();
        var all = DataCategories.All.ToArray();
        var recorded = await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id, all, explicitSpecial: true));
        await service.PublishAsync(new HandoverAccepted(Guid.NewGuid(), Guid.Parse(caseId), owner.Id, receiver.Id, 3, DateTimeOffset.UtcNow));
        await Eventually.Until(
            () => service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier"), r => r.StatusCode == HttpStatusCode.OK, "the dossier to open");
        // Bad input, whose messages must not echo what was sent either.
        (await service.SendAsync(owner, HttpMethod.Post, "/cases", new { identity = new { givenNames = CaseSamples.GivenNames, dateOfBirth = "2099-01-01" } }))
            .StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await service.Client.PostAsJsonAsync("/consent-withdrawals", new { code = (string)recorded["receipt"]!["withdrawal"]!["code"]! })).EnsureSuccessStatusCode();
        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/close", new { reason = "handed-over" })).EnsureSuccessStatusCode();
        (await service.SendAsync(owner, HttpMethod.Delete, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await tap.WaitForAsync<CaseErased>(m => (string?)m["caseId"] == caseId);
        await tap.DrainAsync();
        tap.Received.Select(r => r.Type).Should().Contain(["CaseOpened", "ConsentGranted", "ConsentWithdrawn", "CaseClosed", "CaseErased"]);
        foreach (var (type, body) in tap.Received)
        {
            body.Should().NotContainAny(CaseSamples.Secrets, $"{type} is an event");
        }

        service.Logs.Lines.Should().NotBeEmpty();
        service.Logs.Lines.Where(line => CaseSamples.Secrets.Any(s => line.Contains(s, StringComparison.Ordinal))).Should().BeEmpty();
    }
}
