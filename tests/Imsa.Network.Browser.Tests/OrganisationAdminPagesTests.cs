using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Imsa.Network.Browser.Tests;

/// <summary>
/// An organisation's administrator in the browser: invites people (with a name, their enrolment pages in Arabic), cancels
/// an invitation, changes roles (never the last admin's), deactivates people, creates an API client and sees
/// its secret once, rotates and revokes it, edits the profile, adds a webhook, reads its delivery log and deletes it.
/// Every change is checked at Partners' API; a counsellor of the same organisation is refused the pages.
/// </summary>
[Collection(WebNetworkTests.Name)]
public sealed class OrganisationAdminPagesTests(WebSite site)
{
    [Fact]
    public async Task AnOrganisationAdmin_ManagesPeople_ApiClients_TheProfile_AndWebhooks()
    {
        var (organisation, token) = await OrganisationAsync();
        var admin = await site.Partners.EnrolPersonAsync(token, organisation, role: "organisation-admin", displayName: "Amal Admin");
        var colleague = await site.Partners.EnrolPersonAsync(token, organisation, displayName: "Karim Berater");
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, admin, "organisation/people");
        // The start page leads an admin to the administration's pages.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Start" }).ClickAsync();
        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Your organisation's people" }).ClickAsync();

        // People: both, with name, address, role and status.
        var colleagueRow = page.Locator("tbody tr", new() { HasText = "Karim Berater" });
        await Assertions.Expect(colleagueRow).ToContainTextAsync(colleague.Email);
        await Assertions.Expect(page.GetByLabel("Role of Karim Berater", new() { Exact = true })).ToHaveValueAsync("counsellor");
        await Assertions.Expect(colleagueRow).ToContainTextAsync("active");
        await Assertions.Expect(page.GetByLabel("Role of Amal Admin", new() { Exact = true })).ToHaveValueAsync("organisation-admin");
        var response = await page.ReloadAsync();
        (await response!.AllHeadersAsync())["cache-control"].Should().Be("no-store", "the page shows people's names and addresses");
        await page.ReviewAsync("org-admin-01-people");

        // An address Partners refuses is named next to its field.
        await page.GetByLabel("E-mail address").FillAsync("not an address");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the invitation" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("E-mail address")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#email-error")).ToContainTextAsync("Enter an e-mail address");
        await Assertions.Expect(page.GetByLabel("E-mail address")).ToHaveAttributeAsync("aria-describedby", "email-error");
        await page.ReviewAsync("org-admin-02-invitation-refused");

        // An invitation with a name, its enrolment pages in Arabic.
        var invitee = $"new-{Guid.NewGuid():N}@ngo.example.org";
        await page.GetByLabel("E-mail address").FillAsync(invitee);
        await page.GetByLabel("Name (optional)").FillAsync("Nadia Neu");
        await page.GetByLabel("Organisation administrator").CheckAsync();
        await page.GetByLabel("Language of the enrolment pages").SelectOptionAsync("ar");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the invitation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The invitation was sent.");
        page.Url.Should().NotContain("example.org", "no personal data in addresses");
        // Listed among the open invitations until the person enrols.
        var invitationRow = page.Locator("tbody tr", new() { HasText = invitee });
        await Assertions.Expect(invitationRow).ToContainTextAsync("Nadia Neu");
        await Assertions.Expect(invitationRow).ToContainTextAsync("Organisation administrator");
        await page.ReviewAsync("org-admin-03-invited");
        // Partners issued it, by this admin, with the name, and mailed a link to the address (the test mailbox stands in).
        var events = await ReadAsync<JsonArray>(token, $"/organisations/{organisation}/credential-events");
        var invited = events.First(e => (string?)e!["kind"] == "person-invited")!;
        ((string?)invited["actorPersonId"]).Should().Be(admin.Id.ToString());
        var invitations = await ReadAsync<JsonArray>(token, $"/organisations/{organisation}/people/invitations");
        ((string?)invitations.Should().ContainSingle().Which!["displayName"]).Should().Be("Nadia Neu");
        // The mail names the gateway's path for Partners (/partners); here Partners is reached without the gateway.
        var link = Onboarding.InvitationLink(invitee).ToString().Replace("/partners/", "/", StringComparison.Ordinal);

        // The person's link opens Partners' enrolment page in Arabic, right to left, with the name to keep or change.
        await using var invitees = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var enrolment = await invitees.NewPageAsync();
        await enrolment.GotoAsync(link);
        await Assertions.Expect(enrolment.Locator("html")).ToHaveAttributeAsync("lang", "ar");
        await Assertions.Expect(enrolment.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Assertions.Expect(enrolment.GetByRole(AriaRole.Heading, new() { Name = "الانضمام إلى شبكة IMSA" })).ToBeVisibleAsync();
        await Assertions.Expect(enrolment.GetByLabel("اسمك كما سيراه زملاؤك")).ToHaveValueAsync("Nadia Neu");
        await enrolment.ReviewAsync("org-admin-03a-enrol-arabic");

        // Cancelling it asks first; then the link opens nothing.
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel the invitation to Nadia Neu" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cancel the invitation to Nadia Neu?" })).ToBeVisibleAsync();
        await page.ReviewAsync("org-admin-03b-cancel-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the invitation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The invitation was cancelled.");
        await Assertions.Expect(page.GetByText("No invitation is open.")).ToBeVisibleAsync();
        await page.ReviewAsync("org-admin-03c-invitation-cancelled");
        (await ReadAsync<JsonArray>(token, $"/organisations/{organisation}/people/invitations")).Should().BeEmpty();
        var cancelled = await enrolment.GotoAsync(link);
        cancelled!.Status.Should().Be(404, "a cancelled invitation's link opens nothing");
        await Assertions.Expect(enrolment.GetByText("لا يمكن استخدام هذه الدعوة")).ToBeVisibleAsync();

        // Roles: the last active admin cannot give up the role, and the refusal is shown at the field.
        await page.GetByLabel("Role of Amal Admin", new() { Exact = true }).SelectOptionAsync("counsellor");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change the role of Amal Admin" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Role of Amal Admin", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator($"#role-of-{admin.Id}-error")).ToContainTextAsync("keeps at least one active administrator");
        await page.ReviewAsync("org-admin-03d-role-refused");
        await page.GetByLabel("Role of Karim Berater", new() { Exact = true }).SelectOptionAsync("organisation-admin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change the role of Karim Berater" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The role was changed.");
        await Assertions.Expect(page.GetByLabel("Role of Karim Berater", new() { Exact = true })).ToHaveValueAsync("organisation-admin");
        await Assertions.Expect(page.GetByLabel("Role of Amal Admin", new() { Exact = true })).ToHaveValueAsync("organisation-admin");
        await page.ReviewAsync("org-admin-03e-role-changed");
        var roles = await ReadAsync<JsonArray>(token, $"/organisations/{organisation}/people");
        ((string?)roles.Single(p => (string?)p!["id"] == colleague.Id.ToString())!["role"]).Should().Be("organisation-admin");
        ((string?)roles.Single(p => (string?)p!["id"] == admin.Id.ToString())!["role"]).Should().Be("organisation-admin");

        // Deactivating a colleague asks first, then holds for good.
        await page.GetByRole(AriaRole.Link, new() { Name = "Deactivate Karim Berater" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Deactivate Karim Berater?" })).ToBeVisibleAsync();
        await page.ReviewAsync("org-admin-04-deactivate-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Deactivate for good" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The person was deactivated.");
        await Assertions.Expect(colleagueRow).ToContainTextAsync("deactivated");
        await page.ReviewAsync("org-admin-05-deactivated");
        var people = await ReadAsync<JsonArray>(token, $"/organisations/{organisation}/people");
        ((string?)people.Single(p => (string?)p!["id"] == colleague.Id.ToString())!["status"]).Should().Be("deactivated");

        // API clients: the secret once, as Partners answered it; a reload shows it no more.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "API clients" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API clients", Exact = true })).ToBeVisibleAsync();
        await page.ReviewAsync("org-admin-06-clients");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Case system (browser test)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the client" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Copy the secret now");
        var secret = await page.Locator("code.secret").InnerTextAsync();
        var clientId = Uri.UnescapeDataString(new Uri(page.Url).Query.Split('=')[1]);
        page.Url.Should().NotContain(secret, "a secret never goes into an address");
        await page.ReviewAsync("org-admin-07-client-secret");
        (await site.Partners.RequestTokenAsync(clientId, secret)).StatusCode.Should().Be(HttpStatusCode.OK, "the secret shown is the client's");
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is not shown again");
        (await page.ContentAsync()).Should().NotContain(secret);
        await page.ReviewAsync("org-admin-08-client-secret-gone");

        // A new secret replaces the old one at once.
        await page.GetByRole(AriaRole.Link, new() { Name = "New secret for Case system (browser test)" }).ClickAsync();
        await page.ReviewAsync("org-admin-09-rotate-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Make a new secret" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Copy the secret now");
        var rotated = await page.Locator("code.secret").InnerTextAsync();
        rotated.Should().NotBe(secret);
        (await site.Partners.RequestTokenAsync(clientId, secret)).IsSuccessStatusCode.Should().BeFalse("the old secret stops working");
        (await site.Partners.RequestTokenAsync(clientId, rotated)).StatusCode.Should().Be(HttpStatusCode.OK);

        await page.GetByRole(AriaRole.Link, new() { Name = "Revoke Case system (browser test)" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke for good" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The client was revoked.");
        await Assertions.Expect(page.Locator("tbody tr", new() { HasText = clientId })).ToContainTextAsync("revoked on");
        await page.ReviewAsync("org-admin-10-client-revoked");
        var clients = await ReadAsync<JsonArray>(token, $"/organisations/{organisation}/clients");
        clients.Single(c => (string?)c!["clientId"] == clientId)!["revokedAt"].Should().NotBeNull();

        // The profile: a country Partners does not know is named at its field; then the whole profile is saved.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Profile" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your organisation's profile" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Contact address for credentials")).ToHaveValueAsync(Onboarding.ContactEmail(organisation));
        await page.ReviewAsync("org-admin-11-profile");
        await page.GetByLabel("Street and number").FillAsync("12 Rue des Écoles");
        await page.GetByLabel("Postal code").FillAsync("20250");
        await page.GetByLabel("City").FillAsync("Casablanca");
        await page.GetByLabel("Country", new() { Exact = true }).FillAsync("ZZ");
        await page.GetByLabel("Function").FillAsync("Counselling office");
        await page.Locator("#contacts-0--email").FillAsync("office@ngo.example.org");
        await page.GetByLabel("Languages of counselling").SelectOptionAsync(["ar", "fr"]);
        await page.GetByLabel("Recognition of qualifications").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the profile" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Country", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#address-country-error")).ToContainTextAsync("two capital letters");
        await Assertions.Expect(page.GetByLabel("City")).ToHaveValueAsync("Casablanca"); // what was entered stays
        await page.ReviewAsync("org-admin-12-profile-refused");
        await page.GetByLabel("Country", new() { Exact = true }).FillAsync("MA");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the profile" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The profile was saved.");
        await Assertions.Expect(page.GetByLabel("City")).ToHaveValueAsync("Casablanca");
        await page.ReviewAsync("org-admin-13-profile-saved");
        var profile = (await ReadAsync<JsonObject>(token, $"/organisations/{organisation}"))["profile"]!;
        ((string?)profile["address"]!["city"]).Should().Be("Casablanca");
        ((string?)profile["address"]!["country"]).Should().Be("MA");
        profile["languages"]!.AsArray().Select(l => (string?)l).Should().BeEquivalentTo(["ar", "fr"]);
        profile["topics"]!.AsArray().Select(t => (string?)t).Should().Equal("REC");
        ((string?)profile["contacts"]![0]!["email"]).Should().Be("office@ngo.example.org");

        // Webhooks: an internal address is refused at its field; a public one is added with its secret shown once.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Your organisation has no webhook.")).ToBeVisibleAsync();
        await page.ReviewAsync("org-admin-14-webhooks");
        await page.GetByLabel("Address").FillAsync("https://127.0.0.1/imsa");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the webhook" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Address")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#url-error")).ToContainTextAsync("public server");
        await page.ReviewAsync("org-admin-15-webhook-refused");
        const string hook = "https://93.184.215.14/imsa-events";
        await page.GetByLabel("Address").FillAsync(hook);
        await page.GetByLabel("Handover offered").CheckAsync();
        await page.GetByLabel("Consent withdrawn").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the webhook" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Copy the signing secret now");
        var signing = await page.Locator("code.secret").InnerTextAsync();
        signing.Should().NotBeNullOrWhiteSpace();
        page.Url.Should().NotContain(signing);
        await page.ReviewAsync("org-admin-16-webhook-added");
        var webhooks = await ReadAsync<JsonArray>(token, $"/organisations/{organisation}/webhooks");
        var webhook = webhooks.Should().ContainSingle().Which!;
        ((string?)webhook["url"]).Should().Be(hook);
        webhook["eventTypes"]!.AsArray().Select(t => (string?)t).Should().BeEquivalentTo(["handover.offered", "consent.withdrawn"]);
        await page.ReloadAsync();
        (await page.ContentAsync()).Should().NotContain(signing);

        // A new secret: shown once, another than the first, with the overlap explained.
        await page.GotoAsync(new Uri(site.Address, "organisation/webhooks").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "New secret" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The webhook has a new signing secret." })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("each delivery carries two signatures")).ToBeVisibleAsync();
        var newSecret = await page.Locator("code.secret").InnerTextAsync();
        newSecret.Should().NotBeNullOrWhiteSpace().And.NotBe(signing);
        page.Url.Should().NotContain(newSecret);
        await page.ReviewAsync("org-admin-16b-webhook-new-secret");
        await page.GotoAsync(new Uri(site.Address, "organisation/webhooks").ToString());

        await page.GetByRole(AriaRole.Link, new() { Name = "Delivery log" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Nothing was delivered yet.")).ToBeVisibleAsync();
        await page.ReviewAsync("org-admin-17-deliveries");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the webhooks" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete", Exact = true }).ClickAsync();
        await page.ReviewAsync("org-admin-18-webhook-delete-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete the webhook" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The webhook was deleted.");
        (await ReadAsync<JsonArray>(token, $"/organisations/{organisation}/webhooks")).Should().BeEmpty();
        await page.ReviewAsync("org-admin-19-webhook-deleted");

        // In Arabic, right to left.
        await page.GotoAsync(new Uri(site.Address, "organisation/people").ToString());
        await page.GetByLabel("Language", new() { Exact = true }).SelectOptionAsync("ar");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change language" }).ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "أفراد منظمتك" })).ToBeVisibleAsync();
        await Assertions.Expect(colleagueRow).ToContainTextAsync("معطَّل");
        await page.ReviewAsync("org-admin-20-people-arabic");
    }

    [Fact]
    public async Task ACounsellor_SeesNoAdministration_AndIsRefusedItsPages()
    {
        var (organisation, token) = await OrganisationAsync();
        var counsellor = await site.Partners.EnrolPersonAsync(token, organisation, displayName: "Karim Berater");
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, counsellor, "cases");
        await page.GotoAsync(site.Address.ToString());

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are signed in" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "People" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Your organisation's people" })).ToHaveCountAsync(0);
        await page.ReviewAsync("org-admin-21-counsellor-start");

        foreach (var path in new[] { "organisation/people", "organisation/clients", "organisation/profile", "organisation/webhooks" })
        {
            var refused = await page.GotoAsync(new Uri(site.Address, path).ToString());
            refused!.Status.Should().Be(403, $"/{path} is for the organisation's administrators");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not for your role" })).ToBeVisibleAsync();
            (await page.ContentAsync()).Should().NotContain(counsellor.Email);
        }

        await page.ReviewAsync("org-admin-22-counsellor-refused");
    }

    /// <summary>A verified partner organisation abroad with its first API client, as a coordinator onboards one.</summary>
    private async Task<(Guid Organisation, string Token)> OrganisationAsync()
    {
        var coordinator = await site.Partners.GetCoordinatorTokenAsync();
        var organisation = await site.Partners.RegisterOrganisationAsync(coordinator);
        var client = await site.Partners.OnboardAsync(coordinator, organisation);
        (await site.Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/verify")).EnsureSuccessStatusCode();
        return (organisation, await site.Partners.GetTokenAsync(client.ClientId, client.ClientSecret));
    }

    private async Task<T> ReadAsync<T>(string token, string path)
        where T : JsonNode
    {
        var response = await site.Partners.SendAsAsync(token, HttpMethod.Get, path);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }
}
