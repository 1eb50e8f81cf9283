using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain.ConsentTexts;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Counselling.Tests;

public sealed class ConsentTextTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    // The texts consents were recorded on before texts became data: these hashes must never change.
    private static readonly Dictionary<string, string> FirstHashes = new()
    {
        ["de"] = "6ddbd9cb5a524a2365cc9f9bac0d96de61e326dce9431ed08129ab1bec35fad9",
        ["en"] = "d5d90cb043308dd8def2683841c68772558277a1794e1a93301b3959895ca38f",
        ["fr"] = "bb3e8a10997b7a82e3df432b903cfd01c2aa250d0ab9a30bac8535173d6cd0b3",
        ["ar"] = "e1f8ceeab44aa61a2cea1639b1d56233fb399b4acd682392ffe0d662f0d1392c",
    };

    private static readonly string[] Translations = ["tr", "uk", "ru", "fa", "bg", "el", "es", "it", "hr", "hu", "pl", "ro"];

    [Fact]
    public async Task SeededTexts_AreListed_TheFirstFourChecked_TheTranslationsNot()
    {
        var texts = (await service.Client.GetFromJsonAsync<JsonArray>("/reference/consent-texts"))!.Select(t => t!.AsObject()).ToList();

        foreach (var (language, hash) in FirstHashes)
        {
            var text = texts.Single(t => (string?)t["language"] == language && (string?)t["version"] == "1");
            ((string?)text["sha256"]).Should().Be(hash, $"consents on the {language} text name this hash");
            ((bool?)text["translationChecked"]).Should().BeTrue();
            Sha256((string)text["text"]!).Should().Be(hash);
        }

        foreach (var language in Translations)
        {
            var text = texts.Single(t => (string?)t["language"] == language && (string?)t["version"] == "1");
            ((bool?)text["translationChecked"]).Should().BeFalse($"no qualified translator has checked the {language} text");
            Sha256((string)text["text"]!).Should().Be((string?)text["sha256"]);
            ((string?)text["title"]).Should().NotBeNullOrWhiteSpace();
            text["validFrom"].Should().NotBeNull();
            ((string)text["text"]!).Split('\n').Count(line => line.Length > 1 && char.IsDigit(line[0]))
                .Should().Be(6, "a translation keeps the six points of the text");
        }

        texts.Should().NotContain(t => (string?)t["language"] == "ti", "no trustworthy Tigrinya text could be provided");
        var one = await service.Client.GetFromJsonAsync<JsonObject>("/reference/consent-texts/uk/1");
        ((string?)one!["sha256"]).Should().Be((string?)texts.Single(t => (string?)t["language"] == "uk")["sha256"]);
    }

    [Fact]
    public async Task Seeding_AgainAndFromSeveralInstancesAtOnce_ChangesNothing()
    {
        var started = DateTimeOffset.UtcNow;
        const string seeded = "version = '1' AND language IN ('de','en','fr','ar','tr','uk','ru','fa','bg','el','es','it','hr','hu','pl','ro')";
        (await service.Database.CountAsync($"SELECT count(*) FROM consent_texts WHERE {seeded}")).Should().Be(16);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var scope = service.Factory.Services.CreateAsyncScope();
            await ConsentTextLibrary.SeedAsync(scope.ServiceProvider.GetRequiredService<CounsellingDbContext>(), DateTimeOffset.UtcNow, CancellationToken.None);
        }));

        (await service.Database.CountAsync($"SELECT count(*) FROM consent_texts WHERE {seeded}")).Should().Be(16);
        (await service.Database.CountAsync(
                $"SELECT count(*) FROM consent_texts WHERE {seeded} AND published_at >= '{started.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}'"))
            .Should().Be(0, "a text already there is never written again");
    }

    [Fact]
    public async Task Publish_ByCoordinator_IsListedServedAndUsable()
    {
        var coordinator = await service.RegisterAsync("coordinator");
        const string text = "Zgoda testowa\n\nTo jest tekst testowy wersji 2.\n";

        var response = await service.SendAsync(coordinator, HttpMethod.Post, "/admin/consent-texts",
            new { language = "pl", version = "2-test", text = text.Replace("\n", "\r\n", StringComparison.Ordinal), sha256 = Sha256(text) });

        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        response.Headers.Location!.ToString().Should().Be("/reference/consent-texts/pl/2-test");
        var published = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)published["title"]).Should().Be("Zgoda testowa");
        ((string?)published["text"]).Should().Be(text, "line endings are stored as LF");
        ((string?)published["sha256"]).Should().Be(Sha256(text));
        ((bool?)published["translationChecked"]).Should().BeFalse();

        var served = await service.Client.GetFromJsonAsync<JsonObject>("/reference/consent-texts/pl/2-test");
        ((string?)served!["sha256"]).Should().Be(Sha256(text));
        (await service.Client.GetFromJsonAsync<JsonArray>("/reference/consent-texts"))!
            .Should().Contain(t => (string?)t!["language"] == "pl" && (string?)t["version"] == "2-test");
        (await service.Database.CountAsync("SELECT count(*) FROM admin.audit_trail WHERE action = 'consent-text.publish' AND target LIKE 'pl/2-test %'"))
            .Should().Be(1);

        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        var recorded = await service.RecordConsentAsync(owner, caseId, WithText(CaseSamples.Consent(receiver.Id), "pl", "2-test", Sha256(text)));
        ((string?)recorded["receipt"]!["consentText"]!["version"]).Should().Be("2-test");
    }

    [Fact]
    public async Task Publish_ByAnOrganisation_Is403_AndPublishesNothing()
    {
        foreach (var kind in new[] { "origin-partner", "receiving-service" })
        {
            var organisation = await service.RegisterAsync(kind);
            var response = await service.SendAsync(organisation, HttpMethod.Post, "/admin/consent-texts",
                new { language = "it", version = "9-" + kind[..6], text = "Testo\n\nNon pubblicato." });

            response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await service.Client.GetAsync($"/reference/consent-texts/it/9-{kind[..6]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task Republish_SameContent_AnswersAsTheFirstTime_OtherContent_Is409()
    {
        var coordinator = await service.RegisterAsync("coordinator");
        var request = new { language = "es", version = "3-test", text = "Consentimiento\n\nTexto de prueba.\n", translationChecked = true };
        var first = await service.SendAsync(coordinator, HttpMethod.Post, "/admin/consent-texts", request);
        first.StatusCode.Should().Be(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        var firstBody = await first.Content.ReadAsStringAsync();
        service.Time.Advance(TimeSpan.FromMinutes(10));

        var again = await service.SendAsync(coordinator, HttpMethod.Post, "/admin/consent-texts", request);

        again.StatusCode.Should().Be(HttpStatusCode.Created);
        (await again.Content.ReadAsStringAsync()).Should().Be(firstBody);

        foreach (var other in new object[]
        {
            request with { text = "Consentimiento\n\nOtro texto.\n" },
            request with { translationChecked = false },
            new { request.language, request.version, request.text, request.translationChecked, title = "Otro título" },
        })
        {
            var conflict = await service.SendAsync(coordinator, HttpMethod.Post, "/admin/consent-texts", other);
            conflict.StatusCode.Should().Be(HttpStatusCode.Conflict);
            ((string?)(await conflict.ReadProblemAsync())["detail"]).Should().Contain("never edited");
        }

        var served = await service.Client.GetFromJsonAsync<JsonObject>("/reference/consent-texts/es/3-test");
        ((string?)served!["text"]).Should().Be(request.text);
        (await service.Database.CountAsync("SELECT count(*) FROM admin.audit_trail WHERE action = 'consent-text.publish' AND target LIKE 'es/3-test %'"))
            .Should().Be(1, "only the first publication published anything");
    }

    public static TheoryData<string, string> BadPublications => new()
    {
        { """{"language":"xx","version":"bad-1","text":"Text"}""", "language" },
        { """{"language":"EN","version":"bad-2","text":"Text"}""", "language" },
        { """{"version":"bad-3","text":"Text"}""", "language" },
        { """{"language":"en","version":"bad-4","text":""}""", "text" },
        { """{"language":"en","version":"bad-5","text":"   \n  "}""", "text" },
        { """{"language":"en","version":"bad-6"}""", "text" },
        { """{"language":"en","version":"123456789012345678901","text":"Text"}""", "version" },
        { """{"language":"en","version":"","text":"Text"}""", "version" },
        { """{"language":"en","version":"bad 7","text":"Text"}""", "version" },
        { """{"language":"en","version":"bad-8\n","text":"Text"}""", "version" },
        { """{"language":"en","version":"bad-9","text":"Text with a \u0000 NUL"}""", "text" },
        { """{"language":"en","version":"bad-10","text":"Text with a \u0007 bell"}""", "text" },
        { """{"language":"en","version":"bad-11","text":"Text","title":"Title \u0000"}""", "title" },
        { """{"language":"en","version":"bad-12","text":"Text","sha256":"0000000000000000000000000000000000000000000000000000000000000000"}""", "sha256" },
        { """{"language":"en","version":"bad-13","text":"Text","validFrom":"2020-01-01T00:00:00Z"}""", "validFrom" },
    };

    [Theory]
    [MemberData(nameof(BadPublications))]
    public async Task Publish_BadInput_Is422_AndChangesNothing(string body, string field)
    {
        var coordinator = await service.RegisterAsync("coordinator");
        var before = await service.Database.CountAsync("SELECT count(*) FROM consent_texts");

        var response = await Post(coordinator, body);

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, await response.Content.ReadAsStringAsync());
        (await response.ReadProblemAsync()).ErrorFields().Should().Contain(field);
        (await service.Database.CountAsync("SELECT count(*) FROM consent_texts")).Should().Be(before);
    }

    [Theory]
    [InlineData("{\"language\":\"en\",")]
    [InlineData("[]")]
    [InlineData("{\"language\":\"en\",\"version\":\"x\",\"text\":\"Text\",\"translationChecked\":\"yes\"}")]
    public async Task Publish_MalformedJson_Is400_AndChangesNothing(string body)
    {
        var coordinator = await service.RegisterAsync("coordinator");
        var before = await service.Database.CountAsync("SELECT count(*) FROM consent_texts");

        var response = await Post(coordinator, body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await service.Database.CountAsync("SELECT count(*) FROM consent_texts")).Should().Be(before);
    }

    [Fact]
    public async Task Consent_OnAnUncheckedTranslation_HasAReceiptThatSaysSo()
    {
        var (owner, receiver, caseId) = await SceneAsync();
        var turkish = (await service.Client.GetFromJsonAsync<JsonObject>("/reference/consent-texts/tr/1"))!;

        var recorded = await service.RecordConsentAsync(owner, caseId, WithText(CaseSamples.Consent(receiver.Id), "tr", "1", (string)turkish["sha256"]!));

        var text = recorded["receipt"]!["consentText"]!;
        ((string?)text["language"]).Should().Be("tr");
        ((string?)text["sha256"]).Should().Be((string?)turkish["sha256"]);
        ((bool?)text["translationChecked"]).Should().BeFalse();
        ((string?)text["translationNotice"]).Should().Contain("not yet been checked by a qualified translator");
        ((string?)recorded["receipt"]!["language"]).Should().Be("tr");

        var consentId = (string)recorded["consent"]!["id"]!;
        var again = await (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}/consents/{consentId}/receipt")).Content.ReadFromJsonAsync<JsonObject>();
        ((bool?)again!["consentText"]!["translationChecked"]).Should().BeFalse();
    }

    [Fact]
    public async Task Consent_OnACheckedText_HasAReceiptWithoutNotice()
    {
        var (owner, receiver, caseId) = await SceneAsync();

        var recorded = await service.RecordConsentAsync(owner, caseId, WithText(CaseSamples.Consent(receiver.Id), "de", "1", FirstHashes["de"]));

        var text = recorded["receipt"]!["consentText"]!;
        ((bool?)text["translationChecked"]).Should().BeTrue();
        text["translationNotice"].Should().BeNull();
    }

    [Fact]
    public async Task Consent_WithAHashThatDoesNotMatch_Is422_AndRecordsNothing()
    {
        var (owner, receiver, caseId) = await SceneAsync();

        var response = await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents",
            WithText(CaseSamples.Consent(receiver.Id), "uk", "1", FirstHashes["en"]));

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ReadProblemAsync()).ErrorFields().Should().Equal("textSha256");
        (await service.Database.CountAsync($"SELECT count(*) FROM consents WHERE case_id = '{caseId}'")).Should().Be(0);
    }

    [Fact]
    public async Task Consent_OnAVersionNotValidYet_Is422()
    {
        var coordinator = await service.RegisterAsync("coordinator");
        var publish = await service.SendAsync(coordinator, HttpMethod.Post, "/admin/consent-texts",
            new { language = "ro", version = "4-test", text = "Consimțământ\n\nValabil mai târziu.", validFrom = DateTimeOffset.UtcNow.AddDays(30) });
        publish.StatusCode.Should().Be(HttpStatusCode.Created);
        var (owner, receiver, caseId) = await SceneAsync();

        var response = await service.SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents",
            WithText(CaseSamples.Consent(receiver.Id), "ro", "4-test", null));

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ReadProblemAsync()).ErrorFields().Should().Equal("textVersion");
    }

    private async Task<(Organisation Owner, Organisation Receiver, string CaseId)> SceneAsync()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        return (owner, receiver, (string)(await service.OpenCaseAsync(owner))["id"]!);
    }

    private Task<HttpResponseMessage> Post(Organisation caller, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/admin/consent-texts") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", caller.Token);
        return service.Client.SendAsync(request);
    }

    internal static JsonObject WithText(object consent, string language, string version, string? sha256)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToNode(consent)!.AsObject();
        body["textLanguage"] = language;
        body["textVersion"] = version;
        body["textSha256"] = sha256;
        return body;
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
