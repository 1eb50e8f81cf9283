using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Handovers;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// The product's heart across the three running services: a case opened abroad reaches a German service, is
/// answered, and the partner learns the outcome. Everything goes through the REST APIs and the broker.
/// </summary>
public class HandoverJourneyTests : IAsyncLifetime
{
    private Network _network = null!;

    protected Network Network => _network;

    /// <summary>Whether the clients reach the services through the gateway (one host, one port).</summary>
    protected virtual bool ThroughGateway => false;

    public async Task InitializeAsync() => _network = await Network.StartAsync(throughGateway: ThroughGateway);

    public async Task DisposeAsync() => await _network.DisposeAsync();

    internal static object CaseContent(string plannedArrival) => new
    {
        identity = new { givenNames = "Amina", familyName = "Example", dateOfBirth = "2007-05-02", nationalities = new[] { "MA" } },
        contact = new { email = "amina@example.org", preferredLanguage = "ar" },
        migrationPlan = new { purpose = "vocational-training", plannedArrival, destinationPostalCode = "55116" },
        languageAndQualifications = new { germanLevel = "B1", languagesSpoken = new[] { "ar", "fr" } },
        specialCategories = new { riskFlags = new[] { new { code = "psychosocial", note = "Lost a parent this year" } } },
    };

    private Task<(Member Partner, Member Receiver, string CaseId, JsonObject Consent)> CaseWithConsentAsync(params Member[] extraRecipients) =>
        CaseWithConsentAsync(_network, extraRecipients);

    /// <summary>A partner's case, with a session and the person's consent naming a receiving service in Mainz (and <paramref name="extraRecipients"/>).</summary>
    internal static async Task<(Member Partner, Member Receiver, string CaseId, JsonObject Consent)> CaseWithConsentAsync(Network network, params Member[] extraRecipients)
    {
        var partner = await Member.JoinAsync(network, "Association Passerelles Rabat", "MA", "origin-partner");
        var receiver = await Member.JoinAsync(network, "Jugendmigrationsdienst Mainz", "DE", "receiving-service", Member.MainzYouthService());
        var opened = await partner.SendAsync(network.Counselling, HttpMethod.Post, "/cases", CaseContent(TestDates.ArrivalText));
        opened.StatusCode.Should().Be(HttpStatusCode.Created);
        var caseId = (string)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        (await partner.SendAsync(network.Counselling, HttpMethod.Post, $"/cases/{caseId}/sessions",
            new { heldOn = "2026-11-20", format = "video", topics = new[] { "EDU" }, notes = "Training contract signed." })).EnsureSuccessStatusCode();
        var recipients = new[] { receiver.Id }.Concat(extraRecipients.Select(r => r.Id)).ToArray();
        // The receiver must be known to Counselling (by Partners' event) before a consent can name it.
        var recorded = await Eventually.Until(
            () => partner.SendAsync(network.Counselling, HttpMethod.Post, $"/cases/{caseId}/consents", new
            {
                recipients,
                categories = new[] { "identity", "contact", "migration-plan", "counselling-history" },
                method = "signed-form",
                obtainedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
                textLanguage = "en",
                textVersion = "1",
                validUntil = DateTimeOffset.UtcNow.AddYears(1),
            }),
            r => r.StatusCode == HttpStatusCode.Created,
            "the consent to be recorded");
        return (partner, receiver, caseId, (await recorded.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    [Fact]
    public async Task TheFullJourney_FromCaseAbroadToFirstContactInGermany_ClosesTheLoop()
    {
        var (partner, receiver, caseId, _) = await CaseWithConsentAsync();
        var stranger = await Member.JoinAsync(_network, "Another NGO", "TN", "origin-partner");

        // Matching suggests the receiver, with its load.
        var matches = (await (await partner.SendAsync(_network.Partners, HttpMethod.Post, "/directory/matches",
            new { postalCode = "55116", age = 19, purpose = "vocational-training", languages = new[] { "ar" }, topics = new[] { "EDU" } }))
            .Content.ReadFromJsonAsync<JsonObject>())!;
        matches["matches"]!.AsArray().Select(m => (Guid)m!["organisationId"]!).Should().Contain(receiver.Id);

        var handoverId = await partner.RequestHandoverAsync(_network, caseId, receiver);

        var inbox = await Eventually.Until(
            async () => (await (await receiver.SendAsync(_network.Handovers, HttpMethod.Get, "/handovers/inbox")).Content.ReadFromJsonAsync<JsonArray>())!,
            items => items.Count == 1,
            "the offer in the receiver's inbox");
        ((string?)inbox[0]!["id"]).Should().Be(handoverId);
        (await receiver.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{handoverId}/accept")).StatusCode.Should().Be(HttpStatusCode.OK);

        // The acceptance reaches Counselling: the dossier opens, with the consented categories only.
        var dossierResponse = await Eventually.Until(
            () => receiver.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/dossier"),
            r => r.StatusCode == HttpStatusCode.OK,
            "the dossier to open for the accepted handover");
        var dossier = (await dossierResponse.Content.ReadFromJsonAsync<JsonObject>())!;
        dossier["categories"]!.AsArray().Select(c => (string?)c).Should().Equal("identity", "contact", "migration-plan", "counselling-history");
        ((string?)dossier["identity"]!["familyName"]).Should().Be("Example");
        ((string?)dossier["handoverId"]).Should().Be(handoverId);
        dossier["specialCategories"].Should().BeNull();
        dossier["languageAndQualifications"].Should().BeNull();

        (await receiver.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{handoverId}/outcomes",
            new { outcome = "first-contact-made", occurredOn = DateOnly.FromDateTime(DateTime.UtcNow) })).StatusCode.Should().Be(HttpStatusCode.OK);

        // The closed loop: the partner sees the outcome on its case, in Counselling.
        var onCase = await Eventually.Until(
            () => partner.ReadAsync(_network.Counselling, $"/cases/{caseId}"),
            c => c["handovers"]!.AsArray().Any(h => (string?)h!["lastOutcome"] == "first-contact-made"),
            "the outcome on the partner's case");
        ((string?)onCase["handovers"]![0]!["status"]).Should().Be("in-contact");
        var disclosures = (await (await partner.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/disclosures")).Content.ReadFromJsonAsync<JsonArray>())!;
        disclosures.Select(d => (Guid)d!["organisationId"]!).Should().Contain(receiver.Id);

        // Partners counts the receiver's open handover for matching.
        await Eventually.Until(
            async () => (await (await partner.SendAsync(_network.Partners, HttpMethod.Post, "/directory/matches",
                new { postalCode = "55116", age = 19, purpose = "vocational-training" })).Content.ReadFromJsonAsync<JsonObject>())!,
            m => m["matches"]!.AsArray().Any(s => (Guid)s!["organisationId"]! == receiver.Id
                && s["reasons"]!.AsArray().Any(r => ((string?)r)!.Contains("1 of 20 handovers open", StringComparison.Ordinal))),
            "the receiver's load in matching");

        // A third organisation sees none of it.
        (await stranger.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.SendAsync(_network.Handovers, HttpMethod.Get, $"/handovers/{handoverId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{handoverId}/withdraw")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WithdrawingConsentWithTheReceiptCode_RevokesTheHandoverAndRefusesTheDossier_WithinSeconds()
    {
        var (partner, receiver, caseId, consent) = await CaseWithConsentAsync();
        var handoverId = await partner.RequestHandoverAsync(_network, caseId, receiver);
        (await receiver.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{handoverId}/accept")).EnsureSuccessStatusCode();
        await Eventually.Until(
            () => receiver.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/dossier"), r => r.StatusCode == HttpStatusCode.OK, "the dossier to open");

        var code = (string)consent["receipt"]!["withdrawal"]!["code"]!;
        (await _network.Counselling.PostAsJsonAsync("/consent-withdrawals", new { code })).StatusCode.Should().Be(HttpStatusCode.OK);

        (await receiver.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var revoked = await Eventually.Until(
            () => receiver.ReadAsync(_network.Handovers, $"/handovers/{handoverId}"),
            h => (string?)h["status"] == "revoked",
            "the handover to be revoked",
            TimeSpan.FromSeconds(10));
        ((string?)revoked["revocationCause"]).Should().Be("consent-withdrawn");
        await Eventually.Until(
            () => partner.ReadAsync(_network.Counselling, $"/cases/{caseId}"),
            c => (string?)c["handovers"]![0]!["status"] == "revoked",
            "the revocation on the partner's case");
    }

    [Fact]
    public async Task ADeclineWithReason_IsSeenByThePartner_WhoHandsTheCaseToAnotherService()
    {
        var second = await Member.JoinAsync(_network, "Migrationsberatung Mainz", "DE", "receiving-service");
        var (partner, receiver, caseId, _) = await CaseWithConsentAsync(second);
        var first = await partner.RequestHandoverAsync(_network, caseId, receiver);

        (await receiver.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{first}/decline", new { reason = "no-capacity" })).StatusCode.Should().Be(HttpStatusCode.OK);

        var declined = await partner.ReadAsync(_network.Handovers, $"/handovers/{first}");
        ((string?)declined["declineReason"]).Should().Be("no-capacity");
        await Eventually.Until(
            () => partner.ReadAsync(_network.Counselling, $"/cases/{caseId}"),
            c => c["handovers"]!.AsArray().Any(h => (string?)h!["declineReason"] == "no-capacity"),
            "the decline on the partner's case");
        var rerouted = await partner.RequestHandoverAsync(_network, caseId, second);
        ((string?)(await second.ReadAsync(_network.Handovers, $"/handovers/{rerouted}"))["status"]).Should().Be("offered");
    }

    [Fact]
    public async Task AnOfferLeftUnanswered_IsEscalatedWhenTimePassesItsDeadline()
    {
        await using var tap = await EventTap.StartAsync(_network.VirtualHost, typeof(HandoverEscalated));
        var (partner, receiver, caseId, _) = await CaseWithConsentAsync();
        var handoverId = await partner.RequestHandoverAsync(_network, caseId, receiver);

        _network.Time.Advance(TimeSpan.FromDays(8));

        var escalated = await tap.WaitForAsync<HandoverEscalated>(m => (string?)m["handoverId"] == handoverId);
        ((Guid)escalated["receiverOrganisationId"]!).Should().Be(receiver.Id);
        ((string?)(await partner.ReadAsync(_network.Handovers, $"/handovers/{handoverId}"))["status"]).Should().Be("escalated");
    }
}

/// <summary>The same journeys with every call going through the gateway, unchanged but for the address.</summary>
public sealed class HandoverJourneyThroughGatewayTests : HandoverJourneyTests
{
    protected override bool ThroughGateway => true;

    [Fact]
    public async Task OneSwaggerUi_ListsTheThreeDocuments_EachAddressedThroughTheGateway()
    {
        using var client = new HttpClient { BaseAddress = Network.Gateway };

        var ui = await client.GetStringAsync("/swagger/index.html");
        ui.Should().Contain("swagger", "the gateway serves the Swagger UI");
        var config = await client.GetStringAsync("/swagger/index.js");
        config.Should().Contain("/partners/swagger/v1/swagger.json").And.Contain("/counselling/swagger/v1/swagger.json").And.Contain("/handovers/swagger/v1/swagger.json");
        var document = (await client.GetFromJsonAsync<JsonObject>("/counselling/swagger/v1/swagger.json"))!;
        // The gateway's public address from configuration (Network:PublicUrl), the prefix from the gateway.
        ((string?)document["servers"]![0]!["url"]).Should().Be($"{TestNetwork.PublicUrl}counselling");
        ((string?)document["components"]!["securitySchemes"]!["oauth2"]!["flows"]!["clientCredentials"]!["tokenUrl"])
            .Should().Be($"{TestNetwork.PublicUrl}partners/connect/token");

        // Asked directly, after the gateway's request, the same service still names its own token endpoint.
        using var direct = new HttpClient { BaseAddress = Network.DirectAddress("counselling") };
        var own = (await direct.GetFromJsonAsync<JsonObject>("/swagger/v1/swagger.json"))!;
        own["servers"].Should().BeNull();
        ((string?)own["components"]!["securitySchemes"]!["oauth2"]!["flows"]!["clientCredentials"]!["tokenUrl"])
            .Should().Be($"{TestIdentity.Issuer}connect/token");
    }
}

/// <summary>
/// People hear of what asks them to act, across the running services: the receiving counsellor of the offer (within
/// a minute, without opening the inbox), the counsellor abroad of the answer and of the person's withdrawal; and no
/// mail carries anything of the case. Not through the gateway: people sign in at Partners' test server.
/// </summary>
public sealed class NotificationEndToEndTests : IAsyncLifetime
{
    private Network _network = null!;

    public async Task InitializeAsync() => _network = await Network.StartAsync();

    public async Task DisposeAsync() => await _network.DisposeAsync();

    [Fact]
    public async Task PeopleAreNotified_OfTheOfferTheAnswerAndTheWithdrawal_AndNoMailCarriesTheCasesPersonalData()
    {
        var (partner, receiver, caseId, consent) = await HandoverJourneyTests.CaseWithConsentAsync(_network);
        var receivingCounsellor = await _network.Partners.EnrolPersonAsync(receiver.Token, receiver.Id, displayName: "Lena Wagner");
        var originCounsellor = await _network.Partners.EnrolPersonAsync(partner.Token, partner.Id);
        using var receiverBrowser = _network.PartnersBrowser();
        var receiving = await receiverBrowser.AccessTokenAsync(receivingCounsellor);
        using var originBrowser = _network.PartnersBrowser();
        var origin = await originBrowser.AccessTokenAsync(originCounsellor);

        // The receiving counsellor learns of the offer without opening the inbox: in their list and by mail, within a minute.
        var handoverId = await partner.RequestHandoverAsync(_network, caseId, receiver, message: "Her cousin Youssef Example lives in Mainz.");
        await Eventually.Until(() => KindsAsync(receiving, handoverId), kinds => kinds.Contains("offer-received"), "the offer's notification", TimeSpan.FromMinutes(1));
        var offerMail = await Eventually.Until(
            () => Task.FromResult(TestMail.NotificationsTo(receivingCounsellor.Email)), m => m.Count >= 1, "the offer's mail", TimeSpan.FromMinutes(1));
        offerMail[0].TextBody.Should().Contain($"/inbox/{handoverId}");

        (await receiver.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{handoverId}/accept")).EnsureSuccessStatusCode();
        await Eventually.Until(() => KindsAsync(origin, handoverId), kinds => kinds.Contains("handover-accepted"), "the acceptance's notification");

        // The person withdraws alone: the counsellor abroad hears of it, and both sides of the revocation.
        var code = (string)consent["receipt"]!["withdrawal"]!["code"]!;
        (await _network.Counselling.PostAsJsonAsync("/consent-withdrawals", new { code })).StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.Until(() => KindsAsync(origin, null), kinds => kinds.Contains("consent-withdrawn") && kinds.Contains("handover-revoked"), "the withdrawal's notifications");
        await Eventually.Until(() => KindsAsync(receiving, handoverId), kinds => kinds.Contains("handover-revoked"), "the revocation at the receiver");

        // Every mail names the organisations and the handover, nothing of the person.
        var mails = await Eventually.Until(
            () => Task.FromResult(TestMail.NotificationsTo(originCounsellor.Email).Concat(TestMail.NotificationsTo(receivingCounsellor.Email)).ToList()),
            m => m.Count >= 5, "the mails (offer, acceptance, withdrawal, two revocations)");
        var everything = string.Join("\n", mails.Select(m => m.Subject + "\n" + m.TextBody));
        everything.Should().Contain(handoverId[^8..]);
        foreach (var personal in new[] { "Amina", "Example", "amina@example.org", "2007-05-02", "Lost a parent", "Training contract", "Youssef", "Lena" })
        {
            everything.Should().NotContain(personal, "a notification names no one and carries nothing of the case");
        }
    }

    /// <summary>The kinds of the person's notifications, about one handover or all.</summary>
    private async Task<IReadOnlyList<string>> KindsAsync(string personToken, string? handoverId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/people/me/notifications?limit=100");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", personToken);
        var items = (await (await _network.Partners.SendAsync(request)).Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
        return [.. items.Where(i => handoverId is null || (string?)i!["handoverId"] == handoverId).Select(i => (string)i!["kind"]!)];
    }
}
