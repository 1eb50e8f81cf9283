using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// Through the gateway, every service under its own broker user: the owner's profile reaches Counselling as
/// OrganisationContactChanged and names the controller on the receipt, and the receipt's signing keys are served to
/// anyone at /counselling/.well-known/jwks.json.
/// </summary>
public sealed class ReceiptEndToEndTests : IAsyncLifetime
{
    private Network _network = null!;

    public async Task InitializeAsync() => _network = await Network.StartAsync(throughGateway: true);

    public async Task DisposeAsync() => await _network.DisposeAsync();

    [Fact]
    public async Task Receipt_NamesTheOwnerAsItsProfileSays_AndItsKeyIsPublishedThroughTheGateway()
    {
        var partner = await Member.JoinAsync(_network, "Association Passerelles Rabat", "MA", "origin-partner", new
        {
            address = new { street = "12 Avenue Hassan II", postalCode = "10000", city = "Rabat", country = "MA" },
            contacts = new[] { new { role = "Protection des données", email = "dpo@passerelles.example.org", phone = (string?)null } },
            languages = new[] { "ar", "fr" },
            topics = new[] { "EDU" },
        });
        var receiver = await Member.JoinAsync(_network, "Jugendmigrationsdienst Mainz", "DE", "receiving-service", Member.MainzYouthService());
        var opened = await partner.SendAsync(_network.Counselling, HttpMethod.Post, "/cases", new
        {
            identity = new { givenNames = "Amina", familyName = "Example", dateOfBirth = "2007-05-02", nationalities = new[] { "MA" } },
            migrationPlan = new { purpose = "vocational-training", plannedArrival = TestDates.ArrivalText, destinationPostalCode = "55116" },
        });
        opened.StatusCode.Should().Be(HttpStatusCode.Created);
        var caseId = (string)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var consent = new
        {
            recipients = new[] { receiver.Id },
            categories = new[] { "identity", "migration-plan" },
            method = "signed-form",
            obtainedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            textLanguage = "fr",
            textVersion = "1",
            validUntil = DateTimeOffset.UtcNow.AddYears(1),
        };

        // The receiver and the owner's contact must have reached Counselling by Partners' events.
        var receipt = await Eventually.Until(
            async () =>
            {
                var recorded = await partner.SendAsync(_network.Counselling, HttpMethod.Post, $"/cases/{caseId}/consents", consent);
                if (recorded.StatusCode != HttpStatusCode.Created)
                {
                    return null;
                }

                var body = (await recorded.Content.ReadFromJsonAsync<JsonObject>())!;
                return body["receipt"]!["piiControllers"]![0]!["email"] is null ? null : body["receipt"]!.AsObject();
            },
            r => r is not null,
            "a receipt naming the owner's contact");

        var controller = receipt!["piiControllers"]![0]!;
        ((string?)controller["piiController"]).Should().Be("Association Passerelles Rabat");
        ((string?)controller["contact"]).Should().Be("Protection des données");
        ((string?)controller["email"]).Should().Be("dpo@passerelles.example.org");
        ((string?)controller["address"]!["addressLocality"]).Should().Be("Rabat");

        using var anonymous = new HttpClient { BaseAddress = _network.Gateway };
        var jwks = await anonymous.GetAsync("/counselling/.well-known/jwks.json");
        jwks.StatusCode.Should().Be(HttpStatusCode.OK);
        var keys = (await jwks.Content.ReadFromJsonAsync<JsonObject>())!["keys"]!.AsArray();
        var header = JsonNode.Parse(Convert.FromBase64String(Padded(((string)receipt["signature"]!).Split('.')[0])))!;
        keys.Select(k => (string?)k!["kid"]).Should().Contain((string?)header["kid"]);
    }

    private static string Padded(string base64Url)
    {
        var base64 = base64Url.Replace('-', '+').Replace('_', '/');
        return base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
    }
}
