using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Operations;
using Imsa.Network.Reference;
using Imsa.Network.Reference.Retention;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Counselling.Tests;

/// <summary>Retention runs by itself. This class moves the service's clock by years, so it has a service of its own.</summary>
public sealed class RetentionTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Fact]
    public async Task Retention_DeletesExactlyWhatIsDue_Once_WithTwoInstancesRacing_AndReportsTheCounts()
    {
        // A second instance of the service against the same database and broker, as a scaled-out deployment runs it.
        await using var second = new ServiceFactory<Program>(
            service.Database.ConnectionString, service.VirtualHost.Settings(service: "counselling"), s => s.AddSingleton<TimeProvider>(service.Time));
        await second.CreateClient().WaitUntilReadyAsync();
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(CaseErased));
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var start = service.Time.GetUtcNow();

        // A: closed, nothing open. B: closed, a handover of it still accepted. C: open, with a consent read under and
        // withdrawn. E: closed and restricted. D: erased by its owner after a consent and a dossier read.
        var a = await OpenAsync(owner);
        await CloseAsync(owner, a);
        var b = await OpenAsync(owner);
        await AcceptHandoverAsync(owner, receiver, b);
        await CloseAsync(owner, b);
        var c = await OpenAsync(owner);
        var consentC = await ConsentAsync(owner, receiver, c);
        await AcceptHandoverAsync(owner, receiver, c);
        await ReadDossierAsync(receiver, c);
        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{c}/consents/{consentC}/withdraw")).StatusCode.Should().Be(HttpStatusCode.OK);
        var e = await OpenAsync(owner);
        await CloseAsync(owner, e);
        (await service.SendAsync(owner, HttpMethod.Put, $"/cases/{e}/restriction", new { reason = "legal-claims" })).StatusCode.Should().Be(HttpStatusCode.OK);
        var d = await OpenAsync(owner);
        var consentD = await ConsentAsync(owner, receiver, d);
        await AcceptHandoverAsync(owner, receiver, d);
        await ReadDossierAsync(receiver, d);
        (await service.SendAsync(owner, HttpMethod.Delete, $"/cases/{d}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        // A day short of 24 months after the closing: nothing is due.
        service.Time.Advance(TimeSpan.FromDays(729));
        (await RaceAsync(second))[RetentionRules.ClosedCases.Name].Should().Be(0);
        (await StatusAsync(a)).Should().Be("Closed");

        // Past it: A is erased as its owner would have erased it, once; B waits for its handover, C is open.
        service.Time.Advance(TimeSpan.FromDays(2));
        (await RaceAsync(second))[RetentionRules.ClosedCases.Name].Should().Be(1, "two instances racing erase each case once");
        (await StatusAsync(a)).Should().Be("Erased");
        (await StatusAsync(b)).Should().Be("Closed", "a handover of it is still open");
        (await StatusAsync(c)).Should().Be("Open");
        (await StatusAsync(e)).Should().Be("Closed", "its processing is restricted: the person needs it for legal claims");
        (await service.Database.CountAsync($"SELECT count(*) FROM case_keys WHERE case_id = '{a}'")).Should().Be(0, "its key is destroyed");
        (await service.Database.CountAsync($"SELECT count(*) FROM cases WHERE id = '{a}' AND identity IS NULL")).Should().Be(1);
        await tap.WaitForAsync<CaseErased>(m => (string?)m["caseId"] == a.ToString());
        (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{a}")).StatusCode.Should().NotBe(HttpStatusCode.OK);

        // The proof of consent and the disclosure log of D: three years from the end of the year of its erasure.
        var proofDue = new DateTimeOffset(start.Year + 1, 1, 1, 0, 0, 0, TimeSpan.Zero) + RetentionRules.ConsentProof.Default;
        service.Time.Advance(proofDue - service.Time.GetUtcNow() - TimeSpan.FromDays(1));
        var before = await RaceAsync(second);
        before[RetentionRules.ConsentProof.Name].Should().Be(0);
        before[RetentionRules.Disclosures.Name].Should().Be(0);
        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE id = '{consentD}'")).Should().Be(1);

        service.Time.Advance(TimeSpan.FromDays(2));
        var after = await RaceAsync(second);
        after[RetentionRules.ConsentProof.Name].Should().Be(1, "D's one consent, once");
        after[RetentionRules.Disclosures.Name].Should().Be(1, "D's one dossier read, once");
        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE case_id = '{d}'")).Should().Be(0);
        (await service.Database.CountAsync($"SELECT count(*) FROM consent_withdrawals WHERE consent_id = '{consentD}'")).Should().Be(0);
        (await service.Database.CountAsync($"SELECT count(*) FROM disclosures WHERE case_id = '{d}'")).Should().Be(0);
        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE id = '{consentC}'")).Should().Be(1, "C is not erased: its proof stays with it");
        (await service.Database.CountAsync($"SELECT count(*) FROM disclosures WHERE case_id = '{c}'")).Should().Be(1);
        (await service.Database.CountAsync($"SELECT count(*) FROM cases WHERE id = '{b}' AND status = 'Closed'")).Should().Be(1);

        // The coordinators' report: every rule with its period, and the passes that deleted something, counts only.
        var coordinator = new Organisation(Guid.NewGuid(), "coordinator");
        var report = await service.SendAsync(coordinator, HttpMethod.Get, "/admin/retention");
        report.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = (await report.Content.ReadFromJsonAsync<JsonObject>())!;
        body["rules"]!.AsArray().Select(r => (string?)r!["setting"]).Should().BeEquivalentTo(RetentionRules.Of(RetentionRules.Counselling).Select(r => r.Setting));
        var runs = body["runs"]!.AsArray().Select(r => ((string?)r!["rule"], (int)r["deleted"]!)).ToList();
        runs.Should().Contain((RetentionRules.ClosedCases.Name, 1)).And.Contain((RetentionRules.ConsentProof.Name, 1)).And.Contain((RetentionRules.Disclosures.Name, 1));
        runs.Should().OnlyHaveUniqueItems("each pass that deleted something is one run, whichever instance ran it");
        var text = await report.Content.ReadAsStringAsync();
        foreach (var id in new[] { a, b, c, d, e, owner.Id, receiver.Id })
        {
            text.Should().NotContain(id.ToString(), "the report has counts, no ids");
        }

        (await service.SendAsync(owner, HttpMethod.Get, "/admin/retention")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    /// <summary>The retention jobs of both instances at once; what each rule deleted in both together.</summary>
    private async Task<Dictionary<string, int>> RaceAsync(ServiceFactory<Program> second)
    {
        RetentionJob[] jobs = [service.Factory.Services.GetRequiredService<RetentionJob>(), second.Services.GetRequiredService<RetentionJob>()];
        var passes = await Task.WhenAll(jobs.Select(job => Task.Run(() => job.RunOnceAsync(CancellationToken.None))));
        return passes.SelectMany(p => p).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
    }

    private async Task<Guid> OpenAsync(Organisation owner) => Guid.Parse((string)(await service.OpenCaseAsync(owner))["id"]!);

    private async Task CloseAsync(Organisation owner, Guid caseId) =>
        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/close", new { reason = "handed-over" })).StatusCode.Should().Be(HttpStatusCode.OK);

    private async Task<string> ConsentAsync(Organisation owner, Organisation receiver, Guid caseId) =>
        (string)(await service.RecordConsentAsync(owner, caseId.ToString(), CaseSamples.Consent(receiver.Id)))["consent"]!["id"]!;

    private async Task AcceptHandoverAsync(Organisation owner, Organisation receiver, Guid caseId)
    {
        var handover = Guid.NewGuid();
        await service.PublishAsync(new HandoverAccepted(handover, caseId, owner.Id, receiver.Id, 3, DateTimeOffset.UtcNow));
        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM case_handovers WHERE handover_id = '{handover}'"), 1, "the handover to be known");
    }

    private async Task ReadDossierAsync(Organisation receiver, Guid caseId) =>
        (await service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.OK);

    private async Task<string> StatusAsync(Guid caseId)
    {
        foreach (var status in new[] { "Open", "Closed", "Erased" })
        {
            if (await service.Database.CountAsync($"SELECT count(*) FROM cases WHERE id = '{caseId}' AND status = '{status}'") == 1)
            {
                return status;
            }
        }

        return "missing";
    }
}

/// <summary>A period below its documented minimum stops the start, naming the setting.</summary>
public sealed class RetentionSettingTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Theory]
    [InlineData("Retention:Periods:ConsentProof", "365.00:00:00", "Retention:Periods:ConsentProof is 365.00:00:00, shorter than its minimum of 1096.00:00:00")]
    [InlineData("Retention:Periods:ClosedCases", "7.00:00:00", "Retention:Periods:ClosedCases is 7.00:00:00, shorter than its minimum")]
    [InlineData("Retention:Periods:ClosedCase", "800.00:00:00", "Retention:Periods:ClosedCase names no retention rule of this service")]
    public void AStartWithAPeriodBelowItsMinimum_IsRefused_NamingTheSetting(string setting, string value, string message)
    {
        var settings = service.VirtualHost.Settings(service: "counselling");
        settings[setting] = value;
        using var factory = new ServiceFactory<Program>(service.Database.ConnectionString, settings);

        var start = () => factory.CreateClient();

        start.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message.Should().Contain(message);
    }

    [Fact]
    public void EveryRuleTheServiceApplies_IsADocumentedRule_WithAMinimumNotAboveItsDefault()
    {
        var applied = service.Factory.Services.GetServices<RetentionRule>().ToList();
        applied.Select(r => r.Name).Should().BeEquivalentTo(RetentionRules.Of(RetentionRules.Counselling).Select(r => r.Name));
        applied.Should().OnlyContain(r => r.Minimum <= r.Default && r.Reason.Length > 0);
    }
}

/// <summary>The record of processing activities (GDPR Art. 30), written from the code; with one period configured longer than its default.</summary>
public sealed class ProcessingRecordTests(ProcessingRecordTests.ConfiguredService service) : IClassFixture<ProcessingRecordTests.ConfiguredService>
{
    public sealed class ConfiguredService : CounsellingService
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Retention:Periods:ClosedCases"] = "800.00:00:00",
        };
    }

    [Fact]
    public async Task AConfiguredPeriod_IsWhatTheRecordAndTheReportState()
    {
        var coordinator = new Organisation(Guid.NewGuid(), "coordinator");
        var record = await (await service.SendAsync(coordinator, HttpMethod.Get, "/admin/processing-record")).Content.ReadAsStringAsync();
        record.Should().MatchRegex(@"\| counselling \| `Retention:Periods:ClosedCases` \|[^\n]*\| 800 days \(configured\) \| 90 days \|");
        record.Should().MatchRegex(@"\| handovers \| `Retention:Periods:ErasedCaseHandovers` \|[^\n]*\| 1096 days \(default\) \|");

        var report = (await (await service.SendAsync(coordinator, HttpMethod.Get, "/admin/retention")).Content.ReadFromJsonAsync<JsonObject>())!;
        var closedCases = report["rules"]!.AsArray().Single(r => (string?)r!["name"] == "ClosedCases")!;
        ((string?)closedCases["period"]).Should().Be("800.00:00:00");
        ((string?)closedCases["default"]).Should().Be("730.00:00:00");
    }

    [Fact]
    public async Task TheRecord_NamesEveryDataCategory_ServiceType_AndRetentionSetting_OfEveryService()
    {
        var coordinator = new Organisation(Guid.NewGuid(), "coordinator");
        var response = await service.SendAsync(coordinator, HttpMethod.Get, "/admin/processing-record");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/markdown");
        var record = await response.Content.ReadAsStringAsync();

        // Enumerated from the code, not listed here: a category or a rule added later must be described in the record.
        var categories = typeof(DataCategories).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        categories.Should().BeEquivalentTo(DataCategories.All);
        foreach (var category in categories)
        {
            record.Should().MatchRegex($@"\| `{category}` \| [^|\s][^|]*\|", $"the category {category} must be described");
        }

        var rules = typeof(RetentionRules).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(RetentionRuleDefinition)).Select(f => (RetentionRuleDefinition)f.GetValue(null)!)
            .Concat(RetentionRules.All)
            .Concat(new[] { RetentionRules.Partners, RetentionRules.Counselling, RetentionRules.Handovers }
                .SelectMany(s => new[] { RetentionRules.Activity(s), RetentionRules.AuditTrail(s) }))
            .ToList();
        foreach (var rule in rules)
        {
            record.Should().Contain($"| {rule.Service} | `{rule.Setting}` |", $"{rule.Service}'s {rule.Setting} must be in the record");
        }

        foreach (var applied in service.Factory.Services.GetServices<RetentionRule>())
        {
            record.Should().Contain($"| counselling | `{applied.Setting}` | ", "every rule Counselling applies");
        }

        foreach (var type in ServiceTypes.All)
        {
            record.Should().Contain($"`{type.Code}`");
        }

        record.Should().Contain("Art. 49(1)(a)").And.Contain("§ 203 StGB").And.Contain("continuation-of-counselling");
    }

    [Fact]
    public async Task AnOrganisation_IsRefused()
    {
        var partner = new Organisation(Guid.NewGuid(), "origin-partner");
        (await service.SendAsync(partner, HttpMethod.Get, "/admin/processing-record")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }
}
