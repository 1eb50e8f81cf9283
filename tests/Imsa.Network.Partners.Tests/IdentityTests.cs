using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Imsa.Network.Partners.Tests;

public sealed class IdentityTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    private HttpClient Partners => service.Client;

    [Fact]
    public async Task BootstrapCoordinator_GetsATokenCarryingItsOrganisationKindAndRole()
    {
        var response = await Partners.RequestTokenAsync(TestIdentity.CoordinatorClientId, TestIdentity.CoordinatorClientSecret);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (response.Headers.CacheControl?.NoStore ?? false).Should().BeTrue("a token is a secret no cache may keep");
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)token["token_type"]).Should().Be("Bearer");
        ((int)token["expires_in"]!).Should().BeInRange(1, 900, "access tokens are short-lived");
        var me = await ReadAsync(await Partners.SendAsAsync((string)token["access_token"]!, HttpMethod.Get, "/me"));
        ((string?)me["kind"]).Should().Be("coordinator");
        me["roles"]!.AsArray().Select(r => (string?)r).Should().Equal("coordinator");
        ((string?)me["clientId"]).Should().Be(TestIdentity.CoordinatorClientId);
    }

    [Fact]
    public async Task BootstrapSecret_FollowsTheConfiguration_WhenTheServiceRestartsWithANewOne()
    {
        var settings = service.VirtualHost.Settings();
        settings["Identity:Bootstrap:ClientSecret"] = "a-new-bootstrap-secret-from-the-environment";
        await using var restarted = new ServiceFactory<Program>(service.Database.ConnectionString, settings);
        using var partners = restarted.CreateClient();
        await partners.WaitUntilReadyAsync();

        (await partners.RequestTokenAsync(TestIdentity.CoordinatorClientId, "a-new-bootstrap-secret-from-the-environment"))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await partners.RequestTokenAsync(TestIdentity.CoordinatorClientId, TestIdentity.CoordinatorClientSecret))
            .StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // Put the class's own secret back for the other tests.
        settings["Identity:Bootstrap:ClientSecret"] = TestIdentity.CoordinatorClientSecret;
        await using var again = new ServiceFactory<Program>(service.Database.ConnectionString, settings);
        using var client = again.CreateClient();
        await client.WaitUntilReadyAsync();
        (await client.RequestTokenAsync(TestIdentity.CoordinatorClientId, TestIdentity.CoordinatorClientSecret)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WrongSecret_AndUnknownClient_Get401_WithoutSayingWhichPartWasWrong()
    {
        var wrongSecret = await Partners.RequestTokenAsync(TestIdentity.CoordinatorClientId, "not-the-secret");
        var unknownClient = await Partners.RequestTokenAsync("imsa-nobody", TestIdentity.CoordinatorClientSecret);

        wrongSecret.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        unknownClient.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (wrongSecret.Headers.CacheControl?.NoStore ?? false).Should().BeTrue();
        var first = await wrongSecret.Content.ReadFromJsonAsync<JsonObject>();
        var second = await unknownClient.Content.ReadFromJsonAsync<JsonObject>();
        ((string?)first!["error"]).Should().Be("invalid_client");
        first["error_description"]!.ToString().Should().Be(second!["error_description"]!.ToString());
    }

    [Fact]
    public async Task Lifecycle_OnlyCoordinatorsVerifySuspendReinstateAndRetire_AndSuspensionStopsTokens()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, credentials) = await RegisterWithClientAsync(coordinator, "origin-partner");
        var own = await Partners.GetTokenAsync(credentials.ClientId, credentials.Secret);

        (await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/verify"))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden, "a partner cannot verify itself");
        var verified = await ReadAsync(await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/verify"));
        ((string?)verified["status"]).Should().Be("active");

        // Asked again (an answer lost on the way): a success with the organisation as it is, and nothing changes.
        var again = await ReadAsync(await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/verify"));
        ((string?)again["status"]).Should().Be("active");
        (await service.Database.CountAsync($"SELECT status_version FROM organisations WHERE id = '{organisation}'")).Should().Be(2);

        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/suspend")).StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.Until(
            async () => (await Partners.SendAsAsync(own, HttpMethod.Get, "/me")).StatusCode,
            status => status == HttpStatusCode.Unauthorized,
            "the suspended organisation's token to be refused");
        (await Partners.RequestTokenAsync(credentials.ClientId, credentials.Secret)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/reinstate")).StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.Until(
            async () => (await Partners.SendAsAsync(own, HttpMethod.Get, "/me")).StatusCode,
            status => status == HttpStatusCode.OK,
            "the reinstated organisation's token to be accepted again");

        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/retire")).StatusCode.Should().Be(HttpStatusCode.OK);
        var refused = await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/reinstate");
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        ((string?)(await refused.ReadProblemAsync())["detail"]).Should().Contain("retired", "the problem names the current state");
        (await Partners.RequestTokenAsync(credentials.ClientId, credentials.Secret)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AnOrganisation_SeesItselfOnly_AndSomeoneElsesIdAnswers404()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (first, credentials) = await RegisterWithClientAsync(coordinator, "transit-partner");
        var (second, _) = await RegisterWithClientAsync(coordinator, "receiving-service");
        var own = await Partners.GetTokenAsync(credentials.ClientId, credentials.Secret);

        (await Partners.SendAsAsync(own, HttpMethod.Get, $"/organisations/{first}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Partners.SendAsAsync(own, HttpMethod.Get, $"/organisations/{second}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Partners.SendAsAsync(own, HttpMethod.Get, $"/organisations/{second}/clients")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{second}/clients", new { name = "mine now" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Partners.SendAsAsync(own, HttpMethod.Post, "/organisations", new { name = "Sneaky", country = "DE", kind = "coordinator" }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Get, $"/organisations/{second}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RotatedSecret_ReplacesTheOldOne_AndRevokedClientsTokensAreRefusedWithinSeconds()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, credentials) = await RegisterWithClientAsync(coordinator, "origin-partner");
        var own = await Partners.GetTokenAsync(credentials.ClientId, credentials.Secret);

        var rotated = await ReadAsync(await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/clients/{credentials.ClientId}/rotate"));
        var newSecret = (string)rotated["clientSecret"]!;
        (await Partners.RequestTokenAsync(credentials.ClientId, credentials.Secret)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var fresh = await Partners.GetTokenAsync(credentials.ClientId, newSecret);

        var listed = await Partners.SendAsAsync(own, HttpMethod.Get, $"/organisations/{organisation}/clients");
        (await listed.Content.ReadAsStringAsync()).Should().NotContain(newSecret, "a secret is shown once");
        var stored = await service.Database.CountAsync($"SELECT count(*) FROM \"OpenIddictApplications\" WHERE \"ClientSecret\" LIKE '%{newSecret}%'");
        stored.Should().Be(0, "only a hash of the secret is stored");

        (await Partners.SendAsAsync(own, HttpMethod.Delete, $"/organisations/{organisation}/clients/{credentials.ClientId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Partners.RequestTokenAsync(credentials.ClientId, newSecret)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await Eventually.Until(
            async () => (await Partners.SendAsAsync(fresh, HttpMethod.Get, "/me")).StatusCode,
            status => status == HttpStatusCode.Unauthorized,
            "the revoked client's token to be refused");
    }

    [Fact]
    public async Task ATokenNamesItsOrganisationInOrg_WhichDecidesWhomTheCallerActsFor()
    {
        var response = await Partners.RequestTokenAsync(TestIdentity.CoordinatorClientId, TestIdentity.CoordinatorClientSecret);
        var token = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!;
        var claims = JsonNode.Parse(Base64UrlEncoder.Decode(token.Split('.')[1]))!;
        var me = await ReadAsync(await Partners.SendAsAsync(token, HttpMethod.Get, "/me"));
        ((string?)claims["org"]).Should().Be((string?)me["organisationId"]);

        var organisation = Guid.NewGuid();
        var someoneActingForIt = TestIdentity.MintToken(organisation, subject: Guid.NewGuid());
        ((string?)(await ReadAsync(await Partners.SendAsAsync(someoneActingForIt, HttpMethod.Get, "/me")))["organisationId"])
            .Should().Be(organisation.ToString(), "\"org\" names the organisation; \"sub\" will name a person");
        var issuedBeforeOrg = TestIdentity.MintToken(organisation, organisationClaim: false);
        ((string?)(await ReadAsync(await Partners.SendAsAsync(issuedBeforeOrg, HttpMethod.Get, "/me")))["organisationId"])
            .Should().Be(organisation.ToString(), "a token issued before \"org\" still names its organisation in \"sub\"");
    }

    [Fact]
    public async Task ForgedTokens_AreRefused()
    {
        var organisation = Guid.NewGuid();
        var valid = TestIdentity.MintToken(organisation);
        (await Partners.SendAsAsync(valid, HttpMethod.Get, "/me")).StatusCode.Should().Be(HttpStatusCode.OK, "the control case");

        var expired = TestIdentity.MintToken(organisation, expires: DateTime.UtcNow.AddMinutes(-5));
        var wrongAudience = TestIdentity.MintToken(organisation, audience: "another-network");
        var wrongIssuer = TestIdentity.MintToken(organisation, issuer: "http://evil.test/");
        var otherKey = TestIdentity.MintToken(organisation, key: TestIdentity.SigningKeyFor(RSA.Create(2048)));
        var parts = valid.Split('.');
        // Someone else's organisation id in the payload, the original signature kept.
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(organisation.ToString(), Guid.NewGuid().ToString(), StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
        var unsigned = $"{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes("{\"alg\":\"none\",\"typ\":\"JWT\"}"))}.{parts[1]}.";

        foreach (var (forged, what) in new[]
        {
            (expired, "expired"), (wrongAudience, "wrong audience"), (wrongIssuer, "wrong issuer"), (otherKey, "signed with another key"),
            (tampered, "tampered payload"), (unsigned, "alg none"), ($"{parts[0]}.{parts[1]}.{parts[2][..^4]}AAAA", "tampered signature"),
        })
        {
            var response = await Partners.SendAsAsync(forged, HttpMethod.Get, "/me");
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, what);
        }
    }

    [Fact]
    public async Task AClientCreatedTwiceUnderOneKey_IsOneClient_AndItsSecretIsNotShownAgain_NorKept()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, credentials) = await RegisterWithClientAsync(coordinator, "origin-partner");
        var own = await Partners.GetTokenAsync(credentials.ClientId, credentials.Secret);
        var key = Guid.NewGuid().ToString();

        var first = await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/clients", new { name = "second system" }, key);
        var repeat = await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/clients", new { name = "second system" }, key);

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        var secret = (string)(await first.Content.ReadFromJsonAsync<JsonObject>())!["clientSecret"]!;
        repeat.StatusCode.Should().Be(HttpStatusCode.Conflict);
        ((string?)(await repeat.ReadProblemAsync())["title"]).Should().Be("This request was carried out already.");
        (await repeat.Content.ReadAsStringAsync()).Should().NotContain(secret);
        (await service.Database.CountAsync($"SELECT count(*) FROM api_clients WHERE organisation_id = '{organisation}'")).Should().Be(2);
        (await service.Database.CountAsync($"SELECT count(*) FROM idempotency.requests WHERE key = '{key}' AND NOT answer_kept AND length(body) = 0")).Should().Be(1);
    }

    private async Task<(Guid Organisation, (string ClientId, string Secret) Credentials)> RegisterWithClientAsync(string coordinator, string kind)
    {
        var created = await ReadAsync(await Partners.SendAsAsync(
            coordinator, HttpMethod.Post, "/organisations", new { name = $"Organisation {Guid.NewGuid():N}", country = "MA", kind }));
        var id = Guid.Parse((string)created["id"]!);
        var client = await Partners.OnboardAsync(coordinator, id, "case system");
        return (id, (client.ClientId, client.ClientSecret));
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        response.IsSuccessStatusCode.Should().BeTrue($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
