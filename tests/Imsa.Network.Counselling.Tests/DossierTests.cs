using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Handovers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Counselling.Tests;

/// <summary>
/// The dossier as a receiving service reads it. Handovers are announced here as the Handovers service will announce
/// them: by events on the broker.
/// </summary>
public sealed class DossierTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    private sealed record Scene(Organisation Owner, Organisation Receiver, string CaseId, string ConsentId, string WithdrawalCode, Guid HandoverId);

    private async Task<Scene> AcceptedHandoverAsync(string[] categories, bool explicitSpecial = false)
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/sessions", CaseSamples.Session())).EnsureSuccessStatusCode();
        var recorded = await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id, categories, explicitSpecial));
        var handoverId = Guid.NewGuid();
        await AnnounceAsync(new HandoverAccepted(handoverId, Guid.Parse(caseId), owner.Id, receiver.Id, 3, DateTimeOffset.UtcNow));
        await HandoverStatusAsync(handoverId, "accepted");
        return new Scene(owner, receiver, caseId, (string)recorded["consent"]!["id"]!, (string)recorded["receipt"]!["withdrawal"]!["code"]!, handoverId);
    }

    private Task AnnounceAsync<T>(T message, Guid? messageId = null)
        where T : class => service.PublishAsync(message, messageId);

    private Task<long> HandoverStatusAsync(Guid handoverId, string status, long? version = null) =>
        Eventually.UntilCount(
            () => service.Database.CountAsync(
                $"SELECT count(*) FROM case_handovers WHERE handover_id = '{handoverId}' AND status = '{status}'"
                + (version is null ? "" : $" AND version = {version}")),
            1,
            $"handover {handoverId} to be {status}");

    [Fact]
    public async Task Dossier_UnderAnAcceptedHandoverAndConsent_ShowsExactlyTheConsentedCategories_AndLogsTheDisclosure()
    {
        var scene = await AcceptedHandoverAsync(["identity", "migration-plan", "counselling-history"]);

        var response = await service.SendAsync(scene.Receiver, HttpMethod.Get, $"/cases/{scene.CaseId}/dossier");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var dossier = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        dossier["categories"]!.AsArray().Select(c => (string?)c).Should().Equal("identity", "migration-plan", "counselling-history");
        ((string?)dossier["identity"]!["familyName"]).Should().Be(CaseSamples.FamilyName);
        ((string?)dossier["migrationPlan"]!["plannedArrival"]).Should().Be(TestDates.ArrivalText);
        ((string?)dossier["counsellingHistory"]![0]!["notes"]).Should().Be(CaseSamples.Note);
        foreach (var withheld in new[] { "contact", "languageAndQualifications", "needsAndOpenTasks", "specialCategories" })
        {
            dossier[withheld].Should().BeNull($"{withheld} was not consented to");
        }

        var body = dossier.ToJsonString();
        body.Should().NotContain(CaseSamples.Email).And.NotContain(CaseSamples.RiskNote).And.NotContain(CaseSamples.Certificate);

        var disclosures = (await (await service.SendAsync(scene.Owner, HttpMethod.Get, $"/cases/{scene.CaseId}/disclosures")).Content.ReadFromJsonAsync<JsonArray>())!;
        var disclosure = disclosures.Single()!;
        ((string?)disclosure["id"]).Should().Be((string?)dossier["disclosureId"]);
        ((string?)disclosure["organisationId"]).Should().Be(scene.Receiver.Id.ToString());
        ((string?)disclosure["handoverId"]).Should().Be(scene.HandoverId.ToString());
        disclosure["categories"]!.AsArray().Select(c => (string?)c).Should().Equal("identity", "migration-plan", "counselling-history");
        disclosure["consentIds"]!.AsArray().Select(c => (string?)c).Should().Equal(scene.ConsentId);

        await service.SendAsync(scene.Receiver, HttpMethod.Get, $"/cases/{scene.CaseId}/dossier");
        (await service.Database.CountAsync($"SELECT count(*) FROM disclosures WHERE case_id = '{scene.CaseId}'")).Should().Be(2, "every read is a disclosure");
        (await service.SendAsync(scene.Receiver, HttpMethod.Get, $"/cases/{scene.CaseId}/disclosures")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task SpecialCategories_AreShownOnlyUnderExplicitConsent()
    {
        var scene = await AcceptedHandoverAsync(["identity", "special-categories"], explicitSpecial: true);

        var dossier = (await (await service.SendAsync(scene.Receiver, HttpMethod.Get, $"/cases/{scene.CaseId}/dossier")).Content.ReadFromJsonAsync<JsonObject>())!;

        ((string?)dossier["specialCategories"]!["riskFlags"]![0]!["note"]).Should().Be(CaseSamples.RiskNote);
    }

    [Fact]
    public async Task Dossier_WithoutAnAcceptedHandover_Is404_AndWithoutAConsentNamingTheReader_Is403()
    {
        var scene = await AcceptedHandoverAsync(["identity"]);
        var other = await service.RegisterAsync("receiving-service");

        // An offer not yet accepted opens nothing.
        var offered = Guid.NewGuid();
        await AnnounceAsync(new HandoverOffered(offered, Guid.Parse(scene.CaseId), scene.Owner.Id, other.Id, DateTimeOffset.UtcNow.AddDays(7), 2, DateTimeOffset.UtcNow));
        await HandoverStatusAsync(offered, "offered");
        (await service.SendAsync(other, HttpMethod.Get, $"/cases/{scene.CaseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // Accepted, but the person's consent names another service.
        await AnnounceAsync(new HandoverAccepted(offered, Guid.Parse(scene.CaseId), scene.Owner.Id, other.Id, 3, DateTimeOffset.UtcNow));
        await HandoverStatusAsync(offered, "accepted");
        var refused = await service.SendAsync(other, HttpMethod.Get, $"/cases/{scene.CaseId}/dossier");
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync()).Should().NotContainAny(CaseSamples.Secrets);
        (await service.Database.CountAsync($"SELECT count(*) FROM disclosures WHERE organisation_id = '{other.Id}'")).Should().Be(0);
    }

    public static TheoryData<string> Channels => ["owner-partner", "receiving-service", "data-subject"];

    [Theory]
    [MemberData(nameof(Channels))]
    public async Task AWithdrawal_ThroughAnyChannel_RefusesTheVeryNextDossierRead(string channel)
    {
        var scene = await AcceptedHandoverAsync(["identity", "contact"]);
        (await service.SendAsync(scene.Receiver, HttpMethod.Get, $"/cases/{scene.CaseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.OK);

        var withdrawal = channel switch
        {
            "owner-partner" => await service.SendAsync(scene.Owner, HttpMethod.Post, $"/cases/{scene.CaseId}/consents/{scene.ConsentId}/withdraw"),
            "receiving-service" => await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/cases/{scene.CaseId}/consents/{scene.ConsentId}/withdraw"),
            _ => await service.Client.PostAsJsonAsync("/consent-withdrawals", new { code = scene.WithdrawalCode }),
        };
        withdrawal.StatusCode.Should().Be(HttpStatusCode.OK);

        var next = await service.SendAsync(scene.Receiver, HttpMethod.Get, $"/cases/{scene.CaseId}/dossier");
        next.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await next.Content.ReadAsStringAsync()).Should().NotContainAny(CaseSamples.Secrets);
        (await service.Database.CountAsync($"SELECT count(*) FROM disclosures WHERE case_id = '{scene.CaseId}'")).Should().Be(1);
        var consent = (await (await service.SendAsync(scene.Owner, HttpMethod.Get, $"/cases/{scene.CaseId}/consents/{scene.ConsentId}")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)consent["withdrawal"]!["channel"]).Should().Be(channel);
    }

    [Fact]
    public async Task HandoverEvents_OutOfOrderOrTwice_NeverReopenAnEndedHandover()
    {
        var scene = await AcceptedHandoverAsync(["identity"]);
        var caseId = Guid.Parse(scene.CaseId);

        // A late offer (older version) after the acceptance changes nothing.
        await AnnounceAsync(new HandoverOffered(scene.HandoverId, caseId, scene.Owner.Id, scene.Receiver.Id, DateTimeOffset.UtcNow, 2, DateTimeOffset.UtcNow));
        // Revoked (v5) arrives before the first-contact outcome (v4) that preceded it.
        var revoked = Guid.NewGuid();
        await AnnounceAsync(new HandoverRevoked(scene.HandoverId, caseId, scene.Owner.Id, scene.Receiver.Id, "consent-withdrawn", 5, DateTimeOffset.UtcNow), revoked);
        await HandoverStatusAsync(scene.HandoverId, "revoked", 5);
        await AnnounceAsync(new HandoverOutcomeRecorded(scene.HandoverId, caseId, scene.Owner.Id, scene.Receiver.Id, "first-contact-made", DateOnly.FromDateTime(DateTime.UtcNow), "in-contact", 4, DateTimeOffset.UtcNow));
        await AnnounceAsync(new HandoverAccepted(scene.HandoverId, caseId, scene.Owner.Id, scene.Receiver.Id, 3, DateTimeOffset.UtcNow));
        // The same revocation again, under the same message id, is recognised by the inbox.
        await AnnounceAsync(new HandoverRevoked(scene.HandoverId, caseId, scene.Owner.Id, scene.Receiver.Id, "consent-withdrawn", 5, DateTimeOffset.UtcNow), revoked);
        // A marker after them all: once it is applied, the late ones have been consumed.
        var marker = Guid.NewGuid();
        await AnnounceAsync(new HandoverOffered(marker, caseId, scene.Owner.Id, scene.Receiver.Id, DateTimeOffset.UtcNow.AddDays(7), 2, DateTimeOffset.UtcNow));
        await HandoverStatusAsync(marker, "offered");
        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM messaging.inbox_messages WHERE consumer = 'HandoverProjectionConsumer'"),
            await service.Database.CountAsync("SELECT count(*) FROM messaging.inbox_messages WHERE consumer = 'HandoverProjectionConsumer'"),
            "the projection to settle");

        (await service.Database.CountAsync($"SELECT count(*) FROM case_handovers WHERE handover_id = '{scene.HandoverId}' AND status = 'revoked' AND version = 5")).Should().Be(1);
        (await service.Database.CountAsync($"SELECT count(*) FROM messaging.inbox_messages WHERE message_id = '{revoked}'")).Should().Be(1);
        (await service.SendAsync(scene.Receiver, HttpMethod.Get, $"/cases/{scene.CaseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var onCase = (await (await service.SendAsync(scene.Owner, HttpMethod.Get, $"/cases/{scene.CaseId}")).Content.ReadFromJsonAsync<JsonObject>())!;
        onCase["handovers"]!.AsArray().Select(h => ((string?)h!["handoverId"], (string?)h["status"]))
            .Should().BeEquivalentTo([(scene.HandoverId.ToString(), "revoked"), (marker.ToString(), "offered")]);
    }

    [Fact]
    public async Task TheOwnersCase_ShowsTheHandoverOutcome_TheClosedLoop()
    {
        var scene = await AcceptedHandoverAsync(["identity"]);
        var contactDay = new DateOnly(2027, 3, 4);

        await AnnounceAsync(new HandoverOutcomeRecorded(scene.HandoverId, Guid.Parse(scene.CaseId), scene.Owner.Id, scene.Receiver.Id, "first-contact-made", contactDay, "in-contact", 4, DateTimeOffset.UtcNow));
        await HandoverStatusAsync(scene.HandoverId, "in-contact");

        var onCase = (await (await service.SendAsync(scene.Owner, HttpMethod.Get, $"/cases/{scene.CaseId}")).Content.ReadFromJsonAsync<JsonObject>())!;
        var handover = onCase["handovers"]!.AsArray().Single()!;
        ((string?)handover["lastOutcome"]).Should().Be("first-contact-made");
        ((string?)handover["lastOutcomeOn"]).Should().Be("2027-03-04");
        (await service.SendAsync(scene.Receiver, HttpMethod.Get, $"/cases/{scene.CaseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.OK, "in contact, the receiver still reads");
    }

    [Fact]
    public async Task TwoEventsOfOneTicketAppliedAtOnce_CannotBothWin_TheLaterCommitMustRetry()
    {
        var scene = await AcceptedHandoverAsync(["identity"]);
        await using var first = service.Factory.Services.CreateAsyncScope();
        await using var second = service.Factory.Services.CreateAsyncScope();
        var a = first.ServiceProvider.GetRequiredService<Data.CounsellingDbContext>();
        var b = second.ServiceProvider.GetRequiredService<Data.CounsellingDbContext>();
        var seenByA = await a.Handovers.SingleAsync(h => h.HandoverId == scene.HandoverId);
        var seenByB = await b.Handovers.SingleAsync(h => h.HandoverId == scene.HandoverId);

        // As the consumer would: A applies first contact (v4), B a late-arriving but not-yet-seen older state.
        seenByA.Status = "in-contact";
        seenByA.Version = 4;
        await a.SaveChangesAsync();
        seenByB.Status = "offered";
        seenByB.Version = 2;
        var lost = () => b.SaveChangesAsync();

        await lost.Should().ThrowAsync<DbUpdateConcurrencyException>("the consumer retries, re-reads version 4 and leaves it");
        (await service.Database.CountAsync($"SELECT count(*) FROM case_handovers WHERE handover_id = '{scene.HandoverId}' AND status = 'in-contact'")).Should().Be(1);
    }
}
