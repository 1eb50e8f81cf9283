using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

namespace Imsa.Network.Partners.Tests;

public sealed class OrganisationRegistrationTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    private const string RegisteredExchange = "Imsa.Network.Contracts.Partners:OrganisationRegistered";

    [Fact]
    public async Task Register_Returns201_AndAnnouncesItWithoutTheName()
    {
        // Listen on the event's exchange as another service would.
        await using var connection = await service.VirtualHost.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(RegisteredExchange, ExchangeType.Fanout, durable: true);
        var queue = (await channel.QueueDeclareAsync(exclusive: true)).QueueName;
        await channel.QueueBindAsync(queue, RegisteredExchange, "");

        var name = $"Centre Migration et Développement {Guid.NewGuid():N}";
        var token = await service.Client.GetCoordinatorTokenAsync();
        var response = await service.Client.SendAsAsync(token, HttpMethod.Post, "/organisations", new { name, country = "MA", kind = "origin-partner" });

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = (string)created["id"]!;
        ((string?)created["status"]).Should().Be("pending-verification");
        response.Headers.Location!.ToString().Should().Be($"/organisations/{id}");
        var read = (await (await service.Client.SendAsAsync(token, HttpMethod.Get, $"/organisations/{id}")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)read["name"]).Should().Be(name);
        ((string?)read["kind"]).Should().Be("origin-partner");

        var delivered = await Eventually.Until(() => channel.BasicGetAsync(queue, autoAck: true), m => m is not null, "OrganisationRegistered");
        var envelope = JsonNode.Parse(Encoding.UTF8.GetString(delivered!.Body.Span))!;
        var message = envelope["message"]!;
        ((string?)message["organisationId"]).Should().Be(id);
        ((string?)message["kind"]).Should().Be("origin-partner");
        ((string?)message["country"]).Should().Be("MA");
        envelope.ToJsonString().Should().NotContain("Développement", "events carry ids and codes, not names");
    }

    [Fact]
    public async Task Register_WithInvalidFields_Returns422NamingEachField_AndChangesNothing()
    {
        await Eventually.UntilCount(() => service.Database.CountAsync("SELECT count(*) FROM messaging.outbox_messages"), 0, "earlier events to go out");
        var before = await service.Database.CountAsync("SELECT count(*) FROM organisations");

        var response = await service.Client.SendAsAsync(
            await service.Client.GetCoordinatorTokenAsync(), HttpMethod.Post, "/organisations", new { name = " ", country = "XX", kind = "embassy" });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var problem = await response.ReadProblemAsync();
        problem.ErrorFields().Should().BeEquivalentTo("name", "country", "kind");
        (await service.Database.CountAsync("SELECT count(*) FROM organisations")).Should().Be(before);
        (await service.Database.CountAsync("SELECT count(*) FROM messaging.outbox_messages")).Should().Be(0);
    }

    [Fact]
    public async Task Register_WithMalformedJson_Returns400Problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/organisations")
        {
            Content = new StringContent("{\"name\": \"A\", \"country\": ", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", await service.Client.GetCoordinatorTokenAsync());

        var response = await service.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.ReadProblemAsync();
        ((string?)problem["detail"]).Should().NotContain(" at ", "no stack trace");
    }

    [Fact]
    public async Task Register_TheSameOrganisationTwice_Returns409()
    {
        var token = await service.Client.GetCoordinatorTokenAsync();
        var name = $"Jugendmigrationsdienst Mainz {Guid.NewGuid():N}";
        (await service.Client.SendAsAsync(token, HttpMethod.Post, "/organisations", new { name, country = "DE", kind = "receiving-service" }))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        var again = await service.Client.SendAsAsync(
            token, HttpMethod.Post, "/organisations", new { name = "  " + name.ToUpperInvariant().Replace(" ", "  ", StringComparison.Ordinal), country = "DE", kind = "receiving-service" });

        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await again.ReadProblemAsync())["status"]!.GetValue<int>().Should().Be(409);
        (await service.Database.CountAsync($"SELECT count(*) FROM organisations WHERE name = '{name}'")).Should().Be(1);
    }

    [Fact]
    public async Task Register_TheSameRegistryIdTwiceInOneCountry_Returns409()
    {
        var token = await service.Client.GetCoordinatorTokenAsync();
        var registryId = $"VR {Guid.NewGuid():N}";
        (await service.Client.SendAsAsync(token, HttpMethod.Post, "/organisations", new { name = "Diakonie Partner A", country = "MA", kind = "origin-partner", externalRegistryId = registryId }))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        var renamed = await service.Client.SendAsAsync(
            token, HttpMethod.Post, "/organisations", new { name = $"Renamed {Guid.NewGuid():N}", country = "MA", kind = "origin-partner", externalRegistryId = registryId });
        var elsewhere = await service.Client.SendAsAsync(
            token, HttpMethod.Post, "/organisations", new { name = $"Elsewhere {Guid.NewGuid():N}", country = "TN", kind = "transit-partner", externalRegistryId = registryId });

        renamed.StatusCode.Should().Be(HttpStatusCode.Conflict);
        elsewhere.StatusCode.Should().Be(HttpStatusCode.Created, "registry ids are unique within a country");
    }

    [Fact]
    public async Task Get_UnknownOrganisation_Returns404Problem()
    {
        var response = await service.Client.SendAsAsync(await service.Client.GetCoordinatorTokenAsync(), HttpMethod.Get, $"/organisations/{Guid.NewGuid()}");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.ReadProblemAsync())["title"]!.GetValue<string>().Should().Be("Organisation not found.");
    }
}
