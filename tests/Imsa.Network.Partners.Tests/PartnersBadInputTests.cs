using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Imsa.Network.Access;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Partners.Tests;

/// <summary>
/// Every Partners operation refuses bad input (<see cref="BadInputTests{TProgram}"/>), the token endpoint included;
/// and the limits that are Partners' own.
/// </summary>
public sealed class PartnersBadInputTests(ServiceFixture<Program> service)
    : BadInputTests<Program>(service), IClassFixture<ServiceFixture<Program>>
{
    private readonly ServiceFixture<Program> _service = service;

    protected override async Task<InputScene> SetUpAsync()
    {
        var coordinator = await _service.Client.GetCoordinatorTokenAsync();
        var (id, clientId, secret, token) = await ReceivingServiceAsync(coordinator);
        var second = await ReadAsync(await _service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{id}/clients", new { name = "second system" }));
        var invitations = (await (await _service.Client.SendAsAsync(token, HttpMethod.Get, $"/organisations/{id}/invitations")).Content.ReadFromJsonAsync<JsonArray>())!;
        var person = await _service.Client.EnrolPersonAsync(token, Guid.Parse(id));
        using var browser = _service.Factory.Browser();
        var personToken = await browser.AccessTokenAsync(person);

        // A receiving service acting on itself (its profile, clients, webhooks and the invitation it redeemed); coordinators act on it too.
        return new InputScene(
            new Dictionary<string, string> { ["id"] = id, ["clientId"] = (string)second["clientId"]!, ["invitationId"] = (string)invitations[0]!["id"]!, ["personId"] = person.Id.ToString() },
            new Dictionary<string, string> { ["coordinator"] = coordinator, [""] = token, [PersonPolicies.SignedInPerson] = personToken },
            new Dictionary<string, JsonNode>
            {
                ["POST /connect/token"] = new JsonObject { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret },
            });
    }

    [Fact]
    public async Task Register_WithALineBreakOrNulInTheName_Returns422NamingIt_AndStoresNothing()
    {
        var coordinator = await _service.Client.GetCoordinatorTokenAsync();
        var before = await _service.Database.CountAsync("SELECT count(*) FROM organisations");

        foreach (var name in new[] { "Association\nCasablanca", "Association\0Casablanca" })
        {
            var response = await _service.Client.SendAsAsync(coordinator, HttpMethod.Post, "/organisations", new { name, country = "MA", kind = "origin-partner" });

            response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
            (await response.ReadProblemAsync()).ErrorFields().Should().Equal("name");
        }

        (await _service.Database.CountAsync("SELECT count(*) FROM organisations")).Should().Be(before);
    }

    [Fact]
    public async Task Profile_WithTooManyContacts_OverLongContactFields_OrAnAbsurdCapacity_Returns422NamingEach()
    {
        var (id, _, _, token) = await ReceivingServiceAsync(await _service.Client.GetCoordinatorTokenAsync());
        var contacts = Enumerable.Range(0, 21).Select(_ => new { role = "intake", email = "a@example.org" }).ToList();
        var profile = new
        {
            contacts,
            receiving = new { serviceTypes = new[] { "JMD" }, area = new { districts = new[] { "07315" } }, capacity = new { maxOpenHandovers = 10_001 } },
        };

        var response = await _service.Client.SendAsAsync(token, HttpMethod.Put, $"/organisations/{id}/profile", profile);

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo("contacts", "receiving.capacity.maxOpenHandovers");

        response = await _service.Client.SendAsAsync(token, HttpMethod.Put, $"/organisations/{id}/profile", new
        {
            contacts = new[] { new { role = new string('r', 201), email = new string('e', 250) + "@x.org" } },
            receiving = new { serviceTypes = new[] { "JMD" }, area = new { districts = new[] { "07315" } } },
        });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo("contacts[0].role", "contacts[0].email");
    }

    [Fact]
    public async Task Profile_CapacityNote_IsFreeText_LineBreaksAreKept()
    {
        var (id, _, _, token) = await ReceivingServiceAsync(await _service.Client.GetCoordinatorTokenAsync());

        var response = await _service.Client.SendAsAsync(token, HttpMethod.Put, $"/organisations/{id}/profile", new
        {
            receiving = new
            {
                serviceTypes = new[] { "JMD" },
                area = new { districts = new[] { "07315" } },
                capacity = new { note = "Full until the summer.\n\tAsk again in August." },
            },
        });

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var organisation = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)organisation["profile"]!["receiving"]!["capacity"]!["note"]).Should().Be("Full until the summer.\n\tAsk again in August.");
    }

    [Fact]
    public async Task Token_WithANulInAFormValueOrInBasicCredentials_Returns422_AndWithAMultiMegabyteValue_Returns413()
    {
        using var nul = await _service.Client.RequestTokenAsync("imsa-test\0coordinator", TestIdentity.CoordinatorClientSecret);
        nul.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await nul.ReadProblemAsync()).ErrorFields().Should().Equal("client_id");

        using var basic = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("imsa%00test:secret")));
        using var basicResponse = await _service.Client.SendAsync(basic);
        basicResponse.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await basicResponse.ReadProblemAsync()).ErrorFields().Should().Equal("Authorization");

        using var huge = await _service.Client.RequestTokenAsync(TestIdentity.CoordinatorClientId, new string('s', 5 * 1024 * 1024));
        huge.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        await huge.ReadProblemAsync();

        using var fine = await _service.Client.RequestTokenAsync(TestIdentity.CoordinatorClientId, TestIdentity.CoordinatorClientSecret);
        fine.StatusCode.Should().Be(HttpStatusCode.OK, "the checks refuse bad input only");
    }

    [Fact]
    public async Task AJsonBodyNotInUtf8_Returns415()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/organisations")
        {
            Content = new StringContent("{\"name\":\"A\",\"country\":\"MA\",\"kind\":\"origin-partner\"}", Encoding.Unicode, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _service.Client.GetCoordinatorTokenAsync());

        using var response = await _service.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        await response.ReadProblemAsync();
    }

    [Fact]
    public async Task ABodyOverTheCap_Returns413_EvenWithoutAContentLength()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/directory/matches")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($"{{\"postalCode\":\"{new string('5', InputLimits.MaxBodyBytes)}\"}}"))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _service.Client.GetCoordinatorTokenAsync());

        using var response = await _service.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        await response.ReadProblemAsync();
    }

    private async Task<(string Id, string ClientId, string Secret, string Token)> ReceivingServiceAsync(string coordinator)
    {
        var partners = _service.Client;
        var organisation = await ReadAsync(await partners.SendAsAsync(coordinator, HttpMethod.Post, "/organisations",
            new { name = $"JMD {Guid.NewGuid():N}", country = "DE", kind = "receiving-service" }));
        var id = (string)organisation["id"]!;
        var credentials = await partners.OnboardAsync(coordinator, Guid.Parse(id), "case system");
        (await partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{id}/verify")).EnsureSuccessStatusCode();
        var (clientId, secret) = (credentials.ClientId, credentials.ClientSecret);
        return (id, clientId, secret, await partners.GetTokenAsync(clientId, secret));
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        response.IsSuccessStatusCode.Should().BeTrue($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
