using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OtpNet;

namespace Imsa.Network.Partners.Tests;

/// <summary>
/// An organisation administers its people: a name given at invitation, the open invitations listed and cancelled, a
/// person's role changed (never the last active admin's), and the enrolment and account pages in the person's language.
/// </summary>
public sealed class PeopleAdministrationTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    private const string Password = "correct horse battery staple";

    private HttpClient Partners => service.Client;

    [Fact]
    public async Task TheNameGivenAtInvitation_IsThePersonsUnlessTheyChangeIt_AndOpenInvitationsAreListed_ACoordinatorSeeingNoAddress()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, own) = await OrganisationAsync(coordinator);
        var kept = $"kept-{Guid.NewGuid():N}@ngo.example.org";
        var changed = $"changed-{Guid.NewGuid():N}@ngo.example.org";

        var invited = await InviteAsync(own, organisation, kept, "counsellor", displayName: " Amal Haddad ", language: "ar");
        invited.StatusCode.Should().Be(HttpStatusCode.Created);
        ((string?)(await invited.Content.ReadFromJsonAsync<JsonObject>())!["displayName"]).Should().Be("Amal Haddad");
        Onboarding.InvitationLink(kept).Query.Should().EndWith("&lang=ar", "the link opens the enrolment pages in the language chosen");
        (await InviteAsync(own, organisation, changed, "organisation-admin", displayName: "Karim B.")).StatusCode.Should().Be(HttpStatusCode.Created);

        var listed = await ReadAsync<JsonArray>(own, $"/organisations/{organisation}/people/invitations");
        listed.Select(i => (string?)i!["email"]).Should().Equal(new[] { changed, kept }, "newest first");
        ((string?)listed[0]!["role"]).Should().Be("organisation-admin");
        ((string?)listed[1]!["displayName"]).Should().Be("Amal Haddad");
        ((string?)listed[1]!["status"]).Should().Be("open");
        listed[1]!["expiresAt"].Should().NotBeNull();
        var seenByCoordinator = await (await Partners.SendAsAsync(coordinator, HttpMethod.Get, $"/organisations/{organisation}/people/invitations")).Content.ReadAsStringAsync();
        seenByCoordinator.Should().Contain((string)listed[1]!["id"]!).And.NotContain(kept).And.NotContain("Amal", "another organisation's staff are ids to a coordinator");

        // Enrolling without a name keeps the invitation's; with one, the person's own counts.
        var started = await Partners.PostAsJsonAsync("/people/enrolment", new { code = Onboarding.InvitationCode(kept), password = Password });
        started.StatusCode.Should().Be(HttpStatusCode.OK);
        var key = (string)(await started.Content.ReadFromJsonAsync<JsonObject>())!["authenticatorKey"]!;
        (await Partners.PostAsJsonAsync("/people/enrolment", new { code = Onboarding.InvitationCode(changed), displayName = "Karim Benali", password = Password }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var people = await ReadAsync<JsonArray>(own, $"/organisations/{organisation}/people");
        people.Select(p => (string?)p!["displayName"]).Should().BeEquivalentTo(["Amal Haddad", "Karim Benali"]);

        // Without a name at invitation, enrolment asks for one.
        var nameless = $"nameless-{Guid.NewGuid():N}@ngo.example.org";
        (await InviteAsync(own, organisation, nameless, "counsellor")).StatusCode.Should().Be(HttpStatusCode.Created);
        var unnamed = await Partners.PostAsJsonAsync("/people/enrolment", new { code = Onboarding.InvitationCode(nameless), password = Password });
        unnamed.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await unnamed.ReadProblemAsync()).ErrorFields().Should().Equal("displayName");

        // Redeemed, an invitation is no longer open.
        (await Partners.PostAsJsonAsync("/people/enrolment/confirm", new { code = Onboarding.InvitationCode(kept), totp = CodeOf(key) })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ReadAsync<JsonArray>(own, $"/organisations/{organisation}/people/invitations")).Select(i => (string?)i!["email"]).Should().Equal(nameless, changed);
        (await Partners.SendAsAsync(own, HttpMethod.Get, $"/organisations/{Guid.NewGuid()}/people/invitations")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await service.Database.CountAsync($"SELECT count(*) FROM messaging.outbox_messages WHERE body::text LIKE '%Amal%'")).Should().Be(0, "no name in any event");
    }

    [Fact]
    public async Task AnInvitation_RefusesAnOverlongName_AnUnofferedLanguage_AndANameFromACoordinator()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, own) = await OrganisationAsync(coordinator);
        var registered = await Partners.RegisterOrganisationAsync(coordinator);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Put, $"/organisations/{registered}/contact-email", new { contactEmail = Onboarding.ContactEmail(registered) }))
            .EnsureSuccessStatusCode();

        foreach (var (body, field) in new (object, string)[]
                 {
                     (new { email = $"a-{Guid.NewGuid():N}@ngo.example.org", role = "counsellor", displayName = new string('n', 201) }, "displayName"),
                     (new { email = $"b-{Guid.NewGuid():N}@ngo.example.org", role = "counsellor", language = "es" }, "language"),
                 })
        {
            var refused = await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/people/invitations", body);
            refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
            (await refused.ReadProblemAsync()).ErrorFields().Should().Equal(field);
        }

        var named = await InviteAsync(coordinator, registered, Onboarding.ContactEmail(registered), "organisation-admin", displayName: "Chosen By A Coordinator");
        named.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, "the first admin names themselves");
        (await named.ReadProblemAsync()).ErrorFields().Should().Equal("displayName");
        (await ReadAsync<JsonArray>(own, $"/organisations/{organisation}/people/invitations")).Should().BeEmpty("a refused invitation is none");
    }

    [Fact]
    public async Task ACancelledInvitation_Answers404AtEnrolment_EndsTheEnrolmentUnderWay_AndIsSomeoneElses404()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, own) = await OrganisationAsync(coordinator);
        var (other, otherOwn) = await OrganisationAsync(coordinator);
        var email = $"cancelled-{Guid.NewGuid():N}@ngo.example.org";
        (await InviteAsync(own, organisation, email, "counsellor", displayName: "Amal Haddad")).StatusCode.Should().Be(HttpStatusCode.Created);
        var code = Onboarding.InvitationCode(email);
        var link = Onboarding.InvitationLink(email);
        var id = (string)(await ReadAsync<JsonArray>(own, $"/organisations/{organisation}/people/invitations")).Single()!["id"]!;
        var started = await Partners.PostAsJsonAsync("/people/enrolment", new { code, password = Password });
        started.StatusCode.Should().Be(HttpStatusCode.OK);
        var key = (string)(await started.Content.ReadFromJsonAsync<JsonObject>())!["authenticatorKey"]!;

        (await Partners.SendAsAsync(otherOwn, HttpMethod.Delete, $"/organisations/{organisation}/people/invitations/{id}")).StatusCode
            .Should().Be(HttpStatusCode.NotFound, "someone else's organisation");
        (await Partners.SendAsAsync(otherOwn, HttpMethod.Delete, $"/organisations/{other}/people/invitations/{id}")).StatusCode
            .Should().Be(HttpStatusCode.NotFound, "the invitation is looked up within the organisation named");

        (await Partners.SendAsAsync(own, HttpMethod.Delete, $"/organisations/{organisation}/people/invitations/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Partners.PostAsJsonAsync("/people/enrolment/confirm", new { code, totp = CodeOf(key) })).StatusCode
            .Should().Be(HttpStatusCode.NotFound, "a cancelled invitation's enrolment does not complete");
        (await Partners.PostAsJsonAsync("/people/enrolment", new { code, password = Password })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var browser = service.Factory.Browser();
        (await browser.Client.GetAsync(link.PathAndQuery.Replace("/partners", "", StringComparison.Ordinal))).StatusCode
            .Should().Be(HttpStatusCode.NotFound, "the mail's link no longer opens");
        (await service.Database.CountAsync($"SELECT count(*) FROM identity.people WHERE \"Email\" = '{email}'")).Should().Be(0, "the person who had begun to enrol is not left half enrolled");
        (await ReadAsync<JsonArray>(own, $"/organisations/{organisation}/people/invitations")).Should().BeEmpty();

        (await Partners.SendAsAsync(own, HttpMethod.Delete, $"/organisations/{organisation}/people/invitations/{id}")).StatusCode
            .Should().Be(HttpStatusCode.NoContent, "cancelled once; asked again, nothing changes");
        var events = await ReadAsync<JsonArray>(own, $"/organisations/{organisation}/credential-events");
        events.Where(e => (string?)e!["kind"] == "person-invitation-cancelled").Should().ContainSingle().Which!["invitationId"]!.GetValue<string>().Should().Be(id);

        // The address can be invited again; a coordinator may cancel that one too, audited.
        (await InviteAsync(own, organisation, email, "counsellor")).StatusCode.Should().Be(HttpStatusCode.Created);
        var again = (string)(await ReadAsync<JsonArray>(own, $"/organisations/{organisation}/people/invitations")).Single()!["id"]!;
        (await Partners.SendAsAsync(coordinator, HttpMethod.Delete, $"/organisations/{organisation}/people/invitations/{again}?reason=sent%20twice")).StatusCode
            .Should().Be(HttpStatusCode.NoContent);
        (await service.Database.CountAsync($"SELECT count(*) FROM admin.audit_trail WHERE action = 'person.invitation-cancel' AND target = '{organisation}/{again}'"))
            .Should().Be(1);
    }

    [Fact]
    public async Task APersonsRole_IsChangedByTheirOrganisation_AndShowsInTheirNextToken()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (organisation, own) = await OrganisationAsync(coordinator);
        var (other, otherOwn) = await OrganisationAsync(coordinator);
        var admin = await Partners.EnrolPersonAsync(own, organisation, role: "organisation-admin");
        var counsellor = await Partners.EnrolPersonAsync(own, organisation);
        using var adminBrowser = service.Factory.Browser();
        var adminToken = await adminBrowser.AccessTokenAsync(admin);
        using var counsellorBrowser = service.Factory.Browser();
        var before = await counsellorBrowser.AccessTokenAsync(counsellor);
        Roles(before).Should().BeEquivalentTo("partner", "counsellor");

        var changed = await ChangeRoleAsync(adminToken, organisation, counsellor.Id, "organisation-admin");
        changed.StatusCode.Should().Be(HttpStatusCode.OK);
        var person = (await changed.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)person["role"]).Should().Be("organisation-admin");
        ((string?)person["displayName"]).Should().Be("Amal Haddad");
        (await Partners.SendAsAsync(before, HttpMethod.Get, $"/organisations/{organisation}/people")).StatusCode
            .Should().Be(HttpStatusCode.Forbidden, "a token already issued keeps the role it names");

        // The next token: Partners' session gives the application a new code without a password, with the new role.
        var redirect = await counsellorBrowser.Client.GetAsync(counsellorBrowser.AuthorizeUrl());
        var exchanged = await counsellorBrowser.ExchangeAsync(counsellorBrowser.CodeFrom(redirect));
        var after = (string)(await exchanged.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!;
        Roles(after).Should().BeEquivalentTo("partner", "organisation-admin");
        (await Partners.SendAsAsync(after, HttpMethod.Get, $"/organisations/{organisation}/people")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await ChangeRoleAsync(adminToken, organisation, counsellor.Id, "organisation-admin")).StatusCode.Should().Be(HttpStatusCode.OK, "asked again, the person as they are");
        var events = await ReadAsync<JsonArray>(own, $"/organisations/{organisation}/credential-events");
        var audited = events.Where(e => (string?)e!["kind"] == "person-role-changed").Should().ContainSingle().Which!;
        ((string?)audited["personId"]).Should().Be(counsellor.Id.ToString());
        ((string?)audited["actorPersonId"]).Should().Be(admin.Id.ToString());
        ((string?)audited["reason"]).Should().Be("counsellor to organisation-admin");

        (await ChangeRoleAsync(otherOwn, organisation, counsellor.Id, "counsellor")).StatusCode.Should().Be(HttpStatusCode.NotFound, "someone else's organisation");
        (await ChangeRoleAsync(otherOwn, other, counsellor.Id, "counsellor")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the person is looked up within the organisation named");
        (await ChangeRoleAsync(coordinator, organisation, counsellor.Id, "counsellor")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "only the organisation changes its people's roles");
        foreach (var role in new[] { "coordinator", "owner" })
        {
            var refused = await ChangeRoleAsync(adminToken, organisation, counsellor.Id, role);
            refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, role);
            (await refused.ReadProblemAsync()).ErrorFields().Should().Equal("role");
        }

        (await service.Database.CountAsync($"SELECT count(*) FROM identity.people WHERE \"Id\" = '{counsellor.Id}' AND role = 'organisation-admin'")).Should().Be(1);
    }

    [Fact]
    public async Task TheLastActiveAdmin_KeepsTheRole_DemotingThemselvesIncluded_AndADeactivatedPersonsRoleDoesNotChange()
    {
        var (organisation, own) = await OrganisationAsync(await Partners.GetCoordinatorTokenAsync());
        var admin = await Partners.EnrolPersonAsync(own, organisation, role: "organisation-admin");
        var colleague = await Partners.EnrolPersonAsync(own, organisation);
        // An admin still enrolling is not one who can act: they do not count.
        var enrolling = $"enrolling-{Guid.NewGuid():N}@ngo.example.org";
        (await InviteAsync(own, organisation, enrolling, "organisation-admin")).StatusCode.Should().Be(HttpStatusCode.Created);
        (await Partners.PostAsJsonAsync("/people/enrolment", new { code = Onboarding.InvitationCode(enrolling), displayName = "Not Yet", password = Password }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        using var browser = service.Factory.Browser();
        var adminToken = await browser.AccessTokenAsync(admin);

        var themselves = await ChangeRoleAsync(adminToken, organisation, admin.Id, "counsellor");
        themselves.StatusCode.Should().Be(HttpStatusCode.Conflict, "the last active admin");
        var problem = await themselves.ReadProblemAsync();
        ((string?)problem["detail"]).Should().Contain("at least one active organisation-admin");
        (await ChangeRoleAsync(own, organisation, admin.Id, "counsellor")).StatusCode.Should().Be(HttpStatusCode.Conflict, "the organisation's systems too");

        (await ChangeRoleAsync(adminToken, organisation, colleague.Id, "organisation-admin")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ChangeRoleAsync(adminToken, organisation, admin.Id, "counsellor")).StatusCode.Should().Be(HttpStatusCode.OK, "another admin is active now");
        (await ChangeRoleAsync(own, organisation, colleague.Id, "counsellor")).StatusCode.Should().Be(HttpStatusCode.Conflict, "now the colleague is the last one");

        (await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/people/{admin.Id}/deactivate")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ChangeRoleAsync(own, organisation, admin.Id, "organisation-admin")).StatusCode.Should().Be(HttpStatusCode.Conflict, "a deactivated person's role stays");
        var colleagueToken = await browser.AccessTokenAsync(colleague);
        (await Partners.SendAsAsync(colleagueToken, HttpMethod.Post, $"/organisations/{organisation}/people/{colleague.Id}/deactivate"))
            .StatusCode.Should().Be(HttpStatusCode.Conflict, "the last active admin does not leave the organisation without one");
        (await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/people/{colleague.Id}/deactivate"))
            .StatusCode.Should().Be(HttpStatusCode.Conflict, "nor do the organisation's systems deactivate them");
        (await service.Database.CountAsync(
                $"SELECT count(*) FROM identity.people WHERE organisation_id = '{organisation}' AND role = 'organisation-admin' AND activated_at IS NOT NULL AND deactivated_at IS NULL"))
            .Should().Be(1);
    }

    [Fact]
    public async Task TheEnrolmentPages_SpeakArabicRightToLeft_AsTheLinkAsks_AndGerman_AsTheBrowserAsks()
    {
        var (organisation, own) = await OrganisationAsync(await Partners.GetCoordinatorTokenAsync());
        var arabic = $"ar-{Guid.NewGuid():N}@ngo.example.org";
        (await InviteAsync(own, organisation, arabic, "counsellor", displayName: "Amal Haddad", language: "ar")).StatusCode.Should().Be(HttpStatusCode.Created);
        using var browser = service.Factory.Browser();

        var page = await browser.Client.GetAsync(Onboarding.InvitationLink(arabic).PathAndQuery.Replace("/partners", "", StringComparison.Ordinal));
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("<html lang=\"ar\" dir=\"rtl\">").And.Contain("<h1>الانضمام إلى شبكة IMSA</h1>").And.Contain("<label for=\"password\">كلمة المرور</label>");
        html.Should().Contain("value=\"Amal Haddad\"", "the name the invitation gave, to keep or change");
        // The language goes along with the form: a refusal is in Arabic too, next to its field.
        var code = System.Web.HttpUtility.ParseQueryString(Onboarding.InvitationLink(arabic).Query)["code"]!;
        var mismatch = await browser.SubmitAsync(page, new Dictionary<string, string> { ["code"] = code, ["displayName"] = "Amal Haddad", ["password"] = Password, ["repeat"] = Password + "!" });
        mismatch.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, await mismatch.Content.ReadAsStringAsync());
        (await mismatch.Content.ReadAsStringAsync()).Should().Contain("<html lang=\"ar\" dir=\"rtl\">")
            .And.Contain("<p class=\"field-error\" id=\"repeat-error\">كلمتا المرور مختلفتان: اكتب كلمة المرور نفسها مرتين.</p>");

        // No language in the link: the browser's.
        var german = $"de-{Guid.NewGuid():N}@ngo.example.org";
        (await InviteAsync(own, organisation, german, "counsellor")).StatusCode.Should().Be(HttpStatusCode.Created);
        using var request = new HttpRequestMessage(HttpMethod.Get, Onboarding.InvitationLink(german).PathAndQuery.Replace("/partners", "", StringComparison.Ordinal));
        request.Headers.AcceptLanguage.ParseAdd("de-DE,de;q=0.9,en;q=0.5");
        var inGerman = await (await browser.Client.SendAsync(request)).Content.ReadAsStringAsync();
        inGerman.Should().Contain("<html lang=\"de\" dir=\"ltr\">").And.Contain("<h1>IMSA Network beitreten</h1>").And.Contain(">Passwort</label>");

        // A link that opens nothing says so in its language (ui_locales, as an application asks).
        var unknown = await browser.Client.GetAsync("/enrol?code=not-a-code&ui_locales=fr");
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await unknown.Content.ReadAsStringAsync()).Should().Contain("<html lang=\"fr\" dir=\"ltr\">").And.Contain("Cette invitation ne peut pas être utilisée");
    }

    [Fact]
    public async Task TheAccountPage_SpeaksTheLanguageOfItsAddress_ThroughSignIn()
    {
        var (organisation, own) = await OrganisationAsync(await Partners.GetCoordinatorTokenAsync());
        var person = await Partners.EnrolPersonAsync(own, organisation);
        using var browser = service.Factory.Browser();

        var toSignIn = await browser.Client.GetAsync("/account?lang=ar");
        toSignIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var signIn = await browser.Client.GetAsync(toSignIn.Headers.Location);
        (await signIn.Content.ReadAsStringAsync()).Should().Contain("<html lang=\"ar\" dir=\"rtl\">", "the sign-in page speaks the account page's language");
        var toCode = await browser.SubmitAsync(signIn, new Dictionary<string, string> { ["email"] = person.Email, ["password"] = person.Password });
        var back = await browser.SubmitAsync(await browser.Client.GetAsync(toCode.Headers.Location), new Dictionary<string, string> { ["code"] = person.NextCode() });
        back.Headers.Location!.ToString().Should().Be("/account?lang=ar", "back to the account page, in its language");

        var account = await (await browser.Client.GetAsync(back.Headers.Location)).Content.ReadAsStringAsync();
        account.Should().Contain("<html lang=\"ar\" dir=\"rtl\">").And.Contain("<h1>حسابك</h1>").And.Contain("<bdi>Amal Haddad</bdi>");
        var inGerman = await (await browser.Client.GetAsync("/account?lang=de")).Content.ReadAsStringAsync();
        inGerman.Should().Contain("<html lang=\"de\" dir=\"ltr\">").And.Contain("<h1>Ihr Konto</h1>").And.Contain("Beraterin oder Berater");
        var signedOut = await browser.SubmitAsync(
            new HttpResponseMessage { Content = new StringContent(inGerman[inGerman.IndexOf("<form method=\"post\" action=\"/account/sign-out\">", StringComparison.Ordinal)..]) },
            new Dictionary<string, string>());
        (await signedOut.Content.ReadAsStringAsync()).Should().Contain("<h1>Abgemeldet</h1>");
    }

    private static IEnumerable<string> Roles(string token) =>
        new JwtSecurityTokenHandler().ReadJwtToken(token).Claims.Where(c => c.Type == "role").Select(c => c.Value);

    private static string CodeOf(string key) => new Totp(Base32Encoding.ToBytes(key)).ComputeTotp(DateTime.UtcNow);

    private async Task<(Guid Organisation, string Token)> OrganisationAsync(string coordinator)
    {
        var organisation = await Partners.RegisterOrganisationAsync(coordinator);
        var client = await Partners.OnboardAsync(coordinator, organisation);
        return (organisation, await Partners.GetTokenAsync(client.ClientId, client.ClientSecret));
    }

    private Task<HttpResponseMessage> InviteAsync(string token, Guid organisation, string email, string role, string? displayName = null, string? language = null) =>
        Partners.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/people/invitations", new { email, role, displayName, language });

    private Task<HttpResponseMessage> ChangeRoleAsync(string token, Guid organisation, Guid person, string role) =>
        Partners.SendAsAsync(token, HttpMethod.Put, $"/organisations/{organisation}/people/{person}/role", new { role });

    private async Task<T> ReadAsync<T>(string token, string path)
        where T : JsonNode
    {
        var response = await Partners.SendAsAsync(token, HttpMethod.Get, path);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }
}
