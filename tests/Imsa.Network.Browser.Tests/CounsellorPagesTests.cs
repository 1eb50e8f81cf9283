using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Imsa.Network.Browser.Tests;

/// <summary>
/// The counsellor abroad in the browser: opens a case, records consent and gets the receipt with its code and QR code,
/// finds the receiving service among the suggestions and requests the handover; and a form refused field by field.
/// </summary>
[Collection(WebNetworkTests.Name)]
public sealed partial class CounsellorPagesTests(WebSite site)
{
    private const string ReceiverName = "Jugendmigrationsdienst Mainz (browser)";

    [Fact]
    public async Task ACounsellor_OpensACase_RecordsConsent_AndRequestsTheHandover()
    {
        var (person, own) = await CounsellorAsync();
        var receiver = await ReceivingServiceAsync();
        await CounsellingKnowsAsync(own, receiver);
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, person, "cases");

        await page.GetByRole(AriaRole.Link, new() { Name = "Open a new case" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Open a case" })).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-01-new-case");
        await page.GetByLabel("Given names").FillAsync("Amina");
        await page.GetByLabel("Family name").FillAsync("Example");
        await page.GetByLabel("Date of birth").FillAsync("2007-05-02");
        await page.GetByLabel("Nationalities").FillAsync("MA");
        await page.GetByLabel("Purpose of the move").SelectOptionAsync("vocational-training");
        await page.GetByLabel("Planned arrival in Germany").FillAsync(TestDates.ArrivalText);
        await page.GetByLabel("Destination postal code in Germany").FillAsync("55116");
        await page.GetByLabel("Preferred counselling language").FillAsync("ar");
        await page.GetByLabel("German level (A0–C2)").SelectOptionAsync("A2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the case" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Case: Amina Example" })).ToBeVisibleAsync();
        var caseId = CasePath().Match(page.Url).Groups["id"].Value;
        page.Url.Should().NotContain("Amina", "no personal data in addresses");
        await page.ReviewAsync("counsellor-02-case");
        var stored = await site.Counselling.SendAsAsync(own, HttpMethod.Get, $"/cases/{caseId}");
        stored.StatusCode.Should().Be(HttpStatusCode.OK);
        var storedCase = (await stored.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)storedCase["migrationPlan"]!["destinationPostalCode"]).Should().Be("55116");
        ((string?)storedCase["languageAndQualifications"]!["germanLevel"]).Should().Be("A2");

        // Consent: the text to read in the person's language (Arabic, right to left, for the person's preferred language),
        // the suggested service as recipient, the usual categories.
        await page.GetByRole(AriaRole.Link, new() { Name = "Record consent" }).ClickAsync();
        var text = page.Locator("article.printable");
        await Assertions.Expect(text).ToHaveAttributeAsync("lang", "ar");
        await Assertions.Expect(text).ToHaveAttributeAsync("dir", "rtl");
        await Assertions.Expect(text.GetByText("موافقة على مشاركة بياناتي وإعفاء من واجب السرية")).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-03-consent");
        await page.GetByLabel(ReceiverName).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the consent" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Consent receipt" })).ToBeVisibleAsync();
        var code = (await page.Locator(".code").InnerTextAsync()).Trim();
        code.Should().NotBeEmpty();
        var qr = page.GetByRole(AriaRole.Img, new() { Name = "QR code leading to the page where the person can withdraw consent" });
        (await qr.GetAttributeAsync("src")).Should().StartWith("data:image/png;base64,");
        (await page.GetByRole(AriaRole.Link, new() { Name = "withdraw?code=" }).GetAttributeAsync("href"))
            .Should().Be($"{site.Address}withdraw?code={Uri.EscapeDataString(code)}&lang=ar", "the person's page opens in the language of the text they read");
        await Assertions.Expect(page.GetByText(ReceiverName)).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-04-receipt");
        var consents = (await (await site.Counselling.SendAsAsync(own, HttpMethod.Get, $"/cases/{caseId}/consents")).Content.ReadFromJsonAsync<JsonArray>())!;
        consents.Should().ContainSingle();
        consents[0]!["recipients"]!.AsArray().Select(r => (Guid)r!).Should().Equal(receiver);

        // Matching, then the handover: Handovers hears of the consent from Counselling, so the request may need a moment.
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the case" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Find a receiving service" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = ReceiverName })).ToBeVisibleAsync();
        // Other tests' services may be suggested too (the browser tests share one network): this receiver's reasons, said
        // in the page's language from Partners' reason codes.
        var suggestion = page.Locator("ol.suggestions > li").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = ReceiverName }) });
        await Assertions.Expect(suggestion.GetByText("Serves the district 07315", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(suggestion.GetByText(AgeWithinRange())).ToBeVisibleAsync();
        await Assertions.Expect(suggestion.GetByText("Speaks Arabic", new() { Exact = true })).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-05-matching");
        await page.GetByRole(AriaRole.Button, new() { Name = "Also show services that were excluded, and why" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Excluded services" })).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-06-matching-exclusions");

        // The topics ticked narrow the suggestions: the receiver counsels on no housing, so it is excluded, and says why.
        var topics = page.GetByRole(AriaRole.Group, new() { Name = "Topics the service is asked to continue with", Exact = true });
        await topics.GetByLabel("Housing").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Update the suggestions" }).ClickAsync();
        await Assertions.Expect(topics.GetByLabel("Housing")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = ReceiverName })).ToHaveCountAsync(0);
        var exclusion = page.Locator("li").Filter(new() { HasText = ReceiverName });
        await Assertions.Expect(exclusion.GetByText("Counsels on none of: Housing", new() { Exact = true })).ToBeVisibleAsync();
        page.Url.Should().NotContain("HOUS", "the case's topics travel in the form, not in the address");
        await page.ReviewAsync("counsellor-06b-matching-topic-excludes");
        await topics.GetByLabel("Housing").UncheckAsync();
        await topics.GetByLabel("Recognition of qualifications").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Update the suggestions" }).ClickAsync();
        await Assertions.Expect(suggestion.GetByText("Counsels on: Recognition of qualifications", new() { Exact = true })).ToBeVisibleAsync();
        var request = page.GetByRole(AriaRole.Button, new() { Name = $"Request the handover to {ReceiverName}" });
        var timeline = page.GetByRole(AriaRole.Table, new() { Name = "Timeline" });
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

        await Assertions.Expect(timeline.GetByRole(AriaRole.Cell, new() { Name = "requested", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(ReceiverName)).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-07-handover");
        var handovers = (await (await site.Handovers.SendAsAsync(own, HttpMethod.Get, $"/handovers/outgoing?caseId={caseId}")).Content.ReadFromJsonAsync<JsonArray>())!;
        handovers.Should().ContainSingle().Which!["receiverOrganisationId"]!.GetValue<Guid>().Should().Be(receiver);
        handovers[0]!["topics"]!.AsArray().Select(t => (string?)t).Should().Equal(["REC"], "the topics matched for go with the request");

        // Withdrawn from its page: the timeline says so.
        await page.GetByRole(AriaRole.Button, new() { Name = "Withdraw the handover" }).ClickAsync();
        await Assertions.Expect(timeline.GetByRole(AriaRole.Cell, new() { Name = "withdrawn", Exact = true })).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-08-handover-withdrawn");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the case" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Handovers" })).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-09-case-after");

        // A request whose consent has not reached the handover service waits there, and its page says so.
        var unconsented = await site.ReceivingServiceAsync(NetworkMembers.Unique("Migrationsberatung Trier"));
        var waiting = await Eventually.Until(
            () => site.Handovers.SendAsAsync(own, HttpMethod.Post, "/handovers", new { caseId, receiverOrganisationId = unconsented.Id }),
            r => r.StatusCode == HttpStatusCode.Created,
            "Handovers to know the second service");
        var waitingTicket = (await waiting.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)waitingTicket["status"]).Should().Be("requested");
        await page.GotoAsync($"{site.Address}cases/{caseId}/handovers/{waitingTicket["id"]}");
        await Assertions.Expect(page.GetByText("The request waits until the case and the consent have reached")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("The receiving service has not been offered it yet")).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-09b-handover-waiting");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the case" }).ClickAsync();

        // A session, the (empty) disclosure log, then erasure: refused until confirmed.
        await page.GetByRole(AriaRole.Link, new() { Name = "Counselling sessions" }).ClickAsync();
        await page.GetByLabel("Format").SelectOptionAsync("video");
        await page.GetByLabel("Notes").FillAsync("Talked about the recognition of the diploma.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the session" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Talked about the recognition of the diploma.")).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-10-sessions");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the case" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Who received the case's data" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No data has been disclosed.")).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-11-disclosures");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the case" }).ClickAsync();

        // The export for the person, as a document to print in French: their data, the withdrawn handover, their rights.
        await page.GetByRole(AriaRole.Link, new() { Name = "Everything about the case, for the person" }).ClickAsync();
        await page.ReviewAsync("counsellor-11b-export");
        await Assertions.Expect(page.GetByLabel("Language of the document")).ToHaveValueAsync("ar", new() { Timeout = 5_000 });
        await page.GetByLabel("Language of the document").SelectOptionAsync("fr");
        var printable = await page.RunAndWaitForDownloadAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Download the document to print" }).ClickAsync());
        printable.SuggestedFilename.Should().Be($"imsa-case-{caseId}.html");
        var document = await File.ReadAllTextAsync((await printable.PathAsync())!);
        document.Should().Contain("lang=\"fr\"").And.Contain("Vos droits").And.Contain("Example").And.Contain("withdrawn");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the case" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Close, restrict or erase the case" }).ClickAsync();
        await page.ReviewAsync("counsellor-12-end");

        // Restriction at the person's request: a reason is needed; then the case says so; then it is lifted.
        await page.GetByRole(AriaRole.Button, new() { Name = "Restrict processing" }).ClickAsync();
        await Assertions.Expect(page.Locator("#restriction-reason-error")).ToBeVisibleAsync();
        await page.Locator("#restriction-reason").SelectOptionAsync("accuracy-contested");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restrict processing" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Note)).ToContainTextAsync("accuracy contested");
        await page.ReviewAsync("counsellor-12b-restricted");
        var restricted = (await (await site.Counselling.SendAsAsync(own, HttpMethod.Get, $"/cases/{caseId}")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)restricted["restriction"]!["reason"]).Should().Be("accuracy-contested");
        await page.GetByRole(AriaRole.Button, new() { Name = "Lift the restriction" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Restrict processing" })).ToBeVisibleAsync();
        (await (await site.Counselling.SendAsAsync(own, HttpMethod.Get, $"/cases/{caseId}")).Content.ReadFromJsonAsync<JsonObject>())!["restriction"]
            .Should().BeNull();
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase the case" }).ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-error")).ToHaveTextAsync("Tick this box to erase the case.");
        (await site.Counselling.SendAsAsync(own, HttpMethod.Get, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.OK, "nothing is erased unconfirmed");
        await page.ReviewAsync("counsellor-13-erase-unconfirmed");
        await page.GetByLabel("I understand that the case is erased for good").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase the case" }).ClickAsync();
        await Assertions.Expect(page.GetByText("The case was erased.")).ToBeVisibleAsync();
        await page.ReviewAsync("counsellor-14-erased");
        (await site.Counselling.SendAsAsync(own, HttpMethod.Get, $"/cases/{caseId}")).StatusCode.Should().Be(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task OpeningACase_WithoutGivenNames_ShowsTheTranslatedMessageNextToTheField_AndOpensNothing()
    {
        var (person, own) = await CounsellorAsync();
        await CounsellingKnowsAsync(own, receiver: null);
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "de-DE" });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, person, "cases/new");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Fall eröffnen" })).ToBeVisibleAsync();
        await page.GetByLabel("Familienname").FillAsync("Example");
        await page.GetByLabel("Geburtsdatum").FillAsync("2007-05-02");
        await page.GetByLabel("Staatsangehörigkeiten").FillAsync("MA");
        await page.GetByLabel("Zweck des Aufenthalts").SelectOptionAsync("study");
        await page.GetByRole(AriaRole.Button, new() { Name = "Fall eröffnen" }).Last.ClickAsync();

        var givenNames = page.GetByLabel("Vornamen");
        await Assertions.Expect(givenNames).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(givenNames).ToHaveAttributeAsync("aria-describedby", "GivenNames-error");
        await Assertions.Expect(page.Locator("#GivenNames-error")).ToHaveTextAsync("Bitte geben Sie die Vornamen ein.");
        await Assertions.Expect(page.GetByLabel("Familienname")).ToHaveValueAsync("Example");
        await Assertions.Expect(page.GetByLabel("Familienname")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await page.ReviewAsync("counsellor-10-new-case-refused");

        var cases = (await (await site.Counselling.SendAsAsync(own, HttpMethod.Get, "/cases")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((int)cases["total"]!).Should().Be(1, "only the case the test opened through the API exists");
    }

    /// <summary>A verified partner organisation abroad with a counsellor who signs in, and the organisation's own token.</summary>
    private async Task<(TestPerson Person, string Token)> CounsellorAsync()
    {
        var partner = await site.PartnerAbroadAsync();
        return (await site.Partners.EnrolPersonAsync(partner.Token, partner.Id), partner.Token);
    }

    /// <summary>A verified receiving service for young people in Mainz (district 07315), counselling in German and Arabic.</summary>
    private async Task<Guid> ReceivingServiceAsync() => (await site.ReceivingServiceAsync(ReceiverName)).Id;

    /// <summary>
    /// Counselling learns of organisations from Partners' events: wait until it opens a case for the counsellor's
    /// organisation and, when given, records a consent naming the receiver.
    /// </summary>
    private async Task CounsellingKnowsAsync(string own, Guid? receiver)
    {
        var opened = await Eventually.Until(
            () => site.Counselling.SendAsAsync(own, HttpMethod.Post, "/cases", new
            {
                identity = new { givenNames = "Karim", familyName = "Example", dateOfBirth = "2006-01-10", nationalities = new[] { "MA" } },
                migrationPlan = new { purpose = "vocational-training" },
            }),
            response => response.StatusCode == HttpStatusCode.Created,
            "Counselling to open a case for the new organisation");
        if (receiver is null)
        {
            return;
        }

        var caseId = (string)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await Eventually.Until(
            () => site.Counselling.SendAsAsync(own, HttpMethod.Post, $"/cases/{caseId}/consents", new
            {
                recipients = new[] { receiver },
                categories = new[] { "identity" },
                method = "signed-form",
                obtainedAt = DateTimeOffset.UtcNow,
                textLanguage = "en",
                textVersion = "1",
                validUntil = DateTimeOffset.UtcNow.AddYears(1),
            }),
            response => response.StatusCode == HttpStatusCode.Created,
            "Counselling to know the receiving service");
    }

    [GeneratedRegex("/cases/(?<id>[0-9a-f-]{36})$")]
    private static partial Regex CasePath();

    [GeneratedRegex(@"^Age \d+ is within its range \(12 to 26\)$")]
    private static partial Regex AgeWithinRange();
}
