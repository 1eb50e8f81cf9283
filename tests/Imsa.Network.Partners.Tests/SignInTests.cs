using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.Partners.Tests;

/// <summary>People sign in through the token server: authorization code with PKCE, a password and a second factor.</summary>
public sealed class SignInTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    private HttpClient Partners => service.Client;

    [Fact]
    public async Task APerson_SignsInWithPasswordAndAuthenticatorCode_AndGetsATokenNamingThem()
    {
        var (organisation, own, _) = await OrganisationAsync();
        var person = await Partners.EnrolPersonAsync(own, organisation);
        using var browser = service.Factory.Browser();

        var sent = await browser.Client.GetAsync(browser.AuthorizeUrl());
        sent.StatusCode.Should().Be(HttpStatusCode.Redirect);
        sent.Headers.Location!.ToString().Should().StartWith("/sign-in?returnUrl=");
        var code = await browser.SignInAsync(person);
        var exchanged = await browser.ExchangeAsync(code);
        exchanged.StatusCode.Should().Be(HttpStatusCode.OK, await exchanged.Content.ReadAsStringAsync());
        var token = (string)(await exchanged.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!;

        var claims = new JwtSecurityTokenHandler().ReadJwtToken(token).Claims.ToList();
        claims.Single(c => c.Type == "sub").Value.Should().Be(person.Id.ToString());
        claims.Single(c => c.Type == "org").Value.Should().Be(organisation.ToString());
        claims.Where(c => c.Type == "role").Select(c => c.Value).Should().BeEquivalentTo("partner", "counsellor");
        claims.Where(c => c.Type == "amr").Select(c => c.Value).Should().BeEquivalentTo("pwd", "otp", "mfa");
        claims.Single(c => c.Type == "client_id").Value.Should().Be(TestSignIn.ClientId);
        token.Should().NotContain(person.Email);
        string.Join(' ', claims.Select(c => c.Value)).Should().NotContain(person.Email).And.NotContain("Amal");

        var me = await Partners.SendAsAsync(token, HttpMethod.Get, "/me");
        me.StatusCode.Should().Be(HttpStatusCode.OK);
        ((string?)(await me.Content.ReadFromJsonAsync<JsonObject>())!["organisationId"]).Should().Be(organisation.ToString());
        (await Partners.SendAsAsync(token, HttpMethod.Get, $"/organisations/{organisation}")).StatusCode.Should().Be(HttpStatusCode.OK);
        var (other, _, _) = await OrganisationAsync();
        (await Partners.SendAsAsync(token, HttpMethod.Get, $"/organisations/{other}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "another organisation's data is not there for this person");

        // The code works once: a second exchange is refused.
        var again = await browser.ExchangeAsync(code);
        again.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        ((string?)(await again.Content.ReadFromJsonAsync<JsonObject>())!["error"]).Should().Be("invalid_grant");
        (await service.Database.CountAsync("SELECT count(*) FROM \"OpenIddictTokens\" WHERE \"Type\" LIKE '%access_token'"))
            .Should().Be(0, "access tokens are self-contained: only codes are stored, to be used once");
        (await service.Database.CountAsync("SELECT count(*) FROM \"OpenIddictTokens\" WHERE \"Type\" LIKE '%authorization_code'"))
            .Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task AnAuthorizationRequest_WithAnUnregisteredRedirectUri_NoPkce_NoState_OrAPlainChallenge_IsRefused()
    {
        using var browser = service.Factory.Browser();

        var elsewhere = await browser.Client.GetAsync(browser.AuthorizeUrl(new Dictionary<string, string?> { ["redirect_uri"] = "https://attacker.example/cb" }));
        elsewhere.StatusCode.Should().Be(HttpStatusCode.BadRequest, "a code is never sent to an address the application did not register");
        elsewhere.Headers.Location.Should().BeNull();
        var unknownClient = await browser.Client.GetAsync(browser.AuthorizeUrl(new Dictionary<string, string?> { ["client_id"] = "imsa-nobody" }));
        unknownClient.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        unknownClient.Headers.Location.Should().BeNull();

        foreach (var (change, why) in new (Dictionary<string, string?>, string)[]
                 {
                     (new() { ["code_challenge"] = null, ["code_challenge_method"] = null }, "no PKCE"),
                     (new() { ["code_challenge_method"] = "plain" }, "a plain PKCE challenge"),
                     (new() { ["state"] = null }, "no state"),
                     (new() { ["response_type"] = "token" }, "the implicit flow"),
                 })
        {
            var refused = await browser.Client.GetAsync(browser.AuthorizeUrl(change));
            if (refused.Headers.Location is { } location)
            {
                location.ToString().Should().StartWith(TestSignIn.RedirectUri, why).And.Contain("error=", why).And.NotContain("code=", why);
            }
            else
            {
                refused.StatusCode.Should().Be(HttpStatusCode.BadRequest, why);
                (await refused.Content.ReadAsStringAsync()).Should().Contain("error:", why);
            }
        }

        var silent = await browser.Client.GetAsync(browser.AuthorizeUrl(new Dictionary<string, string?> { ["prompt"] = "none" }));
        silent.Headers.Location!.ToString().Should().Contain("error=login_required").And.Contain($"state={browser.State}");
    }

    [Fact]
    public async Task TheCode_IsExchangedOnlyWithTheApplicationsSecretAndTheRightVerifier()
    {
        var (organisation, own, _) = await OrganisationAsync();
        var person = await Partners.EnrolPersonAsync(own, organisation);
        using var browser = service.Factory.Browser();
        var code = await browser.SignInAsync(person);

        var wrongVerifier = await browser.ExchangeAsync(code, verifier: new string('x', 43));
        wrongVerifier.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        ((string?)(await wrongVerifier.Content.ReadFromJsonAsync<JsonObject>())!["error"]).Should().Be("invalid_grant");
        (await browser.ExchangeAsync(code, secret: "not-the-secret-of-this-application")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // An organisation's API client cannot take a person's code, nor the application act as a system.
        var (_, _, client) = await OrganisationAsync();
        var stored = await service.Database.CountAsync("SELECT (SELECT count(*) FROM \"OpenIddictTokens\") + (SELECT count(*) FROM \"OpenIddictAuthorizations\")");
        await Partners.GetTokenAsync(client.ClientId, client.ClientSecret);
        (await service.Database.CountAsync("SELECT (SELECT count(*) FROM \"OpenIddictTokens\") + (SELECT count(*) FROM \"OpenIddictAuthorizations\")"))
            .Should().Be(stored, "a system's token is not stored, nor an authorization for it");
        var asSystem = await Partners.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = TestSignIn.ClientId, ["client_secret"] = TestSignIn.ClientSecret,
        }));
        asSystem.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var apiClientAuthorize = await browser.Client.GetAsync(browser.AuthorizeUrl(new Dictionary<string, string?> { ["client_id"] = client.ClientId }));
        (apiClientAuthorize.Headers.Location?.ToString() ?? "").Should().NotContain("code=");
    }

    [Fact]
    public async Task WrongPasswordsAndCodes_GetOneGenericAnswer_AreCounted_AndLockThePersonOut()
    {
        var (organisation, own, _) = await OrganisationAsync();
        var person = await Partners.EnrolPersonAsync(own, organisation);
        using var browser = service.Factory.Browser();

        var unknown = await PasswordStepAsync(browser, $"nobody-{Guid.NewGuid():N}@ngo.example.org", "whatever it is, it is wrong");
        var wrong = await PasswordStepAsync(browser, person.Email, "not the password of this person");
        unknown.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        wrong.StatusCode.Should().Be(unknown.StatusCode);
        Alert(await wrong.Content.ReadAsStringAsync()).Should().Be(Alert(await unknown.Content.ReadAsStringAsync()), "never say whether the address exists");

        // The right password, then a wrong code: the code counts too.
        var toCode = await PasswordStepAsync(browser, person.Email, person.Password);
        toCode.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var codePage = await browser.Client.GetAsync(toCode.Headers.Location);
        var wrongCode = await browser.SubmitAsync(codePage, new Dictionary<string, string> { ["code"] = person.StaleCode() });
        wrongCode.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var wrongRecovery = await browser.SubmitAsync(wrongCode, new Dictionary<string, string> { ["code"] = "ABCDE-FGHIJ" });
        wrongRecovery.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);

        // 1 wrong password + 2 wrong codes so far; two more wrong passwords make five.
        await PasswordStepAsync(browser, person.Email, "still not the password");
        await PasswordStepAsync(browser, person.Email, "and again not the password");
        var locked = await PasswordStepAsync(browser, person.Email, person.Password);
        locked.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, "locked out: the right password is refused too, with the same answer");
        Alert(await locked.Content.ReadAsStringAsync()).Should().Be(Alert(await unknown.Content.ReadAsStringAsync()));

        var events = await (await Partners.SendAsAsync(own, HttpMethod.Get, $"/organisations/{organisation}/credential-events")).Content.ReadFromJsonAsync<JsonArray>();
        events!.Where(e => (string?)e!["kind"] == "person-locked-out" && (string?)e["personId"] == person.Id.ToString()).Should().ContainSingle("the organisation sees its person locked out");
    }

    [Fact]
    public async Task ARecoveryCode_SignsInOnce_AndTheTokenSaysNoAuthenticatorCodeWasUsed()
    {
        var (organisation, own, _) = await OrganisationAsync();
        var person = await Partners.EnrolPersonAsync(own, organisation);
        using var browser = service.Factory.Browser();

        var code = await browser.SignInAsync(person, code: person.RecoveryCodes[0]);
        var token = (string)(await (await browser.ExchangeAsync(code)).Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!;
        new JwtSecurityTokenHandler().ReadJwtToken(token).Claims.Where(c => c.Type == "amr").Select(c => c.Value).Should().BeEquivalentTo("pwd", "mfa");

        using var another = service.Factory.Browser();
        var act = () => another.SignInAsync(person, code: person.RecoveryCodes[0]);
        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("The code was refused.");
    }

    [Fact]
    public async Task TheSignInPages_ReturnOnlyToTheTokenServersOwnAuthorizationEndpoint_AndNeedTheirAntiforgeryToken()
    {
        var (organisation, own, _) = await OrganisationAsync();
        var person = await Partners.EnrolPersonAsync(own, organisation);
        using var browser = service.Factory.Browser();

        var page = await browser.Client.GetAsync("/sign-in?returnUrl=" + Uri.EscapeDataString("https://attacker.example/"));
        (await page.Content.ReadAsStringAsync()).Should().NotContain("attacker.example");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'none'");
        page.Headers.CacheControl!.NoStore.Should().BeTrue();

        var forged = await browser.Client.PostAsync("/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = person.Email, ["password"] = person.Password,
        }));
        forged.StatusCode.Should().Be(HttpStatusCode.BadRequest, "a form posted from elsewhere has no antiforgery token");

        var toCode = await browser.SubmitAsync(page, new Dictionary<string, string> { ["email"] = person.Email, ["password"] = person.Password });
        var signedIn = await browser.SubmitAsync(await browser.Client.GetAsync(toCode.Headers.Location), new Dictionary<string, string> { ["code"] = person.NextCode() });
        signedIn.StatusCode.Should().Be(HttpStatusCode.OK, "signed in, with nowhere to return to");
        signedIn.Headers.Location.Should().BeNull();
    }

    [Fact]
    public async Task People_ActWithinTheirRole_AndADeactivatedPerson_CannotSignInOrExchangeACode()
    {
        var (organisation, own, _) = await OrganisationAsync();
        var admin = await Partners.EnrolPersonAsync(own, organisation, role: "organisation-admin");
        var counsellor = await Partners.EnrolPersonAsync(own, organisation);
        var colleague = await Partners.EnrolPersonAsync(own, organisation);
        using var adminBrowser = service.Factory.Browser();
        var adminToken = await adminBrowser.AccessTokenAsync(admin);
        using var counsellorBrowser = service.Factory.Browser();
        var counsellorToken = await counsellorBrowser.AccessTokenAsync(counsellor);

        (await Partners.SendAsAsync(adminToken, HttpMethod.Get, $"/organisations/{organisation}/people")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Partners.SendAsAsync(adminToken, HttpMethod.Get, $"/organisations/{organisation}/clients")).StatusCode.Should().Be(HttpStatusCode.OK);
        foreach (var path in new[] { "people", "clients", "webhooks", "credential-events" })
        {
            (await Partners.SendAsAsync(counsellorToken, HttpMethod.Get, $"/organisations/{organisation}/{path}")).StatusCode
                .Should().Be(HttpStatusCode.Forbidden, $"{path} is for the organisation's admins");
        }

        (await Partners.SendAsAsync(counsellorToken, HttpMethod.Post, $"/organisations/{organisation}/people/invitations",
            new { email = $"x-{Guid.NewGuid():N}@ngo.example.org", role = "organisation-admin" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Partners.SendAsAsync(counsellorToken, HttpMethod.Get, $"/organisations/{organisation}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Partners.SendAsAsync(counsellorToken, HttpMethod.Post, $"/organisations/{organisation}/people/{colleague.Id}/deactivate")).StatusCode
            .Should().Be(HttpStatusCode.Forbidden, "a counsellor does not deactivate a colleague");

        // The colleague has a code in hand when the admin deactivates them: it is not exchanged any more.
        using var colleagueBrowser = service.Factory.Browser();
        var pendingCode = await colleagueBrowser.SignInAsync(colleague);
        var deactivated = await Partners.SendAsAsync(adminToken, HttpMethod.Post, $"/organisations/{organisation}/people/{colleague.Id}/deactivate?reason=left");
        deactivated.StatusCode.Should().Be(HttpStatusCode.OK);
        ((string?)(await deactivated.Content.ReadFromJsonAsync<JsonObject>())!["status"]).Should().Be("deactivated");
        var refused = await colleagueBrowser.ExchangeAsync(pendingCode);
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        ((string?)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["error"]).Should().Be("invalid_grant");
        var again = await colleagueBrowser.Client.GetAsync(colleagueBrowser.AuthorizeUrl());
        again.Headers.Location!.ToString().Should().StartWith("/sign-in", "the session of a deactivated person does not issue codes");

        var events = await (await Partners.SendAsAsync(adminToken, HttpMethod.Get, $"/organisations/{organisation}/credential-events")).Content.ReadFromJsonAsync<JsonArray>();
        var entry = events!.Single(e => (string?)e!["kind"] == "person-deactivated")!;
        ((string?)entry["personId"]).Should().Be(colleague.Id.ToString());
        ((string?)entry["actorPersonId"]).Should().Be(admin.Id.ToString(), "the organisation sees which of its people did it");

        // A person leaves: they may deactivate themselves.
        (await Partners.SendAsAsync(counsellorToken, HttpMethod.Post, $"/organisations/{organisation}/people/{counsellor.Id}/deactivate")).StatusCode
            .Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ACoordinator_DeactivatesAnotherOrganisationsPerson_OnlyAudited_AndNeverSeesTheirName()
    {
        var (organisation, own, _) = await OrganisationAsync();
        var person = await Partners.EnrolPersonAsync(own, organisation);
        var coordinator = await Partners.GetCoordinatorTokenAsync();

        var deactivated = await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/people/{person.Id}/deactivate?reason=compromised");
        deactivated.StatusCode.Should().Be(HttpStatusCode.OK);
        (await deactivated.Content.ReadAsStringAsync()).Should().NotContain(person.Email).And.NotContain("Amal");
        (await service.Database.CountAsync($"SELECT count(*) FROM admin.audit_trail WHERE action = 'person.deactivate' AND target = '{organisation}/{person.Id}'"))
            .Should().Be(1);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{Guid.NewGuid()}/people/{person.Id}/deactivate")).StatusCode
            .Should().Be(HttpStatusCode.NotFound, "the person is looked up within the organisation named");
    }

    [Fact]
    public async Task APartnersOwnSystem_WithARegisteredRedirectUri_SignsInItsOwnPeople_AndNoOneElses()
    {
        var (organisation, own, _) = await OrganisationAsync();
        const string callback = "https://cases.ngo.example.org/imsa/signed-in";
        var created = await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/clients",
            new { name = "case system", redirectUris = new[] { callback } });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var system = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var application = ((string)system["clientId"]!, (string)system["clientSecret"]!, callback);
        var listed = await (await Partners.SendAsAsync(own, HttpMethod.Get, $"/organisations/{organisation}/clients")).Content.ReadFromJsonAsync<JsonArray>();
        listed!.Single(c => (string?)c!["clientId"] == application.Item1)!["redirectUris"]!.AsArray().Select(u => (string?)u).Should().Equal(callback);

        var colleague = await Partners.EnrolPersonAsync(own, organisation);
        using var browser = service.Factory.Browser();
        browser.Application = application;
        var token = (string)(await (await browser.ExchangeAsync(await browser.SignInAsync(colleague))).Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!;
        var claims = new JwtSecurityTokenHandler().ReadJwtToken(token).Claims.ToList();
        claims.Single(c => c.Type == "sub").Value.Should().Be(colleague.Id.ToString());
        claims.Single(c => c.Type == "client_id").Value.Should().Be(application.Item1, "the token names the system the person signed in through");

        var (otherOrganisation, otherOwn, _) = await OrganisationAsync();
        var stranger = await Partners.EnrolPersonAsync(otherOwn, otherOrganisation);
        using var strangersBrowser = service.Factory.Browser();
        strangersBrowser.Application = application;
        var act = () => strangersBrowser.SignInAsync(stranger);
        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Be("No redirect: 403", "no code, and the browser is not sent back to another organisation's system");
        var probe = await strangersBrowser.Client.GetAsync(strangersBrowser.AuthorizeUrl(new Dictionary<string, string?> { ["prompt"] = "none" }));
        probe.Headers.Location!.ToString().Should().Contain("error=login_required", "another organisation's system does not learn that someone is signed in");

        foreach (var bad in new[] { "http://cases.ngo.example.org/cb", "https://cases.ngo.example.org/cb#x", "https://user:pw@cases.ngo.example.org/cb", "/relative", "not a uri" })
        {
            var refused = await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/clients", new { name = "bad", redirectUris = new[] { bad } });
            refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, bad);
            (await refused.ReadProblemAsync()).ErrorFields().Should().Equal("redirectUris");
        }

        (await Partners.SendAsAsync(own, HttpMethod.Post, $"/organisations/{organisation}/clients",
            new { name = "desktop app", redirectUris = new[] { "http://127.0.0.1:8765/callback" } })).StatusCode.Should().Be(HttpStatusCode.Created, "a loopback redirect for an app on the person's own computer");
    }

    [Fact]
    public async Task TheSecondFactorsSecrets_AreEncryptedAtRest_AndAValueMovedToAnotherPersonDoesNotOpen()
    {
        var (organisation, own, _) = await OrganisationAsync();
        var person = await Partners.EnrolPersonAsync(own, organisation);
        var colleague = await Partners.EnrolPersonAsync(own, organisation);

        (await service.Database.CountAsync($"SELECT count(*) FROM identity.person_tokens WHERE \"UserId\" = '{person.Id}'")).Should().Be(2, "the authenticator key and the recovery codes");
        (await service.Database.CountAsync($"SELECT count(*) FROM identity.person_tokens WHERE \"UserId\" = '{person.Id}' AND \"Value\" LIKE 'v1:%'")).Should().Be(2);
        (await service.Database.CountAsync($"SELECT count(*) FROM identity.person_tokens WHERE \"Value\" LIKE '%{person.AuthenticatorKey}%' OR \"Value\" LIKE '%{person.RecoveryCodes[0]}%'"))
            .Should().Be(0, "a copy of the database alone does not pass anyone's second factor");

        // The colleague's sealed authenticator key copied onto this person's row does not open for them.
        await service.Database.ExecuteAsync(
            $"UPDATE identity.person_tokens t SET \"Value\" = c.\"Value\" FROM identity.person_tokens c WHERE t.\"UserId\" = '{person.Id}' AND c.\"UserId\" = '{colleague.Id}' AND t.\"Name\" = c.\"Name\" AND t.\"Name\" = 'AuthenticatorKey'");
        using var browser = service.Factory.Browser();
        var page = await browser.Client.GetAsync("/sign-in?returnUrl=" + Uri.EscapeDataString(browser.AuthorizeUrl()));
        var refused = await browser.SubmitAsync(page, new Dictionary<string, string> { ["email"] = person.Email, ["password"] = person.Password });
        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, "a second factor that does not open is none: refused, never signed in on the password alone, no 500");

        // What is sealed opens for its owner: the colleague signs in with their own.
        using var colleagues = service.Factory.Browser();
        (await colleagues.ExchangeAsync(await colleagues.SignInAsync(colleague))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ParallelWrongPasswords_EachCount_SoTheLockoutHolds_AndASuspendedOrganisationsPersonIsRefusedAtOnce()
    {
        var (organisation, own, _) = await OrganisationAsync();
        var person = await Partners.EnrolPersonAsync(own, organisation);
        using var browser = service.Factory.Browser();
        var page = await browser.Client.GetAsync("/sign-in?returnUrl=" + Uri.EscapeDataString(browser.AuthorizeUrl()));
        var html = await page.Content.ReadAsStringAsync();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            browser.SubmitAsync(new HttpResponseMessage { Content = new StringContent(html) }, new Dictionary<string, string> { ["email"] = person.Email, ["password"] = $"parallel wrong guess {i}" })));
        attempts.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.UnprocessableEntity);
        (await service.Database.CountAsync($"SELECT count(*) FROM identity.people WHERE \"Id\" = '{person.Id}' AND \"LockoutEnd\" > now()"))
            .Should().Be(1, "twelve guesses at once count as twelve: locked out after five");

        var (suspended, suspendedOwn, _) = await OrganisationAsync();
        var colleague = await Partners.EnrolPersonAsync(suspendedOwn, suspended);
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{suspended}/verify")).EnsureSuccessStatusCode();
        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{suspended}/suspend")).EnsureSuccessStatusCode();
        (await PasswordStepAsync(service.Factory.Browser(), colleague.Email, colleague.Password)).StatusCode
            .Should().Be(HttpStatusCode.UnprocessableEntity, "a suspended organisation's people are refused with the password, not sent round the pages");
    }

    [Fact]
    public async Task APasskeyAnswer_ThatIsForgedOrHasNoChallenge_IsRefused_AndTheOptionsNeedThePagesToken()
    {
        using var browser = service.Factory.Browser();
        var page = await browser.Client.GetAsync("/sign-in?returnUrl=" + Uri.EscapeDataString(browser.AuthorizeUrl()));
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("data-passkey=\"get\"").And.Contain("/sign-in/passkey.js");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("script-src 'self'").And.NotContain("unsafe-inline");

        (await browser.Client.PostAsync("/sign-in/passkey/options", null)).StatusCode
            .Should().Be(HttpStatusCode.BadRequest, "a challenge is handed out only to the sign-in page itself (antiforgery token)");

        // No challenge was asked for: whatever is posted is not a sign-in.
        var forged = await browser.Client.PostAsync("/sign-in/passkey", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value,
            ["credential"] = """{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AAAA","signature":"AAAA"}}""",
            ["returnUrl"] = browser.AuthorizeUrl(),
        }));
        forged.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await forged.Content.ReadAsStringAsync()).Should().Contain("The passkey did not work");
        (forged.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []).Should().NotContain(c => c.StartsWith("imsa-person=", StringComparison.Ordinal) || c.StartsWith("__Host-imsa-person=", StringComparison.Ordinal),
            "no sign-in session without a verified passkey");
        (await browser.Client.GetAsync("/account")).StatusCode.Should().Be(HttpStatusCode.Redirect, "the account page sends someone not signed in to sign in");
    }

    private static async Task<HttpResponseMessage> PasswordStepAsync(TestBrowser browser, string email, string password)
    {
        var page = await browser.Client.GetAsync("/sign-in?returnUrl=" + Uri.EscapeDataString(browser.AuthorizeUrl()));
        return await browser.SubmitAsync(page, new Dictionary<string, string> { ["email"] = email, ["password"] = password });
    }

    private static string Alert(string html) => System.Text.RegularExpressions.Regex.Match(html, "role=\"alert\">([^<]*)<").Groups[1].Value;

    private async Task<(Guid Organisation, string Token, ClientCredentials Client)> OrganisationAsync()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var organisation = await Partners.RegisterOrganisationAsync(coordinator);
        var client = await Partners.OnboardAsync(coordinator, organisation);
        return (organisation, await Partners.GetTokenAsync(client.ClientId, client.ClientSecret), client);
    }
}
