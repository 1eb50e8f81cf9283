using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Partners.Endpoints;

namespace Imsa.Network.Partners.Tests;

public sealed class DirectoryApiTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    private HttpClient Partners => service.Client;

    [Fact]
    public async Task Profile_WithUnknownCodesOrAnUpsideDownAgeRange_Returns422NamingTheFields_AndChangesNothing()
    {
        var (id, token) = await RegisterActiveAsync("receiving-service");

        var response = await Partners.SendAsAsync(token, HttpMethod.Put, $"/organisations/{id}/profile", new
        {
            languages = new[] { "de", "xx" },
            topics = new[] { "REC", "NOPE" },
            receiving = new
            {
                serviceTypes = new[] { "ABC" },
                area = new { postalCodes = new[] { "00000" } },
                eligibility = new { minAge = 30, maxAge = 20 },
            },
        });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo(
            "languages", "topics", "receiving.serviceTypes", "receiving.area.postalCodes", "receiving.eligibility");
        (await service.Database.CountAsync($"SELECT count(*) FROM organisations WHERE id = '{id}' AND profile_updated_at IS NULL")).Should().Be(1);
    }

    [Fact]
    public async Task Profile_OfANonReceivingOrganisationWithReceivingFields_Returns422()
    {
        var (id, token) = await RegisterActiveAsync("origin-partner");

        var response = await Partners.SendAsAsync(token, HttpMethod.Put, $"/organisations/{id}/profile", new
        {
            languages = new[] { "fr", "ar" },
            receiving = new { serviceTypes = new[] { "JMD" }, area = new { states = new[] { "DE-RP" } } },
        });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ReadProblemAsync()).ErrorFields().Should().Equal("receiving");
    }

    [Fact]
    public async Task Profile_OfAnotherOrganisation_Returns404_EvenForACoordinator()
    {
        var (id, _) = await RegisterActiveAsync("origin-partner");
        var (_, otherToken) = await RegisterActiveAsync("origin-partner");
        var body = new { languages = new[] { "fr" } };

        (await Partners.SendAsAsync(otherToken, HttpMethod.Put, $"/organisations/{id}/profile", body)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Partners.SendAsAsync(await Partners.GetCoordinatorTokenAsync(), HttpMethod.Put, $"/organisations/{id}/profile", body))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Matching_SuggestsTheEligibleServices_WithReasons_AndFollowsProfileAndCapacityChanges()
    {
        var district = "07315"; // Kreisfreie Stadt Mainz
        var (jmd, jmdToken) = await RegisterActiveAsync("receiving-service");
        var (mbe, mbeToken) = await RegisterActiveAsync("receiving-service");
        (await Partners.SendAsAsync(jmdToken, HttpMethod.Put, $"/organisations/{jmd}/profile", ReceivingProfile("JMD", district, 12, 26, ["de", "ar"], ["REC", "WORK"], accepting: true)))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await Partners.SendAsAsync(mbeToken, HttpMethod.Put, $"/organisations/{mbe}/profile", ReceivingProfile("MBE", district, 27, null, ["de"], ["RES"], accepting: true)))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var (_, partner) = await RegisterActiveAsync("origin-partner");

        var young = await MatchAsync(partner, age: 19, languages: ["ar"], topics: ["REC"]);
        var suggested = young["matches"]!.AsArray().Where(m => Is(m, jmd, mbe)).ToList();
        suggested.Should().ContainSingle();
        ((string?)suggested[0]!["organisationId"]).Should().Be(jmd.ToString());
        var reasons = suggested[0]!["reasons"]!.AsArray().Select(r => (string)r!).ToList();
        reasons.Should().Contain(r => r.Contains("district 07315", StringComparison.Ordinal));
        reasons.Should().Contain("JMD age 12–26 fits 19");
        reasons.Should().Contain(r => r.Contains("ar", StringComparison.Ordinal));
        // The same reasons as codes, at the same positions, each with only the values it names.
        var codes = suggested[0]!["reasonCodes"]!.AsArray();
        codes.Should().HaveCount(reasons.Count);
        codes.Select(c => c!.ToJsonString()).Should().Equal(
            """{"code":"serves-district","districts":["07315"]}""",
            """{"code":"age-eligible","age":19,"minAge":12,"maxAge":26}""",
            """{"code":"speaks-languages","languages":["ar"]}""",
            """{"code":"counsels-topics","topics":["REC"]}""",
            """{"code":"capacity-load","openHandovers":0,"maxOpenHandovers":20}""");
        var excluded = young["exclusions"]!.AsArray().Single(e => (string?)e!["organisationId"] == mbe.ToString())!;
        excluded["reasons"]!.AsArray().Select(r => (string)r!).Should().Contain(r => r.Contains("age", StringComparison.OrdinalIgnoreCase));
        excluded["reasonCodes"]!.AsArray().Select(c => c!.ToJsonString()).Should().Equal(
            """{"code":"age-not-served","age":19,"minAge":27}""",
            """{"code":"no-shared-language","languages":["ar"]}""",
            """{"code":"no-shared-topic","topics":["REC"]}""");

        var adult = await MatchAsync(partner, age: 27, languages: [], topics: []);
        adult["matches"]!.AsArray().Where(m => Is(m, jmd, mbe)).Select(m => (string?)m!["organisationId"]).Should().Equal(mbe.ToString());

        var search = await Partners.SendAsAsync(partner, HttpMethod.Get, $"/directory/services?district={district}&serviceType=JMD&language=ar");
        var found = (await search.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
        found.Select(s => (string?)s!["organisationId"]).Should().Contain(jmd.ToString()).And.NotContain(mbe.ToString());

        // The JMD stops accepting: it is no longer suggested, and says why.
        (await Partners.SendAsAsync(jmdToken, HttpMethod.Put, $"/organisations/{jmd}/profile", ReceivingProfile("JMD", district, 12, 26, ["de", "ar"], ["REC", "WORK"], accepting: false)))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var paused = await MatchAsync(partner, age: 19, languages: ["ar"], topics: ["REC"]);
        paused["matches"]!.AsArray().Where(m => Is(m, jmd, mbe)).Should().BeEmpty();
        var stopped = paused["exclusions"]!.AsArray().Single(e => (string?)e!["organisationId"] == jmd.ToString())!;
        stopped["reasons"]!.AsArray().Select(r => (string)r!).Should().Contain(r => r.Contains("accepting", StringComparison.OrdinalIgnoreCase));
        stopped["reasonCodes"]!.AsArray().Select(c => (string?)c!["code"]).Should().Equal("not-accepting");
    }

    [Fact]
    public async Task Matching_WithAnUnknownPostalCode_Returns422()
    {
        var (_, partner) = await RegisterActiveAsync("origin-partner");

        var response = await Partners.SendAsAsync(partner, HttpMethod.Post, "/directory/matches", new { postalCode = "00000", age = 30, purpose = "study" });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ReadProblemAsync()).ErrorFields().Should().Equal("postalCode");
    }

    [Fact]
    public async Task Names_WithoutAToken_AnswerTheActiveOrganisationsInTheOrderAsked_AndLeaveOutTheOthers()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (receiver, receiverName) = await RegisterAsync(coordinator, "receiving-service", verify: true);
        var (partner, partnerName) = await RegisterAsync(coordinator, "origin-partner", verify: true);
        var (pending, _) = await RegisterAsync(coordinator, "origin-partner", verify: false);
        var (suspended, _) = await RegisterAsync(coordinator, "receiving-service", verify: true);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{suspended}/suspend")).EnsureSuccessStatusCode();

        var response = await Partners.GetAsync($"/directory/names?id={partner}&id={pending}&id={receiver}&id={suspended}&id={Guid.NewGuid()}&id={partner}");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var names = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        names.Select(n => n!.ToJsonString()).Should().Equal(
            $$"""{"id":"{{partner}}","name":"{{partnerName}}"}""",
            $$"""{"id":"{{receiver}}","name":"{{receiverName}}"}""");
    }

    [Fact]
    public async Task Names_WithMoreThan20Ids_NoId_OrAMalformedOne_Returns422NamingId()
    {
        var tooMany = string.Join('&', Enumerable.Range(0, DirectoryEndpoints.MaxNames + 1).Select(_ => $"id={Guid.NewGuid()}"));
        foreach (var query in new[] { tooMany, "", $"id={Guid.NewGuid()}&id=not-an-id" })
        {
            var response = await Partners.GetAsync($"/directory/names?{query}");

            response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, query);
            (await response.ReadProblemAsync()).ErrorFields().Should().Equal("id");
        }

        var twenty = string.Join('&', Enumerable.Range(0, DirectoryEndpoints.MaxNames).Select(_ => $"id={Guid.NewGuid()}"));
        (await Partners.GetAsync($"/directory/names?{twenty}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<(Guid Id, string Name)> RegisterAsync(string coordinator, string kind, bool verify)
    {
        var name = $"Organisation {Guid.NewGuid():N}";
        var created = await (await Partners.SendAsAsync(coordinator, HttpMethod.Post, "/organisations", new { name, country = "DE", kind }))
            .Content.ReadFromJsonAsync<JsonObject>();
        var id = Guid.Parse((string)created!["id"]!);
        if (verify)
        {
            (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{id}/verify")).EnsureSuccessStatusCode();
        }

        return (id, name);
    }

    private static bool Is(JsonNode? match, params Guid[] ids) => ids.Select(i => i.ToString()).Contains((string?)match!["organisationId"]);

    private static object ReceivingProfile(string type, string district, int? minAge, int? maxAge, string[] languages, string[] topics, bool accepting) => new
    {
        languages,
        topics,
        receiving = new
        {
            serviceTypes = new[] { type },
            area = new { districts = new[] { district } },
            eligibility = new { minAge, maxAge },
            capacity = new { accepting, maxOpenHandovers = 20 },
        },
    };

    private async Task<JsonObject> MatchAsync(string token, int age, string[] languages, string[] topics)
    {
        var response = await Partners.SendAsAsync(token, HttpMethod.Post, "/directory/matches", new
        {
            postalCode = "55116",
            age,
            purpose = "vocational-training",
            languages,
            topics,
            explainExclusions = true,
        });
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<(Guid Id, string Token)> RegisterActiveAsync(string kind)
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var created = await (await Partners.SendAsAsync(
            coordinator, HttpMethod.Post, "/organisations", new { name = $"Organisation {Guid.NewGuid():N}", country = "DE", kind })).Content.ReadFromJsonAsync<JsonObject>();
        var id = Guid.Parse((string)created!["id"]!);
        var client = await Partners.OnboardAsync(coordinator, id);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{id}/verify")).EnsureSuccessStatusCode();
        return (id, await Partners.GetTokenAsync(client.ClientId, client.ClientSecret));
    }
}
