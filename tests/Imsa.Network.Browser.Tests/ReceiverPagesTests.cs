using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Imsa.Network.Browser.Tests;

/// <summary>
/// A German receiving service in the browser: its counsellor finds offers in the inbox, accepts one, reads the
/// dossier (a logged read), records the first contact and declines another with a coded reason; its administrator
/// changes the service's capacity. The partner abroad acts through the APIs, as its case system would.
/// </summary>
[Collection(WebNetworkTests.Name)]
public sealed class ReceiverPagesTests(WebSite site)
{
    [Fact]
    public async Task AReceivingCounsellor_AcceptsAnOffer_ReadsTheLoggedDossier_RecordsFirstContact_AndDeclinesAnother()
    {
        var network = await NetworkAsync();
        var accepted = await OfferAsync(network);
        var declined = await OfferAsync(network);
        var counsellor = await site.Partners.EnrolPersonAsync(network.ReceiverToken, network.ReceiverId);
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await SignInAsync(page, counsellor, "receiver-00-signed-in");

        // The inbox: both offers, nearest deadline first, each linking to its page; the filters as the API has them.
        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Offers to your service" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Offers to your service" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Offers shown: 2")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = accepted.HandoverId, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Training, study, further education, German language / integration course" }).First).ToBeVisibleAsync();
        await page.ReviewAsync("receiver-01-inbox");
        await page.GetByLabel("Month of arrival").FillAsync(TestDates.Arrival.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Topic").SelectOptionAsync("EDU");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Offers shown: 2")).ToBeVisibleAsync();
        page.Url.Should().Contain("topic=EDU").And.NotContain("Example", "no personal data in addresses");
        await page.GetByLabel("Topic").SelectOptionAsync("HOUS");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No offer matches.")).ToBeVisibleAsync();
        await page.ReviewAsync("receiver-02-inbox-filtered");
        await page.GotoAsync(new Uri(site.Address, "inbox").ToString());

        // An offer's page holds no personal data; accepting it opens the way to the dossier.
        await page.GetByRole(AriaRole.Link, new() { Name = accepted.HandoverId, Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Offer of a handover" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("offered", new() { Exact = true })).ToBeVisibleAsync();
        (await page.ContentAsync()).Should().NotContain("Example", "an offer shows no personal data");
        await page.ReviewAsync("receiver-03-offer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Accept the handover" }).ClickAsync();
        await Assertions.Expect(page.GetByText("You accepted the handover.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("accepted", new() { Exact = true })).ToBeVisibleAsync();
        page.Url.Should().Be(new Uri(site.Address, $"inbox/{accepted.HandoverId}?done=accepted").ToString(), "a write is answered with a redirect");
        await page.ReviewAsync("receiver-04-accepted");

        // The dossier opens once Counselling hears of the acceptance: exactly the released categories, and the note that the read is logged.
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Read the dossier" })).ToBeVisibleAsync();
        var dossier = new Uri(site.Address, $"inbox/{accepted.HandoverId}/dossier").ToString();
        await Eventually.Until(
            async () =>
            {
                await page.GotoAsync(dossier);
                return await page.GetByText("This read is logged.", new() { Exact = false }).CountAsync();
            },
            count => count == 1,
            "the dossier to open for the accepted handover");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Identity" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Example", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Counselling history" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Training contract signed.")).ToBeVisibleAsync();
        (await page.GetByRole(AriaRole.Heading, new() { Name = "Special categories (explicit consent)" }).CountAsync()).Should().Be(0, "the consent does not release them");
        (await page.GetByRole(AriaRole.Heading, new() { Name = "Language and qualifications" }).CountAsync()).Should().Be(0, "the consent does not release them");
        var disclosureId = await page.Locator(".logged .reference").InnerTextAsync();
        await page.ReviewAsync("receiver-05-dossier");

        // Counselling logged the read for the receiving service's person (named to the partner by a pseudonym only).
        var disclosures = (await (await site.Counselling.SendAsAsync(network.PartnerToken, HttpMethod.Get, $"/cases/{accepted.CaseId}/disclosures"))
            .Content.ReadFromJsonAsync<JsonArray>())!;
        var logged = disclosures.Should().ContainSingle(d => (string?)d!["id"] == disclosureId).Which!;
        ((Guid)logged["organisationId"]!).Should().Be(network.ReceiverId);
        ((string?)logged["readerReference"]).Should().StartWith("reader-", "a person, not the organisation's API client, read it");
        logged["categories"]!.AsArray().Select(c => (string?)c).Should().Equal("identity", "contact", "migration-plan", "counselling-history");

        // First contact, reported on the accepted handover.
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the offer" }).ClickAsync();
        await page.GetByLabel("Outcome").SelectOptionAsync("first-contact-made");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the outcome" }).ClickAsync();
        await Assertions.Expect(page.GetByText("The outcome was recorded.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("in contact", new() { Exact = true })).ToBeVisibleAsync();
        await page.ReviewAsync("receiver-06-first-contact");
        var handover = (await (await site.Handovers.SendAsAsync(network.PartnerToken, HttpMethod.Get, $"/handovers/{accepted.HandoverId}"))
            .Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)handover["status"]).Should().Be("in-contact");
        ((string?)handover["lastOutcome"]).Should().Be("first-contact-made");

        // The second offer, declined: "other" without a note is refused next to the note, then a coded reason.
        await page.GotoAsync(new Uri(site.Address, $"inbox/{declined.HandoverId}").ToString());
        await page.GetByLabel("Reason").SelectOptionAsync("other");
        await page.GetByRole(AriaRole.Button, new() { Name = "Decline the handover" }).ClickAsync();
        await Assertions.Expect(page.Locator("#note-error")).ToHaveTextAsync("This field was not accepted.");
        await Assertions.Expect(page.GetByLabel("Note")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.ReviewAsync("receiver-07-decline-refused");
        await page.GetByLabel("Reason").SelectOptionAsync("no-capacity");
        await page.GetByRole(AriaRole.Button, new() { Name = "Decline the handover" }).ClickAsync();
        await Assertions.Expect(page.GetByText("You declined the handover.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("No capacity")).ToBeVisibleAsync();
        await page.ReviewAsync("receiver-08-declined");
        var second = (await (await site.Handovers.SendAsAsync(network.PartnerToken, HttpMethod.Get, $"/handovers/{declined.HandoverId}"))
            .Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)second["status"]).Should().Be("declined");
        ((string?)second["declineReason"]).Should().Be("no-capacity");

        // In German, the inbox's declined offers.
        await page.GetByLabel("Language").SelectOptionAsync("de");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change language" }).ClickAsync();
        await page.GotoAsync(new Uri(site.Address, "inbox?status=declined").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Angebote an Ihren Dienst" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "abgelehnt" })).ToBeVisibleAsync();
        await page.ReviewAsync("receiver-09-inbox-german");

        // A counsellor reads the capacity; the organisation's administrators change it.
        await page.GotoAsync(new Uri(site.Address, "capacity").ToString());
        await Assertions.Expect(page.GetByText("Die Kapazität ändert die Administration Ihrer Organisation.")).ToBeVisibleAsync();
        await page.ReviewAsync("receiver-10-capacity-counsellor");
    }

    [Fact]
    public async Task TheServicesAdministrator_ChangesTheCapacity_AndARefusedValueIsShownBesideItsField()
    {
        var network = await NetworkAsync();
        var admin = await site.Partners.EnrolPersonAsync(network.ReceiverToken, network.ReceiverId, role: "organisation-admin");
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await SignInAsync(page, admin, "receiver-capacity-00-signed-in");

        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Your service's capacity" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your service's capacity" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Most handovers open at once")).ToHaveValueAsync("20");
        await page.ReviewAsync("receiver-capacity-01");

        await page.GetByLabel("Most handovers open at once").FillAsync("-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("#maxOpenHandovers-error")).ToHaveTextAsync("This field was not accepted.");
        await Assertions.Expect(page.GetByLabel("Most handovers open at once")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.ReviewAsync("receiver-capacity-02-refused");

        var pause = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14);
        await page.GetByLabel("Most handovers open at once").FillAsync("5");
        await page.GetByLabel("No new handovers before").FillAsync(TestDates.Text(pause));
        await page.GetByLabel("Takes new handovers").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByText("The capacity was saved.")).ToBeVisibleAsync();
        page.Url.Should().Be(new Uri(site.Address, "capacity?saved=True").ToString());
        await page.ReviewAsync("receiver-capacity-03-saved");

        var organisation = (await (await site.Partners.SendAsAsync(network.ReceiverToken, HttpMethod.Get, $"/organisations/{network.ReceiverId}"))
            .Content.ReadFromJsonAsync<JsonObject>())!;
        var capacity = organisation["profile"]!["receiving"]!["capacity"]!;
        ((bool)capacity["accepting"]!).Should().BeTrue();
        ((int?)capacity["maxOpenHandovers"]).Should().Be(5);
        ((string?)capacity["noCapacityUntil"]).Should().Be(TestDates.Text(pause));
        // The rest of the profile came back unchanged.
        organisation["profile"]!["receiving"]!["area"]!["districts"]!.AsArray().Select(d => (string?)d).Should().Equal("07315");
        organisation["profile"]!["topics"]!.AsArray().Select(t => (string?)t).Should().Equal("EDU", "LANG", "REC", "WORK");
    }

    private sealed record TestNetwork(Guid PartnerId, string PartnerToken, Guid ReceiverId, string ReceiverToken);

    private sealed record Offer(string CaseId, string HandoverId);

    /// <summary>A partner abroad and a receiving service in Mainz, both verified, each with its own API client's token.</summary>
    private async Task<TestNetwork> NetworkAsync()
    {
        var partner = await site.PartnerAbroadAsync();
        var receiver = await site.ReceivingServiceAsync(NetworkMembers.Unique("Jugendmigrationsdienst Mainz"));
        return new TestNetwork(partner.Id, partner.Token, receiver.Id, receiver.Token);
    }

    /// <summary>The partner's case system opens a case, records the person's consent and requests the handover.</summary>
    private async Task<Offer> OfferAsync(TestNetwork network)
    {
        var opened = await Eventually.Until(
            () => site.Counselling.SendAsAsync(network.PartnerToken, HttpMethod.Post, "/cases", new
            {
                identity = new { givenNames = "Amina", familyName = "Example", dateOfBirth = "2007-05-02", nationalities = new[] { "MA" } },
                contact = new { email = "amina@example.org", preferredLanguage = "ar" },
                migrationPlan = new { purpose = "vocational-training", plannedArrival = TestDates.ArrivalText, destinationPostalCode = "55116" },
                languageAndQualifications = new { germanLevel = "B1", languagesSpoken = new[] { "ar", "fr" } },
                specialCategories = new { riskFlags = new[] { new { code = "psychosocial", note = "Lost a parent this year" } } },
            }),
            r => r.StatusCode == HttpStatusCode.Created,
            "Counselling to open a case for the partner");
        var caseId = (string)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        (await site.Counselling.SendAsAsync(network.PartnerToken, HttpMethod.Post, $"/cases/{caseId}/sessions",
            new { heldOn = "2026-11-20", format = "video", topics = new[] { "EDU" }, notes = "Training contract signed." })).EnsureSuccessStatusCode();
        await Eventually.Until(
            () => site.Counselling.SendAsAsync(network.PartnerToken, HttpMethod.Post, $"/cases/{caseId}/consents", new
            {
                recipients = new[] { network.ReceiverId },
                categories = new[] { "identity", "contact", "migration-plan", "counselling-history" },
                method = "signed-form",
                obtainedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
                textLanguage = "en",
                textVersion = "1",
                validUntil = DateTimeOffset.UtcNow.AddYears(1),
            }),
            r => r.StatusCode == HttpStatusCode.Created,
            "the consent naming the receiver to be recorded");
        var id = await site.RequestOfferedHandoverAsync(network.PartnerToken, new { caseId, receiverOrganisationId = network.ReceiverId, topics = new[] { "EDU", "LANG" }, plannedArrival = TestDates.ArrivalText });
        return new Offer(caseId, id);
    }

    private async Task SignInAsync(IPage page, TestPerson person, string step)
    {
        await page.GotoAsync(new Uri(site.Address, "sign-in").ToString());
        await WebSite.TypeCredentialsAsync(page, person);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are signed in" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Receiving service in Germany")).ToBeVisibleAsync();
        await page.ReviewAsync(step);
    }
}
