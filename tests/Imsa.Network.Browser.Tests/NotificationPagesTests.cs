using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Imsa.Network.Browser.Tests;

/// <summary>
/// Notifications in the browser (issue 18): a receiving counsellor sees offers counted in the header, opens one from
/// the list (marked read, the count drops), never follows a link out of the application, marks all read, filters the
/// unread and reads the list in Arabic; a counsellor saves their settings (an offer then waits for the daily summary,
/// and the list says so), their organisation's admin sets a minimum, a choice below it is refused with a message
/// beside it and then no longer offered. The partner abroad acts through the APIs, as its case system would.
/// </summary>
[Collection(WebNetworkTests.Name)]
public sealed partial class NotificationPagesTests(WebSite site)
{
    /// <summary>Notifications follow Handovers' events through Partners: given time on a busy machine.</summary>
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task AReceivingCounsellor_SeesTheUnreadCount_OpensAnOffer_MarksAllRead_AndReadsTheListInArabic()
    {
        var partner = await site.PartnerAbroadAsync(NetworkMembers.Unique("Centre Rabat"));
        var receiver = await site.ReceivingServiceAsync(NetworkMembers.Unique("Jugendmigrationsdienst Mainz"));
        // Enrolled before the offers: notifications go to the people the organisation has when the event happens.
        var counsellor = await site.Partners.EnrolPersonAsync(receiver.Token, receiver.Id);
        var first = await site.RequestHandoverAsync(partner, await site.CaseWithConsentAsync(partner, receiver.Id), receiver.Id);
        var second = await site.RequestHandoverAsync(partner, await site.CaseWithConsentAsync(partner, receiver.Id), receiver.Id);
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, counsellor, "inbox");

        // The header counts both offers once Partners has them (every signed-in page shows it): a badge, and for screen readers words.
        await UntilHeaderSaysAsync(page, "2 unread");
        await Assertions.Expect(Header(page)).ToHaveAccessibleNameAsync(TwoUnread());
        await Assertions.Expect(Header(page).Locator(".badge")).ToHaveTextAsync("2");
        await page.ReviewAsync("notifications-00-header");

        // The list: newest first, both unread, marked in words; each opens its offer.
        await Header(page).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your notifications", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Unread: 2")).ToBeVisibleAsync();
        var rows = page.Locator("table.notifications tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("tbody .unread-mark")).ToHaveCountAsync(2);
        await Assertions.Expect(rows.First).ToContainTextAsync("unread");
        (await page.ContentAsync()).Should().NotContain("Example", "a notification holds no personal data");
        await page.ReviewAsync("notifications-01-list");

        // "Open" marks it read and goes to the offer; the count drops.
        await rows.First.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Offer of a handover" })).ToBeVisibleAsync();
        page.Url.Should().MatchRegex($"/inbox/({first}|{second})$", "the notification's link leads to the offer");
        await Assertions.Expect(Header(page)).ToContainTextAsync("1 unread");

        // A link that would leave the application is not followed, even if a form is tampered with: the list says so.
        await Header(page).ClickAsync();
        var read = page.Locator("table.notifications tbody tr:not(.unread)");
        await Assertions.Expect(read).ToHaveCountAsync(1);
        await read.Locator("input[name=link]").EvaluateAsync("input => input.value = '//evil.example/phish'");
        await read.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        await Assertions.Expect(page.GetByText("This notification leads to no page of this application.")).ToBeVisibleAsync();
        new Uri(page.Url).Host.Should().Be(site.Address.Host);
        new Uri(page.Url).AbsolutePath.Should().Be("/notifications");

        // "Mark all as read": no count in the header, no unread mark, and the unread only are none.
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark all as read" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("All your notifications are marked as read.");
        await Assertions.Expect(page.GetByText("Unread: 0")).ToBeVisibleAsync();
        await Assertions.Expect(Header(page)).Not.ToContainTextAsync("unread");
        await Assertions.Expect(page.Locator("tbody .unread-mark")).ToHaveCountAsync(0);
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await page.ReviewAsync("notifications-02-all-read");
        await page.GetByLabel("Show unread only").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("You have no unread notifications.")).ToBeVisibleAsync();
        page.Url.Should().EndWith("/notifications?unread=true");

        // In Arabic, right to left, with Partners' titles in Arabic.
        await page.GetByLabel("Language").SelectOptionAsync("ar");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change language" }).ClickAsync();
        await page.GotoAsync(new Uri(site.Address, "notifications").ToString());
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ar");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "إشعاراتك", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await page.ReviewAsync("notifications-03-arabic");
    }

    [Fact]
    public async Task ACounsellor_SavesTheirSettings_TheAdminSetsAMinimum_AndTheLowerChoiceIsRefusedThenNoLongerOffered()
    {
        var receiver = await site.ReceivingServiceAsync(NetworkMembers.Unique("Migrationsberatung Mainz"));
        var counsellor = await site.Partners.EnrolPersonAsync(receiver.Token, receiver.Id, displayName: "Nour Beraterin");
        var admin = await site.Partners.EnrolPersonAsync(receiver.Token, receiver.Id, role: "organisation-admin", displayName: "Amal Admin");
        await using var counsellors = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await counsellors.NewPageAsync();
        await site.SignInAsync(page, counsellor, "notifications/settings");

        // The counsellor's settings: the e-mails' language and, per kind, at once / daily summary / not at all.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Notification settings" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#email-language")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#kind-offer-received")).ToBeVisibleAsync();
        foreach (var choice in new[] { "immediate", "digest", "off" })
        {
            await Assertions.Expect(page.Locator($"#offer-received-{choice}")).ToBeEnabledAsync();
        }

        await page.ReviewAsync("notification-settings-01");
        await page.GetByLabel("Language of your notification e-mails").SelectOptionAsync("fr");
        await page.Locator("#offer-received-digest").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your settings were saved.");
        page.Url.Should().EndWith("/notifications/settings?saved=True", "a write is answered with a redirect");
        await Assertions.Expect(page.Locator("#email-language")).ToHaveValueAsync("fr");
        await Assertions.Expect(page.Locator("#offer-received-digest")).ToBeCheckedAsync();
        await page.ReviewAsync("notification-settings-02-saved");

        // An offer now comes in the list, its e-mail waiting for the daily summary; the list says so.
        var partner = await site.PartnerAbroadAsync(NetworkMembers.Unique("Centre Tunis"));
        await site.RequestHandoverAsync(partner, await site.CaseWithConsentAsync(partner, receiver.Id), receiver.Id);
        await UntilHeaderSaysAsync(page, "1 unread");
        await Header(page).ClickAsync();
        await Assertions.Expect(page.Locator("table.notifications tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("table.notifications tbody tr")).ToContainTextAsync("In your daily summary");
        await page.GotoAsync(new Uri(site.Address, "notifications/settings").ToString());

        // The organisation's admin asks for an e-mail at once for new offers, from the administration's navigation.
        await using var admins = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var adminPage = await admins.NewPageAsync();
        await site.SignInAsync(adminPage, admin, "organisation/people");
        await adminPage.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Notification rules" }).ClickAsync();
        await Assertions.Expect(adminPage.GetByRole(AriaRole.Heading, new() { Name = "Your organisation's notification rules" })).ToBeVisibleAsync();
        await Assertions.Expect(adminPage.Locator("#kind-offer-received")).ToContainTextAsync("For: Counsellor");
        await Assertions.Expect(adminPage.Locator("#offer-received-off")).ToBeCheckedAsync();
        await adminPage.ReviewAsync("notification-rules-01");
        await adminPage.Locator("#offer-received-immediate").CheckAsync();
        await adminPage.GetByRole(AriaRole.Button, new() { Name = "Save the rules" }).ClickAsync();
        await Assertions.Expect(adminPage.GetByRole(AriaRole.Status)).ToHaveTextAsync("The rules were saved. They apply to the next notifications.");
        await Assertions.Expect(adminPage.Locator("#offer-received-immediate")).ToBeCheckedAsync();
        await adminPage.ReviewAsync("notification-rules-02-saved");

        // The counsellor's page was drawn before: "not at all" is still offered there, and Partners refuses it, beside the kind.
        await page.Locator("#offer-received-off").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        await Assertions.Expect(page.Locator("#kind-offer-received-error"))
            .ToHaveTextAsync("This choice was not accepted: your organisation now asks for more. Choose one of the choices offered.");
        await Assertions.Expect(page.Locator("#offer-received-off")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#kind-offer-received")).ToHaveAttributeAsync("aria-describedby", DescribedByError());
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        await page.ReviewAsync("notification-settings-03-refused");

        // Drawn again: only "at once" is offered for new offers, and the page says why.
        await page.GotoAsync(new Uri(site.Address, "notifications/settings").ToString());
        await Assertions.Expect(page.Locator("#offer-received-immediate")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#offer-received-immediate")).ToBeEnabledAsync();
        await Assertions.Expect(page.Locator("#offer-received-digest")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#offer-received-off")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#kind-offer-received-minimum"))
            .ToHaveTextAsync("Your organisation asks for an e-mail at once, so the daily summary and \"not at all\" are not offered.");
        await Assertions.Expect(page.Locator("#email-language")).ToHaveValueAsync("fr");
        await page.ReviewAsync("notification-settings-04-minimum");
    }

    /// <summary>The header's link to the notifications, on every signed-in page.</summary>
    private static ILocator Header(IPage page) =>
        page.Locator("header").GetByRole(AriaRole.Link, new() { Name = "Notifications" });

    /// <summary>Reloads the page until the header's link says <paramref name="text"/> (notifications arrive after the event).</summary>
    private static async Task UntilHeaderSaysAsync(IPage page, string text) =>
        await Eventually.Until(
            async () =>
            {
                await page.ReloadAsync();
                return await Header(page).TextContentAsync() ?? "";
            },
            content => content.Contains(text, StringComparison.Ordinal),
            $"the header to say \"{text}\"",
            Delivery);

    [GeneratedRegex(@"^Notifications\s*\(2 unread\)$")]
    private static partial Regex TwoUnread();

    [GeneratedRegex(@"\bkind-offer-received-error\b")]
    private static partial Regex DescribedByError();
}
