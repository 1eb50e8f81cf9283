using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// GDPR Art. 17 across the network: a case that went the whole way — sessions, consent, a handover declined with a
/// note, another accepted and read, a webhook delivered about it — is erased, and then nothing that was entered about
/// the person is found in dumps of the three databases (what a backup taken afterwards would hold) or in any queue.
/// </summary>
public sealed class ErasureEndToEndTests : IAsyncLifetime
{
    // Every value entered about the person, each easy to find: in clear, or as the hex of its UTF-8 bytes (a bytea
    // column holding it unsealed).
    private static readonly string[] Entered =
    [
        "Yusra Erasecheck", "Oumarou-Shredtest", "1998-03-17", "yusra.erasecheck@example.org", "+212 699 424242", "@yusra_erasecheck",
        "7 Derb Erasecheck, Marrakech", "DELF B2 Erasecheck", "Schneiderin Erasecheck", "Wohnungssuche Erasecheck",
        "Sessioncheck: talked about the Ausbildung in Kassel", "Riskcheck: debt bondage by a recruiter",
        "Messagecheck: Yusra arrives with her sister", "Declinecheck: Frau Oumarou-Shredtest is known to us",
    ];

    private Network _network = null!;

    public async Task InitializeAsync() => _network = await Network.StartAsync(settings: new Dictionary<string, string?>
    {
        // The test's webhook receiver listens on loopback over http: allowed here only.
        ["Webhooks:AllowInsecureTargets"] = "true",
        ["Webhooks:PollInterval"] = "00:00:00.100",
        // Partners' sweep that deletes an erased case's webhook deliveries, often.
        ["Encryption:RotationInterval"] = "00:00:00.500",
    });

    public async Task DisposeAsync() => await _network.DisposeAsync();

    [Fact]
    public async Task AfterTheWholeJourney_AnErasedCaseLeavesNothingOfThePersonInAnyDatabaseDumpOrQueue()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var partner = await Member.JoinAsync(_network, "Association Erasure Rabat", "MA", "origin-partner");
        var decliner = await Member.JoinAsync(_network, "Migrationsberatung Kassel", "DE", "receiving-service");
        var receiver = await Member.JoinAsync(_network, "Jugendmigrationsdienst Kassel", "DE", "receiving-service");
        (await partner.SendAsync(_network.Partners, HttpMethod.Post, $"/organisations/{partner.Id}/webhooks", new { url = hook.Url.ToString() }))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        var opened = await _network.Counselling.SendAsAsync(partner.Token, HttpMethod.Post, "/cases", new
        {
            identity = new { givenNames = Entered[0], familyName = Entered[1], dateOfBirth = Entered[2], nationalities = new[] { "MA" } },
            contact = new { email = Entered[3], phone = Entered[4], messenger = Entered[5], addressAbroad = Entered[6], preferredLanguage = "ar" },
            migrationPlan = new { purpose = "vocational-training", plannedArrival = TestDates.ArrivalText, destinationPostalCode = "34117" },
            languageAndQualifications = new
            {
                germanLevel = "B1",
                germanCertificate = Entered[7],
                qualifications = new[] { new { title = Entered[8], country = "MA", regulated = false } },
            },
            needsAndOpenTasks = new { openTasks = new[] { new { topic = "HOUS", title = Entered[9], done = false } } },
            specialCategories = new { riskFlags = new[] { new { code = "exploitation", note = Entered[11] } } },
        }, $"open-{partner.Id}");
        opened.StatusCode.Should().Be(HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        var caseId = (string)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        (await partner.SendAsync(_network.Counselling, HttpMethod.Post, $"/cases/{caseId}/sessions",
            new { heldOn = "2026-11-20", format = "in-person", topics = new[] { "EDU" }, notes = Entered[10] })).EnsureSuccessStatusCode();
        await Eventually.Until(
            () => partner.SendAsync(_network.Counselling, HttpMethod.Post, $"/cases/{caseId}/consents", new
            {
                recipients = new[] { decliner.Id, receiver.Id },
                categories = new[] { "identity", "contact", "migration-plan", "counselling-history", "special-categories" },
                explicitSpecialCategories = true,
                method = "signed-form",
                obtainedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
                textLanguage = "en",
                textVersion = "1",
                validUntil = DateTimeOffset.UtcNow.AddYears(1),
            }),
            r => r.StatusCode == HttpStatusCode.Created,
            "the consent to be recorded");

        // Declined with a note that names the person (against the rule: nothing checks it), then accepted elsewhere; the
        // requests under Idempotency-Keys, so the answers kept for a repeat hold the message too.
        var declined = await partner.RequestHandoverAsync(_network, caseId, decliner, Entered[12], idempotencyKey: $"request-{caseId}-{decliner.Id}");
        (await decliner.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{declined}/decline", new { reason = "other", note = Entered[13] }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var accepted = await partner.RequestHandoverAsync(_network, caseId, receiver, Entered[12], idempotencyKey: $"request-{caseId}-{receiver.Id}");
        (await receiver.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{accepted}/accept")).EnsureSuccessStatusCode();
        var dossier = await Eventually.Until(
            () => receiver.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/dossier"), r => r.StatusCode == HttpStatusCode.OK, "the dossier to open");
        (await dossier.Content.ReadAsStringAsync()).Should().Contain(Entered[1]);
        await Eventually.Until(() => Task.FromResult(hook.Requests.Count(r => r.Body.Contains(caseId, StringComparison.Ordinal))), n => n >= 2, "webhook deliveries about the case");

        // Erased while a handover is accepted: performed, the handover revoked (docs/privacy.md#erasure).
        (await partner.SendAsync(_network.Counselling, HttpMethod.Delete, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await Eventually.Until(() => receiver.ReadAsync(_network.Handovers, $"/handovers/{accepted}"), h => (string?)h["status"] == "revoked", "the handover to be revoked"))
            ["revocationCause"]!.GetValue<string>().Should().Be("case-erased");
        await Eventually.UntilCount(
            () => _network.PartnersDatabase.CountAsync($"SELECT count(*) FROM webhook_deliveries WHERE payload -> 'data' ->> 'caseId' = '{caseId}'"),
            0,
            "the webhook deliveries about the case to be deleted (the revocation's too, once delivered)");
        (await receiver.SendAsync(_network.Counselling, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var found = new List<string>();
        foreach (var (name, database) in new[] { ("partners", _network.PartnersDatabase), ("counselling", _network.CounsellingDatabase), ("handovers", _network.HandoversDatabase) })
        {
            var dump = await database.DumpAsync();
            dump.Should().Contain(caseId, $"the {name} dump is a real dump that still holds the case's id");
            found.AddRange(Leaks(dump).Select(value => $"{name} database: {value}"));
        }

        var queued = await _network.VirtualHost.PeekAllAsync();
        found.AddRange(queued.SelectMany(Leaks).Select(value => $"a queue: {value}"));
        found.Should().BeEmpty("nothing entered about the person survives its erasure");
    }

    private static IEnumerable<string> Leaks(string text) =>
        Entered.Where(value => text.Contains(value, StringComparison.Ordinal)
            || text.Contains(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(value)), StringComparison.Ordinal));
}
