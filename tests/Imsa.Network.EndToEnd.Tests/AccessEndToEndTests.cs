using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.EndToEnd.Tests;

public sealed class AccessEndToEndTests
{
    [Fact]
    public async Task SuspendedOrganisation_IsRefusedByAllThreeServicesWithinSeconds_AndAdmittedAgainWhenReinstated()
    {
        await using var network = await Network.StartAsync();
        var coordinator = await network.Partners.GetCoordinatorTokenAsync();
        var created = await network.Partners.SendAsAsync(
            coordinator, HttpMethod.Post, "/organisations", new { name = "Jugendmigrationsdienst Mainz", country = "DE", kind = "receiving-service" });
        var organisation = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var client = await network.Partners.OnboardAsync(coordinator, Guid.Parse(organisation), "case system");
        var token = await network.Partners.GetTokenAsync(client.ClientId, client.ClientSecret);
        (await network.Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/verify")).EnsureSuccessStatusCode();

        HttpClient[] services = [network.Partners, network.Counselling, network.Handovers];
        foreach (var service in services)
        {
            var me = await service.SendAsAsync(token, HttpMethod.Get, "/me");
            me.StatusCode.Should().Be(HttpStatusCode.OK);
            ((string?)(await me.Content.ReadFromJsonAsync<JsonObject>())!["kind"]).Should().Be("receiving-service");
        }

        (await network.Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/suspend")).EnsureSuccessStatusCode();
        foreach (var service in services)
        {
            await Eventually.Until(
                async () => (await service.SendAsAsync(token, HttpMethod.Get, "/me")).StatusCode,
                status => status == HttpStatusCode.Unauthorized,
                $"{service.BaseAddress} to refuse the suspended organisation's token",
                TimeSpan.FromSeconds(10));
        }

        (await network.Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/reinstate")).EnsureSuccessStatusCode();
        foreach (var service in services)
        {
            await Eventually.Until(
                async () => (await service.SendAsAsync(token, HttpMethod.Get, "/me")).StatusCode,
                status => status == HttpStatusCode.OK,
                "the reinstated organisation's token to be accepted again",
                TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task ADeactivatedPerson_IsRefusedByAllThreeServicesWithinSeconds_WhileAColleagueWorksOn()
    {
        await using var network = await Network.StartAsync();
        var coordinator = await network.Partners.GetCoordinatorTokenAsync();
        var organisation = await network.Partners.RegisterOrganisationAsync(coordinator);
        var client = await network.Partners.OnboardAsync(coordinator, organisation, "case system");
        var own = await network.Partners.GetTokenAsync(client.ClientId, client.ClientSecret);
        (await network.Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/verify")).EnsureSuccessStatusCode();
        var leaving = await network.Partners.EnrolPersonAsync(own, organisation);
        var staying = await network.Partners.EnrolPersonAsync(own, organisation);
        using var first = network.PartnersBrowser();
        var leavingToken = await first.AccessTokenAsync(leaving);
        using var second = network.PartnersBrowser();
        var stayingToken = await second.AccessTokenAsync(staying);

        HttpClient[] services = [network.Partners, network.Counselling, network.Handovers];
        foreach (var service in services)
        {
            var me = await (await service.SendAsAsync(leavingToken, HttpMethod.Get, "/me")).Content.ReadFromJsonAsync<JsonObject>();
            ((string?)me!["personId"]).Should().Be(leaving.Id.ToString(), $"{service.BaseAddress} reads the person from a signed-in person's token");
        }

        (await network.Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/people/{leaving.Id}/deactivate")).EnsureSuccessStatusCode();
        foreach (var service in services)
        {
            await Eventually.Until(
                async () => (await service.SendAsAsync(leavingToken, HttpMethod.Get, "/me")).StatusCode,
                status => status == HttpStatusCode.Unauthorized,
                $"{service.BaseAddress} to refuse the deactivated person's token",
                TimeSpan.FromSeconds(10));
            (await service.SendAsAsync(stayingToken, HttpMethod.Get, "/me")).StatusCode.Should().Be(HttpStatusCode.OK, "a colleague is not affected");
        }

        (await network.Counselling.SendAsAsync(stayingToken, HttpMethod.Get, "/cases")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
