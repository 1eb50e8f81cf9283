using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// GDPR Art. 15 and 20: the owner's export of a case that went the whole way holds every part the person is owed —
/// Handovers' part included, asked of it with the owner's token — validates against its published schema, and holds
/// nothing of another case.
/// </summary>
public sealed class ExportEndToEndTests : IAsyncLifetime
{
    private Network _network = null!;

    public async Task InitializeAsync() => _network = await Network.StartAsync();

    public async Task DisposeAsync() => await _network.DisposeAsync();

    [Fact]
    public async Task TheExportOfAWholeJourney_HoldsEveryPart_ValidatesAgainstItsSchema_AndNothingOfAnotherCase()
    {
        var partner = await Member.JoinAsync(_network, "Association Export Tunis", "TN", "origin-partner");
        var decliner = await Member.JoinAsync(_network, "Migrationsberatung Export", "DE", "receiving-service");
        var receiver = await Member.JoinAsync(_network, "Jugendmigrationsdienst Export", "DE", "receiving-service");
        var caseId = await OpenAsync(partner, "Salma", "Exportcheck", "salma.exportcheck@example.org");
        var otherCase = await OpenAsync(partner, "Karim", "Othercase-Notexported", "karim.othercase@example.org");
        (await partner.SendAsync(_network.Counselling, HttpMethod.Post, $"/cases/{caseId}/sessions",
            new { heldOn = "2026-11-21", format = "video", topics = new[] { "EDU" }, notes = "Exportcheck session notes" })).EnsureSuccessStatusCode();
        (await partner.SendAsync(_network.Counselling, HttpMethod.Post, $"/cases/{otherCase}/sessions",
            new { heldOn = "2026-11-21", format = "video", topics = new[] { "EDU" }, notes = "Othercase session notes" })).EnsureSuccessStatusCode();
        var consent = await ConsentAsync(partner, caseId, decliner, receiver);
        await ConsentAsync(partner, otherCase, receiver);

        var declined = await partner.RequestHandoverAsync(_network, caseId, decliner, "Exportcheck message to the first service");
        (await decliner.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{declined}/decline", new { reason = "other", note = "Exportcheck decline note" }))
            .EnsureSuccessStatusCode();
        var accepted = await partner.RequestHandoverAsync(_network, caseId, receiver, "Exportcheck message to the second service");
        await partner.RequestHandoverAsync(_network, otherCase, receiver, "Othercase message");
        (await receiver.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{accepted}/accept")).EnsureSuccessStatusCode();
        await Eventually.Until(
            () => receiver.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/dossier"), r => r.StatusCode == HttpStatusCode.OK, "the dossier to open");
        (await receiver.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{accepted}/outcomes",
            new { outcome = "first-contact-made", occurredOn = DateOnly.FromDateTime(DateTime.UtcNow) })).EnsureSuccessStatusCode();

        var response = await partner.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/export");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var text = await response.Content.ReadAsStringAsync();
        var export = JsonNode.Parse(text)!.AsObject();

        var schema = JsonSchema.FromText(await File.ReadAllTextAsync(Path.Combine(TestRepository.Root, "docs", "schemas", "case-export.schema.json")));
        var result = schema.Evaluate(JsonDocument.Parse(text).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        result.IsValid.Should().BeTrue(string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));

        ((string?)export["personalData"]!["identity"]!["familyName"]).Should().Be("Exportcheck");
        ((string?)export["personalData"]!["contact"]!["email"]).Should().Be("salma.exportcheck@example.org");
        ((string?)export["sessions"]![0]!["notes"]).Should().Be("Exportcheck session notes");
        var exportedConsent = export["consents"]!.AsArray().Single()!;
        ((string?)exportedConsent["consent"]!["id"]).Should().Be((string?)consent["consent"]!["id"]);
        exportedConsent["history"]!.AsArray().Select(h => (string?)h!["event"]).Should().Contain("given");
        exportedConsent["receipt"]!["withdrawal"]!["code"].Should().BeNull("the withdrawal code is shown once, on the first receipt");
        var handovers = export["handovers"]!.AsArray();
        handovers.Select(h => (string?)h!["id"]).Should().BeEquivalentTo([declined, accepted]);
        var first = handovers.Single(h => (string?)h!["id"] == declined)!;
        ((string?)first["declineNote"]).Should().Be("Exportcheck decline note");
        ((string?)first["message"]).Should().Be("Exportcheck message to the first service");
        var second = handovers.Single(h => (string?)h!["id"] == accepted)!;
        ((string?)second["lastOutcome"]).Should().Be("first-contact-made");
        second["timeline"]!.AsArray().Select(e => (string?)e!["action"]).Should().Contain(["requested", "accepted"]);
        export["disclosures"]!.AsArray().Select(d => (Guid)d!["organisationId"]!).Should().Equal(receiver.Id);
        var recipients = export["recipients"]!.AsArray().ToDictionary(r => (Guid)r!["organisationId"]!, r => r!["roles"]!.AsArray().Select(x => (string?)x).ToList());
        recipients[receiver.Id].Should().BeEquivalentTo(["consent-recipient", "handover-receiver", "dossier-reader"]);
        recipients[decliner.Id].Should().BeEquivalentTo(["consent-recipient", "handover-receiver"]);
        ((Guid)export["controller"]!["organisationId"]!).Should().Be(partner.Id);
        ((string?)export["controller"]!["name"]).Should().Be("Association Export Tunis", "the controller is named from its registration in Partners");
        export["rights"]!.AsArray().Select(r => (string?)r!["article"]).Should().Contain(["15", "16", "17", "18", "20", "21", "77"]);
        export["exports"]!.AsArray().Should().ContainSingle("the export itself is recorded");

        text.Should().NotContain("Othercase").And.NotContain(otherCase);

        // The printable form, in the person's language (Arabic: right to left), with the same data; and the second export is listed.
        var html = await partner.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/export?format=html&language=ar");
        html.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var page = await html.Content.ReadAsStringAsync();
        page.Should().Contain("dir=\"rtl\"").And.Contain("حقوقك").And.Contain("Exportcheck decline note").And.NotContain("Othercase");
        var third = JsonNode.Parse(await (await partner.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/export")).Content.ReadAsStringAsync())!;
        third["exports"]!.AsArray().Select(e => (string?)e!["format"]).Should().Equal("json", "html", "json");
    }

    [Fact]
    public async Task SomeoneElsesCase_Is404_ACoordinator403_BadInput422_AndAnErasedCase410()
    {
        var partner = await Member.JoinAsync(_network, "Association Export Rabat", "MA", "origin-partner");
        var stranger = await Member.JoinAsync(_network, "Another Partner", "MA", "origin-partner");
        var caseId = await OpenAsync(partner, "Nadia", "Refusalcheck", "nadia.refusal@example.org");
        var coordinator = await _network.Partners.GetCoordinatorTokenAsync();

        (await stranger.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/export")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _network.Counselling.SendAsAsync(coordinator, HttpMethod.Get, $"/cases/{caseId}/export")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var bad = await partner.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/export?format=pdf&language=xx");
        bad.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await bad.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo(["format", "language"]);
        (await _network.CounsellingDatabase.CountAsync($"SELECT count(*) FROM case_exports WHERE case_id = '{caseId}'")).Should().Be(0);

        (await partner.SendAsync(_network.Counselling, HttpMethod.Delete, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await partner.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/export")).StatusCode.Should().Be(HttpStatusCode.Gone);
    }

    private async Task<string> OpenAsync(Member partner, string givenNames, string familyName, string email)
    {
        var opened = await partner.SendAsync(_network.Counselling, HttpMethod.Post, "/cases", new
        {
            identity = new { givenNames, familyName, dateOfBirth = "2004-02-29", nationalities = new[] { "TN" } },
            contact = new { email, preferredLanguage = "ar" },
            migrationPlan = new { purpose = "vocational-training", plannedArrival = TestDates.ArrivalText, destinationPostalCode = "55116" },
        });
        opened.StatusCode.Should().Be(HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        return (string)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    private async Task<JsonObject> ConsentAsync(Member partner, string caseId, params Member[] recipients)
    {
        var recorded = await Eventually.Until(
            () => partner.SendAsync(_network.Counselling, HttpMethod.Post, $"/cases/{caseId}/consents", new
            {
                recipients = recipients.Select(r => r.Id).ToArray(),
                categories = new[] { "identity", "contact", "migration-plan", "counselling-history" },
                method = "signed-form",
                obtainedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
                textLanguage = "en",
                textVersion = "1",
                validUntil = DateTimeOffset.UtcNow.AddYears(1),
            }),
            r => r.StatusCode == HttpStatusCode.Created,
            "the consent to be recorded");
        return (await recorded.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
