using System.Net;
using Imsa.Network.Contracts.Partners;

namespace Imsa.Network.Partners.Tests;

/// <summary>How an organisation is reached as a controller reaches Counselling's consent receipts: OrganisationContactChanged.</summary>
public sealed class ControllerContactTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    [Fact]
    public async Task RegistrationAndAChangedProfile_AnnounceTheContact_AnUnchangedOneDoesNot()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(OrganisationContactChanged));
        var partners = service.Client;
        var coordinator = await partners.GetCoordinatorTokenAsync();
        var name = $"Beratungsstelle {Guid.NewGuid():N}";
        var id = await partners.RegisterOrganisationAsync(coordinator, name: name);

        var registered = await tap.WaitForAsync<OrganisationContactChanged>(m => (string?)m["organisationId"] == id.ToString());
        ((string?)registered["name"]).Should().Be(name);
        registered["address"].Should().BeNull();
        registered["contacts"]!.AsArray().Should().BeEmpty();

        var client = await partners.OnboardAsync(coordinator, id);
        (await partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{id}/verify")).EnsureSuccessStatusCode();
        var token = await partners.GetTokenAsync(client.ClientId, client.ClientSecret);
        var profile = new
        {
            address = new { street = "1 Rue de la Liberté", postalCode = "20000", city = "Casablanca", country = "MA" },
            contacts = new[] { new { role = "Datenschutz", email = "datenschutz@beratung.example.org", phone = "+212 522 000000" } },
            languages = new[] { "ar", "fr" },
            topics = new[] { "REC" },
        };
        (await partners.SendAsAsync(token, HttpMethod.Put, $"/organisations/{id}/profile", profile)).StatusCode.Should().Be(HttpStatusCode.OK);

        var changed = await tap.WaitForAsync<OrganisationContactChanged>(
            m => (string?)m["organisationId"] == id.ToString() && m["address"] is not null);
        ((string?)changed["name"]).Should().Be(name);
        ((string?)changed["address"]!["city"]).Should().Be("Casablanca");
        ((string?)changed["contacts"]![0]!["role"]).Should().Be("Datenschutz");
        ((string?)changed["contacts"]![0]!["email"]).Should().Be("datenschutz@beratung.example.org");

        (await partners.SendAsAsync(token, HttpMethod.Put, $"/organisations/{id}/profile", profile with { topics = new[] { "WORK" } }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await tap.DrainAsync();
        tap.Received.Count(r => r.Body.Contains(id.ToString(), StringComparison.Ordinal)).Should().Be(2, "the address and contacts did not change");
    }
}
