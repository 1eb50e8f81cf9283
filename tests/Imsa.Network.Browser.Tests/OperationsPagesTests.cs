using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using RabbitMQ.Client;

namespace Imsa.Network.Browser.Tests;

/// <summary>
/// A coordinator repairs what the services could not do by themselves: a dead letter in Handovers replayed and then
/// deleted after a confirmation, the outbox quarantine, and both actions found again in the audit trail. A counsellor
/// sees none of these pages.
/// </summary>
[Collection(WebNetworkTests.Name)]
public sealed class OperationsPagesTests(WebSite site)
{
    /// <summary>Handovers' queue of Counselling's case events (MassTransit binds an exchange of the same name to it).</summary>
    private const string Queue = "handovers-case-events";

    [Fact]
    public async Task ACoordinator_ReplaysADeadLetter_DeletesItAfterConfirming_AndFindsBothInTheAuditTrail()
    {
        var coordinator = await site.Partners.GetCoordinatorTokenAsync();
        var person = await CoordinatorPersonAsync(coordinator);
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        // Signed in first, while the authenticator's codes of the enrolment's minute still count.
        await site.SignInAsync(page, person, "coordination/dead-letters");

        var (poison, other) = (Guid.NewGuid(), Guid.NewGuid());
        await PublishUnreadableAsync(poison);
        await PublishUnreadableAsync(other);
        var failed = await FailedAtAsync(coordinator, poison, after: null);
        await FailedAtAsync(coordinator, other, after: null);
        await page.ReloadAsync();

        // Listed under Handovers with what the API tells of it: type, id, time, exception type; never its content.
        var handovers = page.GetByRole(AriaRole.Region, new() { Name = "Handovers" });
        var row = handovers.Locator("tbody tr", new() { HasText = poison.ToString() });
        await Assertions.Expect(row).ToContainTextAsync("CaseOpened");
        await Assertions.Expect(row).ToContainTextAsync("Exception");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Partners" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Counselling" })).ToBeVisibleAsync();
        (await page.ContentAsync()).Should().NotContain("not-a-case-id", "a dead letter's content is never shown");
        await page.ReviewAsync("operations-01-dead-letters");

        // Replaying one sends it back to its queue: it is read again (and, still unreadable, fails again, later).
        await page.GetByRole(AriaRole.Button, new() { Name = $"Replay: message {poison}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Sent back for another attempt (1): {Queue}/{poison}");
        await page.ReviewAsync("operations-02-dead-letter-replayed");
        failed = await FailedAtAsync(coordinator, poison, after: failed);

        // A whole queue, with a reason for the audit trail.
        await page.ReloadAsync();
        var replayAll = page.GetByRole(AriaRole.Button, new() { NameRegex = new($"^Replay all \\d+: queue {Queue}$") });
        await handovers.Locator("form", new() { Has = replayAll }).GetByLabel("Reason (for the audit trail)").FillAsync("consumer fixed");
        await replayAll.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Sent back for another attempt");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(Queue);
        failed = await FailedAtAsync(coordinator, poison, after: failed);

        // Deleting asks first, naming the message; cancelling keeps it.
        await page.ReloadAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = $"Delete: message {poison}" }).ClickAsync();
        var confirmation = page.GetByRole(AriaRole.Region, new() { Name = "Delete this dead letter for good?" });
        await Assertions.Expect(confirmation).ToContainTextAsync(poison.ToString());
        await page.ReviewAsync("operations-03-dead-letter-delete-confirm");
        await confirmation.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(confirmation).ToHaveCountAsync(0);
        (await ListedAsync(coordinator, poison)).Should().BeTrue("cancelling deletes nothing");

        await page.GetByRole(AriaRole.Link, new() { Name = $"Delete: message {poison}" }).ClickAsync();
        await confirmation.GetByLabel("Reason (for the audit trail)").FillAsync("unreadable test message");
        await confirmation.GetByRole(AriaRole.Button, new() { Name = "Delete for good" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Deleted for good: {Queue}/{poison}");
        await Assertions.Expect(handovers.Locator("tbody tr", new() { HasText = poison.ToString() })).ToHaveCountAsync(0);
        await page.ReviewAsync("operations-04-dead-letter-deleted");
        (await ListedAsync(coordinator, poison)).Should().BeFalse("the API no longer has it");

        // The audit trail of Handovers: the replay and the deletion, by the coordination office, with the reason.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Audit trail" }).ClickAsync();
        var actions = page.GetByRole(AriaRole.Region, new() { Name = "Coordinators' actions", Exact = true });
        await actions.GetByLabel("Service").SelectOptionAsync("handovers");
        await actions.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Coordinators' actions in Handovers" })).ToBeVisibleAsync();
        var deleted = page.Locator("tbody tr", new() { HasText = "dead letter deleted" }).Filter(new() { HasText = $"{Queue}/{poison}" });
        await Assertions.Expect(deleted).ToContainTextAsync("unreadable test message");
        await Assertions.Expect(deleted).ToContainTextAsync(person.Id.ToString());
        await Assertions.Expect(page.Locator("tbody tr", new() { HasText = "dead letter replayed" }).Filter(new() { HasText = $"{Queue}/{poison}" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tbody tr", new() { HasText = "dead letter replayed" }).Filter(new() { HasText = "consumer fixed" })).ToBeVisibleAsync();
        await page.ReviewAsync("operations-05-audit");

        // The office's own activity in Partners: a person id that is none is named next to its field; then every entry.
        var activity = page.GetByRole(AriaRole.Region, new() { Name = "Your office's activity", Exact = true });
        await activity.GetByLabel("Service").SelectOptionAsync("partners");
        await activity.GetByLabel("Person id (optional)").FillAsync("not-an-id");
        await activity.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Person id (optional)")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.ReviewAsync("operations-06-activity-refused");
        await page.GetByLabel("Person id (optional)").FillAsync("");
        await page.GetByRole(AriaRole.Region, new() { Name = "Your office's activity", Exact = true }).GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your office's activity in Partners" })).ToBeVisibleAsync();
        // This test's invitation of the coordinator, by the office's API client.
        await Assertions.Expect(page.Locator("tbody tr", new() { HasText = "/people/invitations" }).First).ToBeVisibleAsync();
        await page.ReviewAsync("operations-07-activity");

        // In Arabic, right to left.
        await page.GetByLabel("Language").SelectOptionAsync("ar");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change language" }).ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("dir", "rtl");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "سجل التدقيق", Exact = true })).ToBeVisibleAsync();
        await page.ReviewAsync("operations-08-activity-arabic");

        // The other message, left for no one: removed through the API.
        (await site.Handovers.SendAsAsync(coordinator, HttpMethod.Delete, $"/admin/dead-letters/{Queue}/{other}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheOutboxQuarantine_ShowsEachService_AndSaysWhenNothingWaits()
    {
        var coordinator = await site.Partners.GetCoordinatorTokenAsync();
        var person = await CoordinatorPersonAsync(coordinator);
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, person, "coordination/audit");

        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Outbox quarantine" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Outbox quarantine", Level = 1 })).ToBeVisibleAsync();
        foreach (var service in new[] { "partners", "counselling", "handovers" })
        {
            var client = service switch { "partners" => site.Partners, "counselling" => site.Counselling, _ => site.Handovers };
            var quarantined = (await (await client.SendAsAsync(coordinator, HttpMethod.Get, "/admin/outbox/quarantine")).Content.ReadFromJsonAsync<JsonArray>())!;
            quarantined.Should().BeEmpty($"nothing in the test network quarantines an event of {service}");
        }

        foreach (var name in new[] { "Partners", "Counselling", "Handovers" })
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = name })).ToContainTextAsync("No quarantined events.");
        }

        var response = await page.ReloadAsync();
        (await response!.AllHeadersAsync())["cache-control"].Should().Be("no-store");
        await page.ReviewAsync("operations-09-outbox-empty");
    }

    [Fact]
    public async Task ACounsellor_SeesNoOperationsLinks_AndIsRefusedThePages()
    {
        var coordinator = await site.Partners.GetCoordinatorTokenAsync();
        var organisation = await site.Partners.RegisterOrganisationAsync(coordinator);
        var client = await site.Partners.OnboardAsync(coordinator, organisation);
        (await site.Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/verify")).EnsureSuccessStatusCode();
        var own = await site.Partners.GetTokenAsync(client.ClientId, client.ClientSecret);
        var counsellor = await site.Partners.EnrolPersonAsync(own, organisation);
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, counsellor, "cases");

        var navigation = page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" });
        await Assertions.Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Cases" })).ToBeVisibleAsync();
        foreach (var link in new[] { "Dead letters", "Outbox quarantine", "Audit trail" })
        {
            await Assertions.Expect(navigation.GetByRole(AriaRole.Link, new() { Name = link })).ToHaveCountAsync(0);
        }

        string[] pages = ["dead-letters", "outbox", "audit"];
        for (var i = 0; i < pages.Length; i++)
        {
            var path = pages[i];
            var response = await page.GotoAsync(new Uri(site.Address, "coordination/" + path).ToString());
            response!.Status.Should().Be(403, $"/coordination/{path} is the coordinators'");
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Your role does not allow this.");
            (await page.Locator("table").CountAsync()).Should().Be(0);
            await page.ReviewAsync($"operations-1{i}-counsellor-{path}");
        }
    }

    /// <summary>
    /// A message Handovers can never read — a CaseOpened whose case id is no id — put in its queue as the broker's
    /// administrator could: the consumer fails on it, retries, and gives it up to the queue's dead letters.
    /// </summary>
    private async Task PublishUnreadableAsync(Guid messageId)
    {
        var envelope = new JsonObject
        {
            ["messageId"] = messageId.ToString(),
            ["messageType"] = new JsonArray("urn:message:Imsa.Network.Contracts.Counselling:CaseOpened"),
            ["sentTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["message"] = new JsonObject { ["caseId"] = "not-a-case-id", ["ownerOrganisationId"] = "nobody" },
        };
        await using var connection = await site.VirtualHost.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties
        {
            MessageId = messageId.ToString(),
            ContentType = "application/vnd.masstransit+json",
            DeliveryMode = DeliveryModes.Persistent,
        };
        await channel.BasicPublishAsync(Queue, string.Empty, mandatory: true, properties, Encoding.UTF8.GetBytes(envelope.ToJsonString()));
    }

    /// <summary>When the message last failed, as Handovers lists it: once it is listed, failed later than <paramref name="after"/>.</summary>
    private async Task<DateTimeOffset> FailedAtAsync(string coordinator, Guid messageId, DateTimeOffset? after)
    {
        var letter = await Eventually.Until(
            () => LetterAsync(coordinator, messageId),
            found => found?["failedAt"] is { } at && (after is null || at.GetValue<DateTimeOffset>() > after),
            after is null ? "the unreadable message among Handovers' dead letters" : "the replayed message to fail again",
            TimeSpan.FromSeconds(90));
        return letter!["failedAt"]!.GetValue<DateTimeOffset>();
    }

    private async Task<bool> ListedAsync(string coordinator, Guid messageId) => await LetterAsync(coordinator, messageId) is not null;

    private async Task<JsonNode?> LetterAsync(string coordinator, Guid messageId)
    {
        var queues = (await (await site.Handovers.SendAsAsync(coordinator, HttpMethod.Get, "/admin/dead-letters")).Content.ReadFromJsonAsync<JsonArray>())!;
        return queues.SelectMany(queue => queue!["messages"]!.AsArray()).FirstOrDefault(letter => (Guid?)letter!["messageId"] == messageId);
    }

    /// <summary>A person of the coordination office, invited with its own token and enrolled with password and authenticator.</summary>
    private async Task<TestPerson> CoordinatorPersonAsync(string coordinator)
    {
        var me = (await (await site.Partners.SendAsAsync(coordinator, HttpMethod.Get, "/me")).Content.ReadFromJsonAsync<JsonObject>())!;
        var office = Guid.Parse((string)me["organisationId"]!);
        return await site.Partners.EnrolPersonAsync(coordinator, office, role: "coordinator", displayName: "Olga Operations");
    }
}
