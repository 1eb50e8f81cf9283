using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Imsa.Network.Browser.Tests;

/// <summary>A coordinator of the network signs in with password and code and works through the coordinators' pages.</summary>
[Collection(WebNetworkTests.Name)]
public sealed class CoordinatorPagesTests(WebSite site)
{
    [Fact]
    public async Task ACoordinator_VerifiesAnOrganisation_SeesTheHandoversToLookAfter_AndTheStatisticsWithTheirCsv()
    {
        var coordinator = await site.Partners.GetCoordinatorTokenAsync();
        var person = await site.CoordinatorPersonAsync();
        var pending = await site.Partners.RegisterOrganisationAsync(coordinator, "receiving-service", "DE");
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB", AcceptDownloads = true });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, person, "coordination/organisations");

        // The verification queue: the new organisation waits; one button verifies it.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Waiting for verification" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText(pending.ToString())).ToBeVisibleAsync();
        await page.ReviewAsync("coordinator-01-verification-queue");
        await page.Locator("tr", new() { HasText = pending.ToString() }).GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(pending.ToString());
        (await page.Locator("tbody tr", new() { HasText = pending.ToString() }).CountAsync()).Should().Be(0);
        await page.ReviewAsync("coordinator-02-verified");
        var organisation = (await (await site.Partners.SendAsAsync(coordinator, HttpMethod.Get, $"/organisations/{pending}")).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)organisation["status"]).Should().Be("active");

        // Suspending needs an id the network knows: a wrong one is named next to its field.
        await page.GetByLabel("Organisation id").FillAsync("not-an-id");
        await page.GetByRole(AriaRole.Button, new() { Name = "Suspend", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Organisation id")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.ReviewAsync("coordinator-03-suspend-refused");

        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Handovers to look after" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Escalated: no answer in time" })).ToBeVisibleAsync();
        await page.ReviewAsync("coordinator-04-handovers");

        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Statistics" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Network statistics" })).ToBeVisibleAsync();
        await page.ReviewAsync("coordinator-05-statistics");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download as CSV" }).ClickAsync());
        download.SuggestedFilename.Should().Be("imsa-network-statistics.csv");
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        csv.Should().StartWith("dimension,key,value");

        // The same download, as the server answers it: text/csv, never cached.
        var answer = await page.APIRequest.GetAsync(new Uri(site.Address, "coordination/statistics?handler=csv").ToString());
        answer.Status.Should().Be(200);
        answer.Headers["content-type"].Should().StartWith("text/csv");
        answer.Headers["cache-control"].Should().Be("no-store");

        // In Arabic, right to left.
        await page.GetByLabel("Language").SelectOptionAsync("ar");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change language" }).ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "إحصاءات الشبكة" })).ToBeVisibleAsync();
        await page.ReviewAsync("coordinator-06-statistics-arabic");
    }
}
