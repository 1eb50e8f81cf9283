using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Npgsql;

namespace Imsa.Network.Counselling.Tests;

public sealed class CaseTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Fact]
    public async Task Open_ThenTheOwnerReadsEveryCategoryBack_AndCaseOpenedCarriesOnlyCodes()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(CaseOpened));
        var owner = await service.RegisterAsync("origin-partner");

        var response = await service.SendAsync(owner, HttpMethod.Post, "/cases", CaseSamples.Content());

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = (string)created["id"]!;
        response.Headers.Location!.ToString().Should().Be($"/cases/{id}");
        var read = (await (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{id}")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)read["status"]).Should().Be("open");
        ((string?)read["identity"]!["givenNames"]).Should().Be(CaseSamples.GivenNames);
        ((string?)read["identity"]!["dateOfBirth"]).Should().Be("2006-04-12");
        ((string?)read["contact"]!["email"]).Should().Be(CaseSamples.Email);
        ((string?)read["migrationPlan"]!["destinationPostalCode"]).Should().Be("55116");
        ((string?)read["languageAndQualifications"]!["germanCertificate"]).Should().Be(CaseSamples.Certificate);
        ((string?)read["needsAndOpenTasks"]!["openTasks"]![0]!["title"]).Should().Be(CaseSamples.TaskTitle);
        ((string?)read["specialCategories"]!["riskFlags"]![0]!["note"]).Should().Be(CaseSamples.RiskNote);

        var opened = await tap.WaitForAsync<CaseOpened>(m => (string?)m["caseId"] == id);
        ((string?)opened["ownerOrganisationId"]).Should().Be(owner.Id.ToString());
        ((string?)opened["purpose"]).Should().Be("vocational-training");
        ((string?)opened["destinationState"]).Should().Be("DE-RP");
        ((string?)opened["destinationDistrict"]).Should().Be("07315");
        ((string?)opened["plannedArrivalMonth"]).Should().Be(TestDates.ArrivalText);
        tap.Received.Single(r => r.Body.Contains(id, StringComparison.Ordinal)).Body.Should().NotContainAny(CaseSamples.Secrets);
    }

    [Fact]
    public async Task Open_WithBadInput_Returns422NamingEachField_AndStoresNothing()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var before = await service.Database.CountAsync("SELECT count(*) FROM cases");
        var keysBefore = await service.Database.CountAsync("SELECT count(*) FROM case_keys");

        var response = await service.SendAsync(owner, HttpMethod.Post, "/cases", new
        {
            identity = new { givenNames = "A", familyName = " ", dateOfBirth = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(3)), nationalities = new[] { "XX" } },
            contact = new { preferredLanguage = "arabic" },
            migrationPlan = new { purpose = "tourism", destinationPostalCode = "00000" },
            languageAndQualifications = new { germanLevel = "B3" },
            needsAndOpenTasks = new { openTasks = new[] { new { topic = "NOPE", done = false } } },
            specialCategories = new { riskFlags = new[] { new { code = "rumour" } } },
        });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo(
            "identity.familyName",
            "identity.dateOfBirth",
            "identity.nationalities",
            "contact.preferredLanguage",
            "migrationPlan.purpose",
            "migrationPlan.destinationPostalCode",
            "languageAndQualifications.germanLevel",
            "needsAndOpenTasks.openTasks[0].topic",
            "specialCategories.riskFlags[0].code");
        (await service.Database.CountAsync("SELECT count(*) FROM cases")).Should().Be(before);
        (await service.Database.CountAsync("SELECT count(*) FROM case_keys")).Should().Be(keysBefore);
    }

    [Fact]
    public async Task AnotherOrganisation_Gets404_OnEveryCaseSessionConsentReceiptAndDossierRoute()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var stranger = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/sessions", CaseSamples.Session());
        var consentId = (string)(await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id)))["consent"]!["id"]!;

        (HttpMethod Method, string Uri, object? Body)[] routes =
        [
            (HttpMethod.Get, $"/cases/{caseId}", null),
            (HttpMethod.Put, $"/cases/{caseId}", CaseSamples.Content()),
            (HttpMethod.Post, $"/cases/{caseId}/close", new { reason = "other" }),
            (HttpMethod.Delete, $"/cases/{caseId}", null),
            (HttpMethod.Get, $"/cases/{caseId}/sessions", null),
            (HttpMethod.Post, $"/cases/{caseId}/sessions", CaseSamples.Session()),
            (HttpMethod.Get, $"/cases/{caseId}/consents", null),
            (HttpMethod.Post, $"/cases/{caseId}/consents", CaseSamples.Consent(receiver.Id)),
            (HttpMethod.Get, $"/cases/{caseId}/consents/{consentId}", null),
            (HttpMethod.Get, $"/cases/{caseId}/consents/{consentId}/receipt", null),
            (HttpMethod.Post, $"/cases/{caseId}/consents/{consentId}/withdraw", null),
            (HttpMethod.Get, $"/cases/{caseId}/disclosures", null),
        ];
        foreach (var (method, uri, body) in routes)
        {
            var response = await service.SendAsync(stranger, method, uri, body);
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, $"{method} {uri} is another organisation's");
            (await response.ReadProblemAsync())["status"]!.GetValue<int>().Should().Be(404);
        }

        // The named receiver, without an accepted handover, is a stranger to the case too.
        (await service.SendAsync(receiver, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await service.SendAsync(receiver, HttpMethod.Post, $"/cases/{caseId}/consents/{consentId}/withdraw")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var unchanged = (await (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)unchanged["status"]).Should().Be("open");
        (await service.Database.CountAsync($"SELECT count(*) FROM counselling_sessions WHERE case_id = '{caseId}'")).Should().Be(1);
        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE case_id = '{caseId}'")).Should().Be(1);
        (await service.Database.CountAsync($"SELECT count(*) FROM consent_withdrawals WHERE consent_id = '{consentId}'")).Should().Be(0);
    }

    [Fact]
    public async Task Coordinators_NeverSeeCaseContent()
    {
        var coordinator = await service.RegisterAsync("coordinator");
        var owner = await service.RegisterAsync("origin-partner");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;

        (await service.SendAsync(coordinator, HttpMethod.Get, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await service.SendAsync(coordinator, HttpMethod.Get, "/cases")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await service.SendAsync(coordinator, HttpMethod.Get, $"/cases/{caseId}/dossier")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ClosedCase_RefusesWrites_With409_AndChangesNothing_ButItsConsentCanStillBeWithdrawn()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        var consentId = (string)(await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id)))["consent"]!["id"]!;

        var close = await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/close", new { reason = "no-longer-planned" });
        close.StatusCode.Should().Be(HttpStatusCode.OK);

        (await service.SendAsync(owner, HttpMethod.Put, $"/cases/{caseId}", CaseSamples.Content())).StatusCode.Should().Be(HttpStatusCode.Conflict);
        var session = await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/sessions", CaseSamples.Session());
        session.StatusCode.Should().Be(HttpStatusCode.Conflict);
        ((string?)(await session.ReadProblemAsync())["detail"]).Should().Contain("closed");
        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents", CaseSamples.Consent(receiver.Id))).StatusCode.Should().Be(HttpStatusCode.Conflict);
        // Closing again (an answer lost on the way) succeeds with the case as it is: its first reason stands.
        var again = await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/close", new { reason = "other" });
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        ((string?)(await again.Content.ReadFromJsonAsync<JsonObject>())!["closeReason"]).Should().Be("no-longer-planned");
        (await service.Database.CountAsync($"SELECT count(*) FROM counselling_sessions WHERE case_id = '{caseId}'")).Should().Be(0);
        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE case_id = '{caseId}'")).Should().Be(1);
        (await service.Database.CountAsync($"SELECT count(*) FROM cases WHERE id = '{caseId}' AND close_reason = 'NoLongerPlanned'")).Should().Be(1);

        var withdraw = await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents/{consentId}/withdraw");
        withdraw.StatusCode.Should().Be(HttpStatusCode.OK);
        ((string?)(await withdraw.Content.ReadFromJsonAsync<JsonObject>())!["state"]).Should().Be("withdrawn");
    }

    [Fact]
    public async Task Sessions_AreRecordedAndListedNewestFirst_AndABadFormatIs422()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;

        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/sessions", new { heldOn = "2026-10-01", format = "phone", topics = new[] { "LANG" } }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        (await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/sessions", CaseSamples.Session())).StatusCode.Should().Be(HttpStatusCode.Created);
        var bad = await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/sessions", new { heldOn = "2099-01-01", format = "carrier-pigeon", topics = new[] { "XYZ" } });

        bad.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await bad.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo("heldOn", "format", "topics");
        var sessions = (await (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}/sessions")).Content.ReadFromJsonAsync<JsonArray>())!;
        sessions.Select(s => (string?)s!["heldOn"]).Should().Equal("2026-11-20", "2026-10-01");
        ((string?)sessions[0]!["notes"]).Should().Be(CaseSamples.Note);
    }

    [Fact]
    public async Task TheRawDatabaseRows_HoldNoPersonalDataInClear()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/sessions", CaseSamples.Session());
        await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id));

        var leaks = new List<string>();
        await using var connection = new NpgsqlConnection(service.Database.ConnectionString);
        await connection.OpenAsync();
        foreach (var table in new[] { "cases", "case_keys", "counselling_sessions", "consents", "consent_withdrawals", "disclosures", "messaging.outbox_messages" })
        {
            await using var command = new NpgsqlCommand($"SELECT * FROM {table}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var raw = reader.IsDBNull(i) ? [] : reader.GetValue(i) switch
                    {
                        byte[] bytes => bytes,
                        var value => Encoding.UTF8.GetBytes(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                    };
                    leaks.AddRange(CaseSamples.Secrets
                        .Where(secret => raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0)
                        .Select(secret => $"{table}.{reader.GetName(i)} holds \"{secret}\""));
                }
            }
        }

        (await service.Database.CountAsync($"SELECT count(*) FROM cases WHERE id = '{caseId}' AND identity IS NOT NULL")).Should().Be(1);
        leaks.Should().BeEmpty();
    }

    [Fact]
    public async Task ACaseWhoseKeyIsDestroyed_CanNoLongerBeDecrypted()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.OK);

        // The key row gone (as after erasure, or lost with a shredded backup): the sealed sections stay, unreadable.
        await service.Database.ExecuteAsync($"DELETE FROM case_keys WHERE case_id = '{caseId}'");

        var read = await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}");
        read.StatusCode.Should().Be(HttpStatusCode.Gone);
        (await read.Content.ReadAsStringAsync()).Should().NotContainAny(CaseSamples.Secrets);
        (await service.Database.CountAsync($"SELECT count(*) FROM cases WHERE id = '{caseId}' AND identity IS NOT NULL")).Should().Be(1);
    }

    [Fact]
    public async Task Erase_DestroysTheKeyAndTheData_AnnouncesCaseErased_AndIsHarmlessTwice()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(CaseErased));
        var owner = await service.RegisterAsync("origin-partner");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/sessions", CaseSamples.Session());

        (await service.SendAsync(owner, HttpMethod.Delete, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await service.SendAsync(owner, HttpMethod.Delete, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.Gone);
        (await service.SendAsync(owner, HttpMethod.Put, $"/cases/{caseId}", CaseSamples.Content())).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await service.Database.CountAsync($"SELECT count(*) FROM case_keys WHERE case_id = '{caseId}'")).Should().Be(0);
        (await service.Database.CountAsync($"SELECT count(*) FROM counselling_sessions WHERE case_id = '{caseId}'")).Should().Be(0);
        (await service.Database.CountAsync($"SELECT count(*) FROM cases WHERE id = '{caseId}' AND status = 'Erased' AND identity IS NULL")).Should().Be(1);
        await tap.WaitForAsync<CaseErased>(m => (string?)m["caseId"] == caseId);
        await tap.DrainAsync();
        tap.Received.Count(r => r.Body.Contains(caseId, StringComparison.Ordinal)).Should().Be(1, "erasing twice announces it once");
    }

    [Fact]
    public async Task Update_ReplacesTheContent_AndAnnouncesChangedCodesOnly()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(CaseUpdated));
        var owner = await service.RegisterAsync("origin-partner");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;

        (await service.SendAsync(owner, HttpMethod.Put, $"/cases/{caseId}", CaseSamples.Content())).StatusCode.Should().Be(HttpStatusCode.OK);
        var changed = await service.SendAsync(owner, HttpMethod.Put, $"/cases/{caseId}", CaseSamples.Content(plannedArrival: TestDates.Arrival.AddMonths(3).AddDays(14), purpose: "study"));

        changed.StatusCode.Should().Be(HttpStatusCode.OK);
        ((string?)(await changed.Content.ReadFromJsonAsync<JsonObject>())!["migrationPlan"]!["purpose"]).Should().Be("study");
        var updated = await tap.WaitForAsync<CaseUpdated>(m => (string?)m["caseId"] == caseId);
        ((string?)updated["purpose"]).Should().Be("study");
        ((string?)updated["plannedArrivalMonth"]).Should().Be(TestDates.Text(TestDates.Arrival.AddMonths(3)));
        await tap.DrainAsync();
        tap.Received.Where(r => r.Body.Contains(caseId, StringComparison.Ordinal)).Should().ContainSingle("the unchanged update announces nothing")
            .Which.Body.Should().NotContainAny(CaseSamples.Secrets);
    }

    [Fact]
    public async Task Update_WithTheETagOfAnEarlierRead_IsRefusedWith412_AndKeepsTheOtherChange()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        var read = await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}");
        var tag = read.Headers.ETag!.ToString();

        // Two people read the same version; the first one's change lands and answers a new tag.
        var first = await PutAsync(owner, caseId, CaseSamples.Content(purpose: "study"), tag);
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        first.Headers.ETag!.ToString().Should().NotBe(tag);

        var second = await PutAsync(owner, caseId, CaseSamples.Content(purpose: "recognition"), tag);
        second.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        second.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var now = await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}");
        ((string?)(await now.Content.ReadFromJsonAsync<JsonObject>())!["migrationPlan"]!["purpose"]).Should().Be("study");
        now.Headers.ETag!.ToString().Should().Be(first.Headers.ETag!.ToString());

        (await PutAsync(owner, caseId, CaseSamples.Content(purpose: "recognition"), now.Headers.ETag!.ToString())).StatusCode.Should().Be(HttpStatusCode.OK);
        (await PutAsync(owner, caseId, CaseSamples.Content(), "W/\"1\"")).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed, "a weak or foreign tag matches nothing");
        (await PutAsync(owner, caseId, CaseSamples.Content(), "*")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<HttpResponseMessage> PutAsync(Organisation owner, string caseId, object content, string ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/cases/{caseId}") { Content = JsonContent.Create(content) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", owner.Token);
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await service.Client.SendAsync(request);
    }
}
