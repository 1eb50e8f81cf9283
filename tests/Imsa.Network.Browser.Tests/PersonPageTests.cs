using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Imsa.Network.Browser.Tests;

/// <summary>The person, without an account, reads their receipt in Arabic from its QR link and withdraws consent.</summary>
[Collection(WebNetworkTests.Name)]
public sealed class PersonPageTests(WebSite site)
{
    [Fact]
    public async Task ThePerson_ReadsTheReceiptInArabic_AndWithdrawsWithOneConfirmation()
    {
        var consent = await ConsentAsync();
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();

        // The receipt's QR code: its code and the receipt's language.
        var response = await page.GotoAsync(new Uri(site.Address, $"withdraw?code={Uri.EscapeDataString(consent.Code)}&lang=ar").ToString());
        response!.Status.Should().Be(200);
        (await response.AllHeadersAsync())["cache-control"].Should().Be("no-store");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ar");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "موافقتك", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("الهوية", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("بيانات الاتصال", new() { Exact = true })).ToBeVisibleAsync();
        // The organisations by name (Partners' public names), not by the ids the receipt's lookup answers.
        await Assertions.Expect(page.GetByText(consent.ReceiverName, new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(consent.PartnerName, new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(consent.Receiver.ToString())).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("سارية", new() { Exact = true })).ToBeVisibleAsync();
        var shown = await page.ContentAsync();
        shown.Should().NotContain(consent.CaseId, "the page shows the receipt's content, nothing of the case").And.NotContain("Amina");
        await page.ReviewAsync("person-01-receipt-arabic");

        await page.GetByRole(AriaRole.Button, new() { Name = "نعم، اسحب موافقتي" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "تم سحب موافقتك" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await page.ReviewAsync("person-02-withdrawn-arabic");

        var after = await site.Counselling.SendAsAsync(consent.OwnerToken, HttpMethod.Get, $"/cases/{consent.CaseId}/consents/{consent.ConsentId}");
        var body = (await after.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)body["state"]).Should().Be("withdrawn");
        ((string?)body["withdrawal"]!["channel"]).Should().Be("data-subject");

        // Opened again, the receipt says it has ended and offers nothing more to confirm.
        await page.GotoAsync(new Uri(site.Address, $"withdraw?code={Uri.EscapeDataString(consent.Code)}&lang=ar").ToString());
        await Assertions.Expect(page.GetByText("مسحوبة", new() { Exact = true })).ToBeVisibleAsync();
        (await page.GetByRole(AriaRole.Button, new() { Name = "نعم، اسحب موافقتي" }).CountAsync()).Should().Be(0);
        await page.ReviewAsync("person-03-ended-arabic");
    }

    [Fact]
    public async Task ACodeTypedIn_IsLookedUp_AndAWrongOne_IsAnsweredInThePersonsLanguage_As404()
    {
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(site.Address, "withdraw").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Votre consentement" })).ToBeVisibleAsync();
        await page.ReviewAsync("person-04-form-french");

        await page.GetByLabel("Code de retrait").FillAsync("0000-0000-0000-0000-0000");
        var answer = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Afficher mon consentement" }).ClickAsync(),
            r => r.Url.Contains("/withdraw", StringComparison.Ordinal) && r.Request.Method == "POST");
        answer.Status.Should().Be(404);
        await Assertions.Expect(page.GetByText("Aucun consentement ne correspond à ce code.", new() { Exact = false })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Code de retrait")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.ReviewAsync("person-05-wrong-code-french");

        using var visitor = site.Visitor();
        var wrong = await visitor.GetAsync("/withdraw?code=NOPE-NOPE-NOPE-NOPE-NOPE");
        wrong.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var text = await wrong.Content.ReadAsStringAsync();
        text.Should().Contain("No consent has this code.").And.NotContain("Exception").And.NotContain(" at Imsa.");
        wrong.Headers.CacheControl!.NoStore.Should().BeTrue();
    }

    private sealed record Consent(string OwnerToken, string CaseId, string ConsentId, string Code, Guid Receiver, string ReceiverName, string PartnerName);

    /// <summary>A partner's case with a consent naming a receiving service, recorded through the APIs; the code from the receipt.</summary>
    private async Task<Consent> ConsentAsync()
    {
        var partners = site.Partners;
        var coordinator = await partners.GetCoordinatorTokenAsync();
        var partnerName = NetworkMembers.Unique("Association Espoir Casablanca");
        var organisation = await RegisterAsync(coordinator, partnerName, "origin-partner", "MA");
        var client = await partners.OnboardAsync(coordinator, organisation);
        (await partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/verify")).EnsureSuccessStatusCode();
        var receiverName = NetworkMembers.Unique("Migrationsberatung Mainz");
        var receiver = await RegisterAsync(coordinator, receiverName, "receiving-service", "DE");
        (await partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{receiver}/verify")).EnsureSuccessStatusCode();
        var own = await partners.GetTokenAsync(client.ClientId, client.ClientSecret);

        var opened = await Eventually.Until(
            () => site.Counselling.SendAsAsync(own, HttpMethod.Post, "/cases", new
            {
                identity = new { givenNames = "Amina", familyName = "Example", dateOfBirth = "2007-05-02", nationalities = new[] { "MA" } },
                migrationPlan = new { purpose = "vocational-training", plannedArrival = TestDates.ArrivalText, destinationPostalCode = "55116" },
            }),
            response => response.StatusCode == HttpStatusCode.Created,
            "Counselling to open a case for the new organisation");
        var caseId = (string)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var recorded = await Eventually.Until(
            () => site.Counselling.SendAsAsync(own, HttpMethod.Post, $"/cases/{caseId}/consents", new
            {
                recipients = new[] { receiver },
                categories = new[] { "identity", "contact" },
                method = "signed-form",
                obtainedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
                textLanguage = "en",
                textVersion = "1",
                validUntil = DateTimeOffset.UtcNow.AddYears(1),
            }),
            response => response.StatusCode == HttpStatusCode.Created,
            "Counselling to know the receiving service");
        var body = (await recorded.Content.ReadFromJsonAsync<JsonObject>())!;
        return new Consent(own, caseId, (string)body["consent"]!["id"]!, (string)body["receipt"]!["withdrawal"]!["code"]!, receiver, receiverName, partnerName);
    }

    private async Task<Guid> RegisterAsync(string coordinator, string name, string kind, string country)
    {
        var created = await site.Partners.SendAsAsync(coordinator, HttpMethod.Post, "/organisations", new { name, country, kind });
        created.EnsureSuccessStatusCode();
        return (Guid)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }
}
