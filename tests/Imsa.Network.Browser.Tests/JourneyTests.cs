using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Imsa.Network.Browser.Tests;

/// <summary>
/// The network's whole journey as the people in it walk it, each in a browser of their own and signing in with password
/// and code: the counsellor abroad hands a case over, the receiving counsellor in Germany takes it up, the person
/// withdraws consent on their own page in Arabic, and a coordinator reassigns an offer nobody answered.
/// </summary>
[Collection(WebNetworkTests.Name)]
public sealed partial class JourneyTests(WebSite site)
{
    [Fact]
    public async Task ThreePeopleInThreeBrowsers_HandACaseOver_AndThePersonsWithdrawalInArabic_RevokesTheHandover()
    {
        var receiverName = NetworkMembers.Unique("Jugendmigrationsdienst Mainz");
        var partner = await site.PartnerAbroadAsync(NetworkMembers.Unique("Association Amal Casablanca"));
        var receiver = await site.ReceivingServiceAsync(receiverName);
        await site.CaseWithConsentAsync(partner, receiver.Id);
        var counsellorAbroad = await site.Partners.EnrolPersonAsync(partner.Token, partner.Id, displayName: "Youssef Alami");
        var receivingCounsellor = await site.Partners.EnrolPersonAsync(receiver.Token, receiver.Id, displayName: "Jana Berger");

        // 1. The counsellor abroad, in English: opens the case, records consent, requests the handover.
        await using var abroadContext = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var abroad = await abroadContext.NewPageAsync();
        await site.SignInAsync(abroad, counsellorAbroad, "cases/new");
        await abroad.GetByLabel("Given names").FillAsync("Salma");
        await abroad.GetByLabel("Family name").FillAsync("Benali");
        await abroad.GetByLabel("Date of birth").FillAsync("2006-09-14");
        await abroad.GetByLabel("Nationalities").FillAsync("MA");
        await abroad.GetByLabel("Purpose of the move").SelectOptionAsync("vocational-training");
        await abroad.GetByLabel("Planned arrival in Germany").FillAsync(TestDates.ArrivalText);
        await abroad.GetByLabel("Destination postal code in Germany").FillAsync("55116");
        await abroad.GetByLabel("Preferred counselling language").FillAsync("ar");
        await abroad.GetByRole(AriaRole.Button, new() { Name = "Open the case" }).ClickAsync();
        await Assertions.Expect(abroad.GetByRole(AriaRole.Heading, new() { Name = "Case: Salma Benali" })).ToBeVisibleAsync();
        var caseId = CasePath().Match(abroad.Url).Groups["id"].Value;
        await abroad.ReviewAsync("journey-01-abroad-case");

        // The consent text in the person's preferred language, Arabic, to read with them and print.
        await abroad.GetByRole(AriaRole.Link, new() { Name = "Record consent" }).ClickAsync();
        await Assertions.Expect(abroad.Locator("article.printable")).ToHaveAttributeAsync("lang", "ar");
        await abroad.GetByLabel(receiverName).CheckAsync();
        await abroad.GetByRole(AriaRole.Button, new() { Name = "Record the consent" }).ClickAsync();
        await Assertions.Expect(abroad.GetByRole(AriaRole.Heading, new() { Name = "Consent receipt" })).ToBeVisibleAsync();
        // The address the receipt's QR code holds, as the person's phone will open it.
        var personsPage = (await abroad.GetByRole(AriaRole.Link, new() { Name = "withdraw?code=" }).GetAttributeAsync("href"))!;
        await abroad.ReviewAsync("journey-02-abroad-receipt");

        await abroad.GetByRole(AriaRole.Link, new() { Name = "Back to the case" }).ClickAsync();
        await abroad.GetByRole(AriaRole.Link, new() { Name = "Find a receiving service" }).ClickAsync();
        var request = abroad.GetByRole(AriaRole.Button, new() { Name = $"Request the handover to {receiverName}" });
        var timeline = abroad.GetByRole(AriaRole.Table, new() { Name = "Timeline" });
        await Eventually.Until(
            async () =>
            {
                if (await request.IsVisibleAsync())
                {
                    await request.ClickAsync();
                }

                return await timeline.IsVisibleAsync();
            },
            shown => shown,
            "the handover to be requested once Handovers knows the consent");
        await Assertions.Expect(abroad.Locator(".status")).ToHaveTextAsync("offered");
        var handoverPage = abroad.Url;
        var handoverId = HandoverPath().Match(handoverPage).Groups["id"].Value;
        await abroad.ReviewAsync("journey-03-abroad-requested");

        // 2. The receiving counsellor in Mainz, in German: finds the offer, accepts it, reads the dossier, reports first contact.
        await using var receivingContext = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "de-DE" });
        var receiving = await receivingContext.NewPageAsync();
        await site.SignInAsync(receiving, receivingCounsellor, "inbox");
        await Assertions.Expect(receiving.GetByRole(AriaRole.Heading, new() { Name = "Angebote an Ihren Dienst" })).ToBeVisibleAsync();
        await receiving.ReviewAsync("journey-04-receiver-inbox");
        await receiving.GetByRole(AriaRole.Link, new() { Name = handoverId, Exact = true }).ClickAsync();
        (await receiving.ContentAsync()).Should().NotContain("Benali", "an offer shows no personal data");
        await receiving.GetByRole(AriaRole.Button, new() { Name = "Übergabe annehmen" }).ClickAsync();
        await Assertions.Expect(receiving.GetByText("Sie haben die Übergabe angenommen.")).ToBeVisibleAsync();
        await receiving.ReviewAsync("journey-05-receiver-accepted");

        var dossier = new Uri(site.Address, $"inbox/{handoverId}/dossier").ToString();
        await Eventually.Until(
            async () =>
            {
                await receiving.GotoAsync(dossier);
                return await receiving.GetByText("Dieser Lesezugriff wird protokolliert.", new() { Exact = false }).CountAsync();
            },
            count => count == 1,
            "the dossier to open once Counselling hears of the acceptance");
        await Assertions.Expect(receiving.GetByText("Benali", new() { Exact = true })).ToBeVisibleAsync();
        await receiving.ReviewAsync("journey-06-receiver-dossier");

        await receiving.GetByRole(AriaRole.Link, new() { Name = "Zurück zum Angebot" }).ClickAsync();
        await receiving.GetByLabel("Ergebnis", new() { Exact = true }).SelectOptionAsync("first-contact-made");
        await receiving.GetByRole(AriaRole.Button, new() { Name = "Ergebnis speichern" }).ClickAsync();
        await Assertions.Expect(receiving.GetByText("Das Ergebnis wurde gespeichert.")).ToBeVisibleAsync();
        await receiving.ReviewAsync("journey-07-receiver-first-contact");

        // 3. The counsellor abroad sees the outcome on the handover's page.
        await abroad.GotoAsync(handoverPage);
        await Assertions.Expect(abroad.Locator(".status")).ToHaveTextAsync("in contact");
        await Assertions.Expect(timeline.GetByRole(AriaRole.Cell, new() { Name = "accepted", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(timeline.GetByRole(AriaRole.Cell, new() { Name = "outcome recorded: first contact made" })).ToBeVisibleAsync();
        await abroad.ReviewAsync("journey-08-abroad-outcome");

        // 4. The person, without an account, opens the receipt's address on a phone set to French: the page speaks the
        // language of the consent text they read, Arabic, right to left. One confirmation withdraws.
        personsPage.Should().EndWith("&lang=ar");
        await using var personContext = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR" });
        var person = await personContext.NewPageAsync();
        await person.GotoAsync(personsPage);
        await Assertions.Expect(person.Locator("html")).ToHaveAttributeAsync("lang", "ar");
        await Assertions.Expect(person.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Assertions.Expect(person.GetByText(receiverName, new() { Exact = true })).ToBeVisibleAsync();
        await person.ReviewAsync("journey-09-person-receipt-arabic");
        await person.GetByRole(AriaRole.Button, new() { Name = "نعم، اسحب موافقتي" }).ClickAsync();
        await Assertions.Expect(person.GetByRole(AriaRole.Heading, new() { Name = "تم سحب موافقتك" })).ToBeVisibleAsync();
        await person.ReviewAsync("journey-10-person-withdrawn-arabic");

        // The withdrawal reaches Handovers, which revokes the handover: the receiving service loses the dossier.
        await Eventually.Until(
            async () => (string?)(await (await site.Handovers.SendAsAsync(partner.Token, HttpMethod.Get, $"/handovers/{handoverId}"))
                .Content.ReadFromJsonAsync<JsonObject>())!["status"],
            status => status == "revoked",
            "the handover to be revoked after the person withdrew consent");
        await receiving.GotoAsync(new Uri(site.Address, $"inbox/{handoverId}").ToString());
        await Assertions.Expect(receiving.GetByText("widerrufen", new() { Exact = true })).ToBeVisibleAsync();
        await receiving.ReviewAsync("journey-11-receiver-revoked");
        await receiving.GotoAsync(dossier);
        await Assertions.Expect(receiving.GetByRole(AriaRole.Alert)).ToContainTextAsync("Diese Übergabe ist widerrufen");
        (await receiving.ContentAsync()).Should().NotContain("Benali", "a revoked handover opens no dossier");
        await receiving.ReviewAsync("journey-12-receiver-dossier-closed");

        await abroad.GotoAsync(handoverPage);
        await Assertions.Expect(abroad.Locator(".status")).ToHaveTextAsync("revoked");
        await abroad.ReviewAsync("journey-13-abroad-revoked");
        var consents = (await (await site.Counselling.SendAsAsync(partner.Token, HttpMethod.Get, $"/cases/{caseId}/consents")).Content.ReadFromJsonAsync<JsonArray>())!;
        consents.Should().ContainSingle(c => (string?)c!["state"] == "withdrawn");
    }

    [Fact]
    public async Task ACoordinator_ReassignsAnOfferNobodyAnswered_ToAnotherServiceTheConsentNames()
    {
        var (firstName, secondName, unnamedName) = (
            NetworkMembers.Unique("Migrationsberatung Mainz"), NetworkMembers.Unique("Jugendmigrationsdienst Mainz"), NetworkMembers.Unique("Fachdienst Mainz"));
        var partner = await site.PartnerAbroadAsync();
        var first = await site.ReceivingServiceAsync(firstName);
        var second = await site.ReceivingServiceAsync(secondName);
        var unnamed = await site.ReceivingServiceAsync(unnamedName);
        var caseId = await site.CaseWithConsentAsync(partner, first.Id, second.Id);
        var handoverId = await site.RequestHandoverAsync(partner, caseId, first.Id);

        // Five working days pass without an answer: Handovers' timer escalates the offer to the coordinators.
        site.HandoversTime.Advance(TimeSpan.FromDays(8));
        await Eventually.Until(
            async () => (string?)(await (await site.Handovers.SendAsAsync(partner.Token, HttpMethod.Get, $"/handovers/{handoverId}"))
                .Content.ReadFromJsonAsync<JsonObject>())!["status"],
            status => status == "escalated",
            "the unanswered offer to be escalated");

        var coordinator = await site.CoordinatorPersonAsync();
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, coordinator, "coordination/handovers");
        var card = page.Locator("article").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = handoverId }) });
        await Assertions.Expect(card.GetByText(firstName)).ToBeVisibleAsync();
        await Assertions.Expect(card.GetByText("escalated", new() { Exact = true })).ToBeVisibleAsync();
        await page.ReviewAsync("journey-20-coordinator-escalated");

        // A service the person's consent does not name is refused, next to the choice; nothing changes.
        var choice = card.GetByLabel("New receiving service");
        await choice.SelectOptionAsync(new SelectOptionValue { Label = unnamedName });
        await card.GetByRole(AriaRole.Button, new() { Name = "Reassign" }).ClickAsync();
        card = page.Locator("article").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = handoverId }) });
        choice = card.GetByLabel("New receiving service");
        await Assertions.Expect(choice).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(choice).ToHaveValueAsync(unnamed.Id.ToString());
        await Assertions.Expect(card.GetByRole(AriaRole.Alert)).ToContainTextAsync("not named by an active consent");
        await page.ReviewAsync("journey-21-coordinator-reassign-refused");
        var unchanged = (await (await site.Handovers.SendAsAsync(partner.Token, HttpMethod.Get, $"/handovers/{handoverId}")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((Guid)unchanged["receiverOrganisationId"]!).Should().Be(first.Id);

        await choice.SelectOptionAsync(new SelectOptionValue { Label = secondName });
        await card.GetByLabel("Reason").FillAsync("No answer from Migrationsberatung; the JMD has capacity.");
        await card.GetByRole(AriaRole.Button, new() { Name = "Reassign" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(handoverId);
        await page.ReviewAsync("journey-22-coordinator-reassigned");

        var reassigned = (await (await site.Handovers.SendAsAsync(partner.Token, HttpMethod.Get, $"/handovers/{handoverId}")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((Guid)reassigned["receiverOrganisationId"]!).Should().Be(second.Id);
        ((string?)reassigned["status"]).Should().Be("offered");
        var inbox = (await (await site.Handovers.SendAsAsync(second.Token, HttpMethod.Get, "/handovers/inbox")).Content.ReadFromJsonAsync<JsonNode>())!;
        inbox.ToJsonString().Should().Contain(handoverId, "the offer waits in the new service's inbox");
    }

    [GeneratedRegex("/cases/(?<id>[0-9a-f-]{36})$")]
    private static partial Regex CasePath();

    [GeneratedRegex("/handovers/(?<id>[0-9a-f-]{36})")]
    private static partial Regex HandoverPath();
}
