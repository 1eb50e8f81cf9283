using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;

namespace Imsa.Network.Partners.Tests;

/// <summary>People join their organisation by invitation and enrol with a password and an authenticator: MFA from the first day.</summary>
public sealed class PeopleTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    private const string Password = "correct horse battery staple";

    private HttpClient Partners => service.Client;

    [Fact]
    public async Task AnOrganisation_InvitesACounsellor_WhoEnrolsWithAPasswordAndAnAuthenticator()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, own) = await OrganisationAsync(coordinator);
        var email = $"amal-{Guid.NewGuid():N}@ngo.example.org";

        var invited = await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/people/invitations", new { email, role = "counsellor" });
        invited.StatusCode.Should().Be(HttpStatusCode.Created);
        var code = Onboarding.InvitationCode(email);
        (await invited.Content.ReadAsStringAsync()).Should().NotContain(code);

        var started = await EnrolAsync(code, Password);
        started.StatusCode.Should().Be(HttpStatusCode.OK);
        var key = (string)(await started.Content.ReadFromJsonAsync<JsonObject>())!["authenticatorKey"]!;
        var completed = await ConfirmAsync(code, CodeOf(key));
        completed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await completed.Content.ReadFromJsonAsync<JsonObject>())!["recoveryCodes"]!.AsArray().Should().HaveCount(10);

        var seenByItself = await Partners.SendAsAsync(own, HttpMethod.Get, $"/organisations/{organisation}/people");
        var person = (await seenByItself.Content.ReadFromJsonAsync<JsonArray>())!.Single()!;
        ((string?)person["status"]).Should().Be("active");
        ((string?)person["email"]).Should().Be(email);
        ((string?)person["displayName"]).Should().Be("Amal Haddad");
        var seenByCoordinator = await (await Partners.SendAsAsync(coordinator, HttpMethod.Get, $"/organisations/{organisation}/people")).Content.ReadAsStringAsync();
        seenByCoordinator.Should().Contain((string)person["id"]!).And.NotContain(email).And.NotContain("Amal", "another organisation's staff are ids to a coordinator");

        (await EnrolAsync(code, Password)).StatusCode.Should().Be(HttpStatusCode.NotFound, "the invitation is void once enrolment is complete");
        (await ConfirmAsync(code, CodeOf(key))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await service.Database.CountAsync($"SELECT count(*) FROM identity.people WHERE \"PasswordHash\" LIKE '%{Password}%'")).Should().Be(0);
        (await service.Database.CountAsync($"SELECT count(*) FROM messaging.outbox_messages WHERE body::text LIKE '%{email}%'")).Should().Be(0, "no person's address in any event");
    }

    [Fact]
    public async Task WrongAuthenticatorCodes_AreCounted_AndLockTheEnrolmentOut_AndACodeWorksOnce()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, own) = await OrganisationAsync(coordinator);
        var (code, key) = await StartedAsync(own, organisation);

        for (var i = 0; i < 5; i++)
        {
            var wrong = await ConfirmAsync(code, CodeOf(key, DateTime.UtcNow.AddMinutes(-10 - i)));
            wrong.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
            (await wrong.ReadProblemAsync()).ErrorFields().Should().Equal("totp");
        }

        var lockedOut = await ConfirmAsync(code, CodeOf(key));
        lockedOut.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "five wrong codes lock the person out, the right one too");
        lockedOut.Headers.RetryAfter.Should().NotBeNull();
        (await service.Database.CountAsync($"SELECT count(*) FROM identity.people WHERE organisation_id = '{organisation}' AND activated_at IS NULL")).Should().Be(1);

        // One code, one use: the authenticator's code accepted once is refused when replayed.
        using var scope = service.Factory.Services.CreateScope();
        var people = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var person = people.Users.Single(p => p.OrganisationId == organisation);
        var current = CodeOf(key);
        (await people.VerifyTwoFactorTokenAsync(person, PeopleIdentity.Authenticator, current)).Should().BeTrue();
        (await people.VerifyTwoFactorTokenAsync(person, PeopleIdentity.Authenticator, current)).Should().BeFalse();
    }

    [Fact]
    public async Task OnlyTheOrganisationInvitesItsPeople_ACoordinatorOnlyItsFirstAdmin()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, own) = await OrganisationAsync(coordinator);
        var (other, _) = await OrganisationAsync(coordinator);

        (await InviteAsync(coordinator, organisation, "counsellor")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var elsewhere = await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/people/invitations",
            new { email = $"coordinators-friend-{Guid.NewGuid():N}@example.org", role = "organisation-admin" });
        elsewhere.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, "a coordinator's invitation goes to the organisation's own address only");
        (await elsewhere.ReadProblemAsync()).ErrorFields().Should().Equal("email");
        var admin = Onboarding.ContactEmail(organisation);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/people/invitations", new { email = admin, role = "organisation-admin" }))
            .StatusCode.Should().Be(HttpStatusCode.Created, "a coordinator invites the first admin, at the organisation's contact address");
        (await EnrolAsync(Onboarding.InvitationCode(admin), Password)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await InviteAsync(coordinator, organisation, "organisation-admin")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "after that, the organisation invites its people");

        (await InviteAsync(own, other, "counsellor")).StatusCode.Should().Be(HttpStatusCode.NotFound, "someone else's organisation");
        (await Partners.SendAsAsync(own, HttpMethod.Get, $"/organisations/{other}/people")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var wrongRole = await InviteAsync(own, organisation, "coordinator");
        wrongRole.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await wrongRole.ReadProblemAsync()).ErrorFields().Should().Equal("role");
        var taken = await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/people/invitations", new { email = admin, role = "counsellor" });
        taken.StatusCode.Should().Be(HttpStatusCode.Conflict, "one account per address");
    }

    [Fact]
    public async Task APassword_IsLongEnough_AndNothingElseIsAsked_AndAShortOneChangesNothing()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, own) = await OrganisationAsync(coordinator);
        var email = $"p-{Guid.NewGuid():N}@ngo.example.org";
        (await InviteAsync(own, organisation, "counsellor", email)).StatusCode.Should().Be(HttpStatusCode.Created);
        var code = Onboarding.InvitationCode(email);

        foreach (var bad in new[] { "Sh0rt!Pass#1234"[..14], new string('x', 129) })
        {
            var refused = await EnrolAsync(code, bad);
            refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
            (await refused.ReadProblemAsync()).ErrorFields().Should().Equal("password");
        }

        (await service.Database.CountAsync($"SELECT count(*) FROM identity.people WHERE organisation_id = '{organisation}'")).Should().Be(0);
        (await EnrolAsync(code, "fifteen chars!!")).StatusCode.Should().Be(HttpStatusCode.OK, "15 characters, no composition rules");
    }

    [Fact]
    public async Task AnExpiredInvitation_AndAnUnknownCode_Answer404()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, own) = await OrganisationAsync(coordinator);
        var settings = service.VirtualHost.Settings(service: "partners");
        settings["Invitations:ValidFor"] = "00:00:00.001";
        await using var shortLived = new ServiceFactory<Program>(service.Database.ConnectionString, settings);
        using var partners = shortLived.CreateClient();
        await partners.WaitUntilReadyAsync();
        var email = $"late-{Guid.NewGuid():N}@ngo.example.org";
        (await partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/people/invitations", new { email, role = "counsellor" }))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        (await EnrolAsync(Onboarding.InvitationCode(email), Password)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await EnrolAsync("a-code-nobody-issued", Password)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheInvitationLink_EnrolsThePersonInTheBrowser_OnceOnly()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, own) = await OrganisationAsync(coordinator);
        var email = $"link-{Guid.NewGuid():N}@ngo.example.org";
        (await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/people/invitations", new { email, role = "counsellor" }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var link = Onboarding.InvitationLink(email);
        link.GetLeftPart(UriPartial.Path).Should().Be($"{TestNetwork.PublicUrl}partners/enrol", "the mail links to the token server's public address");
        var code = System.Web.HttpUtility.ParseQueryString(link.Query)["code"]!;
        using var browser = service.Factory.Browser();

        var page = await browser.Client.GetAsync(link.PathAndQuery.Replace("/partners", "", StringComparison.Ordinal));
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Headers.CacheControl!.NoStore.Should().BeTrue();
        var mismatch = await browser.SubmitAsync(page, new Dictionary<string, string> { ["code"] = code, ["displayName"] = "Amal Haddad", ["password"] = Password, ["repeat"] = Password + "!" });
        mismatch.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, await mismatch.Content.ReadAsStringAsync());
        (await mismatch.Content.ReadAsStringAsync()).Should().Contain("id=\"repeat-error\"", "the message sits next to the field it is about");
        (await service.Database.CountAsync($"SELECT count(*) FROM identity.people WHERE \"Email\" = '{email}'")).Should().Be(0, "a refused step changes nothing");

        var authenticator = await browser.SubmitAsync(mismatch, new Dictionary<string, string> { ["code"] = code, ["displayName"] = "Amal Haddad", ["password"] = Password, ["repeat"] = Password });
        authenticator.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = await authenticator.Content.ReadAsStringAsync();
        html.Should().Contain("data:image/png;base64,", "the key comes as a QR code to scan");
        var key = System.Text.RegularExpressions.Regex.Match(html, "<p class=\"key\" id=\"key\">([A-Z2-7 ]+)</p>").Groups[1].Value.Replace(" ", "", StringComparison.Ordinal);
        key.Should().NotBeEmpty();

        var wrong = await browser.SubmitAsync(authenticator, new Dictionary<string, string> { ["totp"] = CodeOf(key, DateTime.UtcNow.AddMinutes(-10)) });
        wrong.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await wrong.Content.ReadAsStringAsync()).Should().Contain(key[..4], "the key is shown again next to the message");
        var done = await browser.SubmitAsync(wrong, new Dictionary<string, string> { ["totp"] = CodeOf(key) });
        done.StatusCode.Should().Be(HttpStatusCode.OK);
        System.Text.RegularExpressions.Regex.Matches(await done.Content.ReadAsStringAsync(), "<li>[^<]+</li>").Should().HaveCount(10, "ten recovery codes, shown once");
        (await service.Database.CountAsync($"SELECT count(*) FROM identity.people WHERE \"Email\" = '{email}' AND activated_at IS NOT NULL")).Should().Be(1);

        using var again = service.Factory.Browser();
        var used = await again.Client.GetAsync(link.PathAndQuery.Replace("/partners", "", StringComparison.Ordinal));
        used.StatusCode.Should().Be(HttpStatusCode.NotFound, "the link works once");
        (await again.Client.GetAsync("/enrol?code=not-a-code")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static string CodeOf(string key, DateTime? at = null) => new Totp(Base32Encoding.ToBytes(key)).ComputeTotp(at ?? DateTime.UtcNow);

    private async Task<(Guid Organisation, string Token)> OrganisationAsync(string coordinator)
    {
        var created = await Partners.SendAsAsync(coordinator, HttpMethod.Post, "/organisations",
            new { name = $"NGO {Guid.NewGuid():N}", country = "MA", kind = "origin-partner" });
        var organisation = Guid.Parse((string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
        var client = await Partners.OnboardAsync(coordinator, organisation);
        return (organisation, await Partners.GetTokenAsync(client.ClientId, client.ClientSecret));
    }

    private async Task<(string Code, string Key)> StartedAsync(string own, Guid organisation)
    {
        var email = $"s-{Guid.NewGuid():N}@ngo.example.org";
        (await InviteAsync(own, organisation, "counsellor", email)).StatusCode.Should().Be(HttpStatusCode.Created);
        var code = Onboarding.InvitationCode(email);
        var started = await EnrolAsync(code, Password);
        return (code, (string)(await started.Content.ReadFromJsonAsync<JsonObject>())!["authenticatorKey"]!);
    }

    private Task<HttpResponseMessage> InviteAsync(string token, Guid organisation, string role, string? email = null) =>
        Partners.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/people/invitations",
            new { email = email ?? $"x-{Guid.NewGuid():N}@ngo.example.org", role });

    private Task<HttpResponseMessage> EnrolAsync(string code, string password) =>
        Partners.PostAsJsonAsync("/people/enrolment", new { code, displayName = "Amal Haddad", password });

    private Task<HttpResponseMessage> ConfirmAsync(string code, string totp) =>
        Partners.PostAsJsonAsync("/people/enrolment/confirm", new { code, totp });
}
