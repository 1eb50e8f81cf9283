using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

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
        var excluded = young["exclusions"]!.AsArray().Single(e => (string?)e!["organisationId"] == mbe.ToString())!;
        excluded["reasons"]!.AsArray().Select(r => (string)r!).Should().Contain(r => r.Contains("age", StringComparison.OrdinalIgnoreCase));

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
        paused["exclusions"]!.AsArray().Single(e => (string?)e!["organisationId"] == jmd.ToString())!["reasons"]!.AsArray()
            .Select(r => (string)r!).Should().Contain(r => r.Contains("accepting", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Matching_WithAnUnknownPostalCode_Returns422()
    {
        var (_, partner) = await RegisterActiveAsync("origin-partner");

        var response = await Partners.SendAsAsync(partner, HttpMethod.Post, "/directory/matches", new { postalCode = "00000", age = 30, purpose = "study" });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ReadProblemAsync()).ErrorFields().Should().Equal("postalCode");
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
