using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.Partners.Tests;

/// <summary>
/// Professional secrecy starts with credentials: no coordinator action yields one that can act as an organisation.
/// The organisation creates its first API client itself, from a one-time code mailed to its own address.
/// </summary>
public sealed class InvitationTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    private HttpClient Partners => service.Client;

    [Fact]
    public async Task ACoordinator_CannotCreateOrRotate_AnotherOrganisationsClient_AndNothingIsCreated()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, credentials) = await OnboardedAsync(coordinator);

        var created = await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/clients", new { name = "coordinator's own way in" });
        var rotated = await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/clients/{credentials.ClientId}/rotate");

        created.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        rotated.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await created.Content.ReadAsStringAsync()).Should().NotContain("clientSecret");
        (await rotated.Content.ReadAsStringAsync()).Should().NotContain("clientSecret");
        (await service.Database.CountAsync($"SELECT count(*) FROM api_clients WHERE organisation_id = '{organisation}'")).Should().Be(1);
        (await Partners.RequestTokenAsync(credentials.ClientId, credentials.ClientSecret)).StatusCode.Should().Be(HttpStatusCode.OK, "the secret was not rotated");
    }

    [Fact]
    public async Task AnInvitation_ReachesTheOrganisationOnly_AndItsRedemptionIsInTheOrganisationsTrail()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var organisation = await RegisterAsync(coordinator, contactEmail: null);
        var email = Onboarding.ContactEmail(organisation);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Put, $"/organisations/{organisation}/contact-email", new { contactEmail = email }))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        var issued = await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/invitations");
        var listed = await Partners.SendAsAsync(coordinator, HttpMethod.Get, $"/organisations/{organisation}/invitations");
        var code = Onboarding.InvitationCode(email);

        issued.StatusCode.Should().Be(HttpStatusCode.Created);
        var seenByCoordinator = await issued.Content.ReadAsStringAsync() + await listed.Content.ReadAsStringAsync();
        seenByCoordinator.Should().Contain(email).And.NotContain(code, "the coordinator sees that the invitation exists, never its code");
        (await service.Database.CountAsync($"SELECT count(*) FROM invitations WHERE encode(code_hash, 'escape') LIKE '%{code}%'"))
            .Should().Be(0, "only the code's hash is stored");

        var credentials = await Partners.RedeemAsync(code, "case system");
        var own = await Partners.GetTokenAsync(credentials.ClientId, credentials.ClientSecret);
        var me = (await (await Partners.SendAsAsync(own, HttpMethod.Get, "/me")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)me["organisationId"]).Should().Be(organisation.ToString());

        var trail = await EventsAsync(own, organisation);
        trail.Select(e => (string?)e["kind"]).Should().Equal("invitation-redeemed", "client-created", "invitation-issued", "contact-email-set");
        var coordinatorOrganisation = (string?)(await (await Partners.SendAsAsync(coordinator, HttpMethod.Get, "/me")).Content.ReadFromJsonAsync<JsonObject>())!["organisationId"];
        ((string?)trail[2]["actorOrganisationId"]).Should().Be(coordinatorOrganisation, "the organisation sees who invited it");
        ((string?)trail[3]["actorOrganisationId"]).Should().Be(coordinatorOrganisation, "and who chose the address its invitation went to");
        ((string?)trail[0]["actorOrganisationId"]).Should().Be(organisation.ToString());
        ((string?)trail[0]["clientId"]).Should().Be(credentials.ClientId);
        string.Join("", trail.Select(e => e.ToJsonString())).Should().NotContain(credentials.ClientSecret).And.NotContain(code);
    }

    [Fact]
    public async Task ACode_WorksOnce_AndNotAfterItWasCancelledSupersededOrExpired()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();

        var once = await InvitedAsync(coordinator);
        await Partners.RedeemAsync(once.Code);
        (await RedeemAsync(once.Code)).StatusCode.Should().Be(HttpStatusCode.NotFound, "a code works once");

        var cancelled = await InvitedAsync(coordinator);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Delete, $"/organisations/{cancelled.Organisation}/invitations/{cancelled.Invitation}"))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await RedeemAsync(cancelled.Code)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var superseded = await InvitedAsync(coordinator);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{superseded.Organisation}/invitations")).StatusCode.Should().Be(HttpStatusCode.Created);
        (await RedeemAsync(superseded.Code)).StatusCode.Should().Be(HttpStatusCode.NotFound, "a newer invitation voids the one before");

        var settings = service.VirtualHost.Settings(service: "partners");
        settings["Invitations:ValidFor"] = "00:00:00.001";
        await using var shortLived = new ServiceFactory<Program>(service.Database.ConnectionString, settings);
        using var partners = shortLived.CreateClient();
        await partners.WaitUntilReadyAsync();
        var expiring = await RegisterAsync(coordinator, Onboarding.ContactEmail(Guid.NewGuid()));
        (await partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{expiring}/invitations")).StatusCode.Should().Be(HttpStatusCode.Created);
        var expired = Onboarding.InvitationCode((string)(await (await Partners.SendAsAsync(coordinator, HttpMethod.Get, $"/organisations/{expiring}")).Content.ReadFromJsonAsync<JsonObject>())!["contactEmail"]!);
        (await RedeemAsync(expired)).StatusCode.Should().Be(HttpStatusCode.NotFound, "an invitation is void after its expiry");

        (await RedeemAsync("a-code-nobody-issued")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await service.Database.CountAsync(
            $"SELECT count(*) FROM api_clients WHERE organisation_id IN ('{cancelled.Organisation}', '{superseded.Organisation}', '{expiring}')")).Should().Be(0);
    }

    [Fact]
    public async Task AfterItsFirstClient_TheOrganisationAloneManagesItsCredentials_AndSeesACoordinatorsRevocation()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, credentials) = await OnboardedAsync(coordinator);
        var own = await Partners.GetTokenAsync(credentials.ClientId, credentials.ClientSecret);

        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/invitations"))
            .StatusCode.Should().Be(HttpStatusCode.Conflict, "an organisation with a client manages its clients itself");
        (await Partners.SendAsAsync(coordinator, HttpMethod.Put, $"/organisations/{organisation}/contact-email", new { contactEmail = "someone-else@example.org" }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden, "an address a coordinator chose could take the organisation's next invitation");
        (await Partners.SendAsAsync(own, HttpMethod.Put, $"/organisations/{organisation}/contact-email", new { contactEmail = "it-desk@example.org" }))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        var second = await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/clients", new { name = "second system" });
        second.StatusCode.Should().Be(HttpStatusCode.Created);
        var secondId = (string)(await second.Content.ReadFromJsonAsync<JsonObject>())!["clientId"]!;
        (await Partners.SendAsAsync(coordinator, HttpMethod.Delete, $"/organisations/{organisation}/clients/{secondId}?reason=reported%20stolen"))
            .StatusCode.Should().Be(HttpStatusCode.NoContent, "a coordinator may revoke, never mint");

        var trail = await EventsAsync(own, organisation);
        var revoked = trail.Single(e => (string?)e["kind"] == "client-revoked");
        ((string?)revoked["clientId"]).Should().Be(secondId);
        ((string?)revoked["reason"]).Should().Be("reported stolen");
        ((string?)revoked["actorOrganisationId"]).Should().NotBe(organisation.ToString(), "the organisation sees that someone else revoked it");
        trail.Count(e => (string?)e["kind"] == "client-created").Should().Be(2);
    }

    [Fact]
    public async Task TheBootstrapConfiguration_CannotTakeOverAPartnersClient()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (_, credentials) = await OnboardedAsync(coordinator);
        var settings = service.VirtualHost.Settings(service: "partners");
        settings["Identity:Bootstrap:ClientId"] = credentials.ClientId;
        settings["Identity:Bootstrap:ClientSecret"] = "a-secret-chosen-by-whoever-edits-the-configuration";

        await using (var restarted = new ServiceFactory<Program>(service.Database.ConnectionString, settings))
        {
            using var partners = restarted.CreateClient();
            await partners.WaitUntilReadyAsync();
        }

        (await Partners.RequestTokenAsync(credentials.ClientId, "a-secret-chosen-by-whoever-edits-the-configuration"))
            .StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Partners.RequestTokenAsync(credentials.ClientId, credentials.ClientSecret)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SomeoneElsesInvitationsAndTrail_Answer404_AndOnlyCoordinatorsInvite()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (first, credentials) = await OnboardedAsync(coordinator);
        var (second, _) = await OnboardedAsync(coordinator);
        var own = await Partners.GetTokenAsync(credentials.ClientId, credentials.ClientSecret);

        (await Partners.SendAsAsync(own, HttpMethod.Get, $"/organisations/{second}/credential-events")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Partners.SendAsAsync(own, HttpMethod.Get, $"/organisations/{second}/invitations")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Partners.SendAsAsync(own, HttpMethod.Put, $"/organisations/{second}/contact-email", new { contactEmail = "mine@example.org" }))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{first}/invitations")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Put, $"/organisations/{Guid.NewGuid()}/contact-email", new { contactEmail = "x@example.org" }))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        var invalid = await Partners.SendAsAsync(own, HttpMethod.Put, $"/organisations/{first}/contact-email", new { contactEmail = "not an address" });
        invalid.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await invalid.ReadProblemAsync()).ErrorFields().Should().Equal("contactEmail");
    }

    private async Task<(Guid Organisation, ClientCredentials Credentials)> OnboardedAsync(string coordinator)
    {
        var organisation = await RegisterAsync(coordinator, contactEmail: null);
        return (organisation, await Partners.OnboardAsync(coordinator, organisation));
    }

    private async Task<(Guid Organisation, Guid Invitation, string Code)> InvitedAsync(string coordinator)
    {
        var email = Onboarding.ContactEmail(Guid.NewGuid());
        var organisation = await RegisterAsync(coordinator, email);
        var issued = await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/invitations");
        issued.StatusCode.Should().Be(HttpStatusCode.Created);
        var invitation = Guid.Parse((string)(await issued.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
        return (organisation, invitation, Onboarding.InvitationCode(email));
    }

    private async Task<Guid> RegisterAsync(string coordinator, string? contactEmail)
    {
        var created = await Partners.SendAsAsync(coordinator, HttpMethod.Post, "/organisations",
            new { name = $"NGO {Guid.NewGuid():N}", country = "MA", kind = "origin-partner", contactEmail });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        return Guid.Parse((string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
    }

    private Task<HttpResponseMessage> RedeemAsync(string code) =>
        Partners.PostAsJsonAsync("/invitations/redeem", new { code, clientName = "x" });

    private async Task<List<JsonObject>> EventsAsync(string token, Guid organisation)
    {
        var response = await Partners.SendAsAsync(token, HttpMethod.Get, $"/organisations/{organisation}/credential-events");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonArray>())!.Select(e => e!.AsObject()).ToList();
    }
}
