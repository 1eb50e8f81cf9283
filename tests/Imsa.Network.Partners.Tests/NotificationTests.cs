using System.Globalization;
using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Contracts.Handovers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Imsa.Network.Partners.Tests;

/// <summary>
/// People's notifications: each kind made once for the right people of the organisation concerned and for no one
/// else, whatever arrives twice; their choices and their organisation's minimum honoured, digests made when the day's
/// hour has passed; mails in their language, naming no one.
/// </summary>
public sealed class NotificationTests(NotificationTests.NotifyingPartners service) : IClassFixture<NotificationTests.NotifyingPartners>
{
    public class NotifyingPartners : ServiceFixture<Program>
    {
        public ShiftedTimeProvider Time { get; } = new();

        /// <summary>Twelve hours from now: the day's digest hour does not pass by itself while the tests run.</summary>
        public int DigestHourUtc { get; } = (DateTime.UtcNow.Hour + 12) % 24;

        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Notifications:WebUrl"] = "https://app.imsa.test/",
            ["Notifications:PollInterval"] = "00:00:00.100",
            ["Notifications:DigestHourUtc"] = DigestHourUtc.ToString(CultureInfo.InvariantCulture),
        };

        protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Time);
    }

    private NotificationTestKit Kit { get; } = new(service);

    private HttpClient Partners => service.Client;

    [Fact]
    public async Task AnOffer_NotifiesTheReceiversCounsellorsOnce_ByMailAndInTheirList_AndNoOneElse()
    {
        var (receiver, receiverToken) = await Kit.OrganisationAsync("receiving-service", "JMD Notify");
        var (other, otherToken) = await Kit.OrganisationAsync("receiving-service");
        var (origin, originToken) = await Kit.OrganisationAsync("origin-partner", "Centre Rabat Notify");
        var counsellor = await Partners.EnrolPersonAsync(receiverToken, receiver);
        var colleague = await Partners.EnrolPersonAsync(receiverToken, receiver);
        var admin = await Partners.EnrolPersonAsync(receiverToken, receiver, "organisation-admin");
        var elsewhere = await Partners.EnrolPersonAsync(otherToken, other);
        var originCounsellor = await Partners.EnrolPersonAsync(originToken, origin);

        var handover = Guid.NewGuid();
        var due = new DateTimeOffset(2027, 3, 8, 9, 30, 0, TimeSpan.Zero);
        var offered = new HandoverOffered(handover, Guid.NewGuid(), origin, receiver, due, 2, DateTimeOffset.UtcNow);
        var eventId = Guid.NewGuid();
        await Kit.PublishAsync(offered, eventId);
        await Kit.PublishAsync(offered, eventId);
        await Kit.ConsumedAsync(eventId);

        var token = await Kit.TokenAsync(counsellor);
        var items = await Eventually.Until(() => Kit.ItemsAsync(token), i => i.Count == 1, "the offer's notification");
        var item = items[0]!;
        ((string?)item["kind"]).Should().Be("offer-received");
        ((string?)item["link"]).Should().Be($"/inbox/{handover}");
        ((string?)item["organisationName"]).Should().Be(Kit.Name(origin));
        ((string?)item["title"]).Should().Contain(handover.ToString("N")[^8..]).And.Contain(Kit.Name(origin)).And.Contain("2027-03-08 09:30");
        (await Kit.ItemsAsync(await Kit.TokenAsync(colleague))).Should().ContainSingle("every counsellor of the receiver");
        (await Kit.ItemsAsync(await Kit.TokenAsync(admin))).Should().BeEmpty("offers are counsellors' work");
        (await Kit.ItemsAsync(await Kit.TokenAsync(elsewhere))).Should().BeEmpty("another organisation's people never receive it");
        (await Kit.ItemsAsync(await Kit.TokenAsync(originCounsellor))).Where(i => (string?)i!["kind"] == "offer-received").Should().BeEmpty();

        // Immediately, by default: one mail, in German (a receiving service's usual language), with the link.
        var mail = await Eventually.Until(() => Task.FromResult(NotificationTestKit.MailsTo(counsellor.Email)), m => m.Count == 1, "the offer's mail");
        mail[0].Subject.Should().Contain("Neues Übergabeangebot").And.Contain(handover.ToString("N")[^8..]);
        mail[0].TextBody.Should().Contain($"https://app.imsa.test/inbox/{handover}").And.Contain("https://app.imsa.test/notifications/settings");
        await Eventually.Until(() => Kit.ItemsAsync(token), i => (string?)i[0]!["mail"] == "sent", "the mail's state");
        NotificationTestKit.MailsTo(admin.Email).Should().BeEmpty();
        NotificationTestKit.MailsTo(elsewhere.Email).Should().BeEmpty();

        // Read: the count drops; another person cannot touch it.
        (await Kit.ReadAsync(token, "/people/me/notifications/unread-count"))["unread"]!.GetValue<int>().Should().Be(1);
        var id = (string)item["id"]!;
        (await Partners.SendAsAsync(await Kit.TokenAsync(colleague), HttpMethod.Post, $"/people/me/notifications/{id}/read")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Partners.SendAsAsync(token, HttpMethod.Post, $"/people/me/notifications/{id}/read")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Partners.SendAsAsync(token, HttpMethod.Post, $"/people/me/notifications/{id}/read")).StatusCode.Should().Be(HttpStatusCode.NoContent, "read stays read");
        (await Kit.ReadAsync(token, "/people/me/notifications/unread-count"))["unread"]!.GetValue<int>().Should().Be(0);
        (await Kit.ReadAsync(await Kit.TokenAsync(colleague), "/people/me/notifications/unread-count"))["unread"]!.GetValue<int>().Should().Be(1);
        (await Kit.ReadAsync(token, "/people/me/notifications?language=fr"))["items"]![0]!["title"]!.ToString().Should().StartWith("Nouvelle offre");

        // An API client acts for its organisation: it has no notifications.
        (await Partners.SendAsAsync(receiverToken, HttpMethod.Get, "/people/me/notifications")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task EachKind_ReachesTheSideItConcerns_AndNoOneElse()
    {
        var (receiver, receiverToken) = await Kit.OrganisationAsync("receiving-service", "MBE Routing");
        var (origin, originToken) = await Kit.OrganisationAsync("origin-partner", "Partner Routing");
        var (stranger, strangerToken) = await Kit.OrganisationAsync("origin-partner");
        var atReceiver = await Kit.TokenAsync(await Partners.EnrolPersonAsync(receiverToken, receiver));
        var atOrigin = await Kit.TokenAsync(await Partners.EnrolPersonAsync(originToken, origin));
        var atStranger = await Kit.TokenAsync(await Partners.EnrolPersonAsync(strangerToken, stranger));
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var office = Guid.Parse(new JwtSecurityTokenHandler().ReadJwtToken(coordinator).Claims.Single(c => c.Type == "org").Value);
        var atOffice = await Kit.TokenAsync(await Partners.EnrolPersonAsync(coordinator, office, "coordinator"));

        var handover = Guid.NewGuid();
        var caseId = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        var events = new (object Event, Guid Id)[]
        {
            (new HandoverAnswerDueSoon(handover, caseId, origin, receiver, now.AddDays(1), 2, now), Guid.NewGuid()),
            (new HandoverEscalated(handover, caseId, origin, receiver, 3, now), Guid.NewGuid()),
            (new HandoverAccepted(handover, caseId, origin, receiver, 4, now), Guid.NewGuid()),
            (new HandoverOutcomeRecorded(handover, caseId, origin, receiver, "first-contact-made", new DateOnly(2027, 3, 4), "in-contact", 5, now), Guid.NewGuid()),
            (new HandoverFollowUpDue(handover, caseId, origin, receiver, new DateOnly(2027, 2, 1), 5, now), Guid.NewGuid()),
            (new HandoverRevoked(handover, caseId, origin, receiver, "consent-withdrawn", 6, now), Guid.NewGuid()),
            (new HandoverDeclined(Guid.NewGuid(), caseId, origin, receiver, "no-capacity", 3, now), Guid.NewGuid()),
            (new HandoverWithdrawn(Guid.NewGuid(), caseId, origin, receiver, 3, now), Guid.NewGuid()),
            (new ConsentWithdrawn(Guid.NewGuid(), caseId, origin, [receiver], "data-subject", now), Guid.NewGuid()),
            // The owner's own withdrawal: its counsellor knows.
            (new ConsentWithdrawn(Guid.NewGuid(), caseId, origin, [receiver], "owner-partner", now), Guid.NewGuid()),
            (new ConsentExpiring(Guid.NewGuid(), caseId, origin, new DateTimeOffset(2027, 6, 30, 0, 0, 0, TimeSpan.Zero), now), Guid.NewGuid()),
        };
        var bus = service.Factory.Services.GetRequiredService<IBus>();
        foreach (var (message, id) in events)
        {
            await bus.Publish(message, context => context.MessageId = id);
        }

        foreach (var (_, id) in events)
        {
            await Kit.ConsumedAsync(id);
        }

        async Task<IReadOnlyList<string>> KindsAsync(string token) =>
            [.. (await Kit.ItemsAsync(token)).Select(i => (string)i!["kind"]!).Order()];

        (await KindsAsync(atReceiver)).Should().Equal("follow-up-due", "handover-revoked", "handover-withdrawn", "offer-due-soon");
        (await KindsAsync(atOrigin)).Should().Equal(
            "consent-expiring", "consent-withdrawn", "follow-up-due", "handover-accepted", "handover-declined", "handover-outcome", "handover-revoked");
        (await KindsAsync(atStranger)).Should().BeEmpty();
        (await Kit.ItemsAsync(atOffice)).Where(i => (string?)i!["handoverId"] == handover.ToString()).Select(i => (string?)i!["kind"])
            .Should().Equal("handover-escalated");

        var originItems = await Kit.ItemsAsync(atOrigin);
        var declined = originItems.Single(i => (string?)i!["kind"] == "handover-declined")!;
        ((string?)declined["code"]).Should().Be("no-capacity");
        ((string?)declined["title"]).Should().Contain("no capacity").And.Contain("MBE Routing");
        ((string?)originItems.Single(i => (string?)i!["kind"] == "handover-accepted")!["link"]).Should().Be($"/cases/{caseId}/handovers/{handover}");
        ((string?)originItems.Single(i => (string?)i!["kind"] == "consent-withdrawn")!["title"]).Should().Contain("by the person");

        // A registration the coordinators must verify reaches them through Partners' own event.
        var registered = await Partners.RegisterOrganisationAsync(coordinator, "transit-partner", "TN", name: $"Transit Notify {Guid.NewGuid():N}");
        await Eventually.Until(
            () => Kit.ItemsAsync(atOffice), i => i.Any(n => (string?)n!["kind"] == "verification-waiting" && (string?)n["organisationId"] == registered.ToString()),
            "the verification waiting");
    }

    [Fact]
    public async Task APersonInvitedOrDeactivated_IsToldToTheOtherAdmins_WithoutNameOrAddress()
    {
        var (organisation, token) = await Kit.OrganisationAsync("origin-partner");
        var first = await Partners.EnrolPersonAsync(token, organisation, "organisation-admin");
        var second = await Partners.EnrolPersonAsync(token, organisation, "organisation-admin");
        var counsellor = await Partners.EnrolPersonAsync(token, organisation);
        var firstToken = await Kit.TokenAsync(first);
        var secondToken = await Kit.TokenAsync(second);

        var earlier = (await Kit.ItemsAsync(secondToken)).Concat(await Kit.ItemsAsync(firstToken)).Select(i => (string?)i!["id"]).ToHashSet();
        var email = $"new-{Guid.NewGuid():N}@ngo.example.org";
        (await Partners.SendAsAsync(firstToken, HttpMethod.Post, $"/organisations/{organisation}/people/invitations",
            new { email, role = "counsellor", displayName = "Nadia Secret" })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await Partners.SendAsAsync(firstToken, HttpMethod.Post, $"/organisations/{organisation}/people/{counsellor.Id}/deactivate"))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        var told = (await Kit.ItemsAsync(secondToken)).Where(i => !earlier.Contains((string?)i!["id"])).ToList();
        told.Select(i => (string?)i!["kind"]).Should().BeEquivalentTo(["person-invited", "person-deactivated"]);
        string.Join("\n", told.Select(i => i!.ToJsonString())).Should().NotContain("Nadia").And.NotContain(email).And.NotContain(counsellor.Email);
        (await Kit.ItemsAsync(firstToken)).Where(i => !earlier.Contains((string?)i!["id"])).Should().BeEmpty("whoever did it knows");
        var mails = await Eventually.Until(() => Task.FromResult(NotificationTestKit.MailsTo(second.Email)), m => m.Count >= 1, "the deactivation's mail (immediately by default)");
        string.Join("\n", mails.Select(m => m.Subject + m.TextBody)).Should().NotContain("Nadia").And.NotContain(email).And.NotContain(counsellor.Email);
    }

    [Fact]
    public async Task BadInput_IsRefusedWithProblems_AndChangesNothing()
    {
        var (organisation, token) = await Kit.OrganisationAsync("origin-partner");
        var (other, _) = await Kit.OrganisationAsync("origin-partner");
        var admin = await Kit.TokenAsync(await Partners.EnrolPersonAsync(token, organisation, "organisation-admin"));
        var counsellor = await Kit.TokenAsync(await Partners.EnrolPersonAsync(token, organisation));

        var badLimit = await Partners.SendAsAsync(counsellor, HttpMethod.Get, "/people/me/notifications?limit=0&language=xx");
        badLimit.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await badLimit.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo(["limit", "language"]);
        var badSettings = await Partners.SendAsAsync(counsellor, HttpMethod.Put, "/people/me/notification-settings", new
        {
            language = "tlh",
            kinds = new Dictionary<string, string> { ["handover-accepted"] = "sometimes", ["offer-received"] = "immediate", ["handover-declined"] = "digest" },
        });
        badSettings.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await badSettings.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo(["language", "kinds.handover-accepted", "kinds.offer-received"],
            "a partner's counsellor receives no offers");
        var settings = await Kit.ReadAsync(counsellor, "/people/me/notification-settings");
        ((string?)settings["kinds"]!.AsArray().Single(k => (string?)k!["kind"] == "handover-declined")!["choice"]).Should().Be("immediate", "nothing changed");

        (await Partners.SendAsAsync(admin, HttpMethod.Get, $"/organisations/{other}/notification-minimums")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Partners.SendAsAsync(await Partners.GetCoordinatorTokenAsync(), HttpMethod.Get, $"/organisations/{organisation}/notification-minimums"))
            .StatusCode.Should().Be(HttpStatusCode.NotFound, "an organisation's minimums are its own");
        var badMinimum = await Partners.SendAsAsync(admin, HttpMethod.Put, $"/organisations/{organisation}/notification-minimums",
            new { kinds = new Dictionary<string, string> { ["offer-received"] = "digest", ["handover-accepted"] = "always" } });
        badMinimum.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await badMinimum.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo(["kinds.offer-received", "kinds.handover-accepted"]);
        (await Kit.ReadAsync(admin, $"/organisations/{organisation}/notification-minimums"))["kinds"]!.AsArray()
            .Should().OnlyContain(k => (string?)k!["minimum"] == "off", "nothing changed");
        (await Partners.SendAsAsync(counsellor, HttpMethod.Post, $"/people/me/notifications/{Guid.NewGuid()}/read")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }


}

/// <summary>
/// Choices over time: a class of its own, as it moves its service's clock a day ahead (tokens are asked for before).
/// </summary>
public sealed class NotificationDigestTests(NotificationDigestTests.DigestPartners service) : IClassFixture<NotificationDigestTests.DigestPartners>
{
    public sealed class DigestPartners : NotificationTests.NotifyingPartners;

    private NotificationTestKit Kit { get; } = new(service);

    private HttpClient Partners => service.Client;

    [Fact]
    public async Task ChoicesAndTheOrganisationsMinimum_DecideWhatComes_AndDigestsGoOutOnceTheDaysHourHasPassed()
    {
        var (receiver, receiverToken) = await Kit.OrganisationAsync("receiving-service", "JMD Digest");
        var (origin, _) = await Kit.OrganisationAsync("origin-partner", "Origin Digest");
        var counsellor = await Partners.EnrolPersonAsync(receiverToken, receiver);
        var admin = await Partners.EnrolPersonAsync(receiverToken, receiver, "organisation-admin");
        var token = await Kit.TokenAsync(counsellor);
        var adminToken = await Kit.TokenAsync(admin);

        // Offers switched off: nothing comes.
        var off = await Partners.SendAsAsync(token, HttpMethod.Put, "/people/me/notification-settings", new { language = "en", kinds = new Dictionary<string, string> { ["offer-received"] = "off" } });
        off.StatusCode.Should().Be(HttpStatusCode.OK, await off.Content.ReadAsStringAsync());
        var first = Guid.NewGuid();
        await Kit.PublishAsync(new HandoverOffered(Guid.NewGuid(), Guid.NewGuid(), origin, receiver, DateTimeOffset.UtcNow.AddDays(7), 2, DateTimeOffset.UtcNow), first);
        await Kit.ConsumedAsync(first);
        (await Kit.ItemsAsync(token)).Should().BeEmpty("the person switched offers off");

        // The organisation asks for at least the digest: "off" is refused, and what the person had is raised to it.
        var minimum = await Partners.SendAsAsync(adminToken, HttpMethod.Put, $"/organisations/{receiver}/notification-minimums",
            new { kinds = new Dictionary<string, string> { ["offer-received"] = "digest" } });
        minimum.StatusCode.Should().Be(HttpStatusCode.OK, await minimum.Content.ReadAsStringAsync());
        (await Partners.SendAsAsync(token, HttpMethod.Put, $"/organisations/{receiver}/notification-minimums", new { kinds = new { } }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden, "a counsellor does not set the organisation's minimums");
        var refused = await Partners.SendAsAsync(token, HttpMethod.Put, "/people/me/notification-settings", new { kinds = new Dictionary<string, string> { ["offer-received"] = "off" } });
        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await refused.ReadProblemAsync()).ErrorFields().Should().Equal("kinds.offer-received");
        var settings = await Kit.ReadAsync(token, "/people/me/notification-settings");
        var offers = settings["kinds"]!.AsArray().Single(k => (string?)k!["kind"] == "offer-received")!;
        ((string?)offers["choice"]).Should().Be("digest");
        ((string?)offers["organisationMinimum"]).Should().Be("digest");
        ((string?)settings["language"]).Should().Be("en");
        settings["kinds"]!.AsArray().Select(k => (string?)k!["kind"]).Should().NotContain("person-invited", "a counsellor gets the kinds of their role only");

        // Two offers for the digest: in the list at once, by mail only once the day's hour has passed, in one mail.
        var second = Guid.NewGuid();
        var third = Guid.NewGuid();
        var handovers = new[] { Guid.NewGuid(), Guid.NewGuid() };
        await Kit.PublishAsync(new HandoverOffered(handovers[0], Guid.NewGuid(), origin, receiver, DateTimeOffset.UtcNow.AddDays(7), 2, DateTimeOffset.UtcNow), second);
        await Kit.PublishAsync(new HandoverReassigned(handovers[1], Guid.NewGuid(), origin, Guid.NewGuid(), receiver, DateTimeOffset.UtcNow.AddDays(7), 4, DateTimeOffset.UtcNow), third);
        await Kit.ConsumedAsync(second);
        await Kit.ConsumedAsync(third);
        var items = await Kit.ItemsAsync(token);
        items.Select(i => (string?)i!["mail"]).Should().Equal("digest", "digest");
        ((string?)items[0]!["title"]).Should().EndWith("(reassigned by the coordinators)");
        await service.Factory.Services.GetRequiredService<Domain.Notifications.NotificationMailer>().MakeDigestsAsync(CancellationToken.None);
        NotificationTestKit.MailsTo(counsellor.Email).Should().BeEmpty("the day's digest hour has not passed");

        service.Time.Advance(TimeSpan.FromDays(1));
        var digest = await Eventually.Until(() => Task.FromResult(NotificationTestKit.MailsTo(counsellor.Email)), m => m.Count == 1, "the digest");
        digest[0].Subject.Should().Be("IMSA Network: your daily summary (2)");
        foreach (var handover in handovers)
        {
            digest[0].TextBody.Should().Contain($"https://app.imsa.test/inbox/{handover}");
        }

        await Eventually.Until(() => Kit.ItemsAsync(token), i => i.All(n => (string?)n!["mail"] == "sent"), "the digest's state on each notification");
        await service.Factory.Services.GetRequiredService<Domain.Notifications.NotificationMailer>().MakeDigestsAsync(CancellationToken.None);
        NotificationTestKit.MailsTo(counsellor.Email).Should().HaveCount(1, "a digest is made once");
    }

}

/// <summary>What the notification tests do over and over: organisations with people, their tokens, events and their handling, mails.</summary>
internal sealed class NotificationTestKit(ServiceFixture<Program> service)
{
    private HttpClient Partners => service.Client;

    private readonly Dictionary<Guid, string> _names = [];

    public string Name(Guid organisation) => _names[organisation];

    public async Task<(Guid Id, string Token)> OrganisationAsync(string kind, string? name = null)
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        name = $"{name ?? "Organisation"} {Guid.NewGuid():N}"[..Math.Min(60, (name ?? "Organisation").Length + 33)];
        var id = await Partners.RegisterOrganisationAsync(coordinator, kind, kind == "receiving-service" ? "DE" : "MA", name);
        _names[id] = name;
        var client = await Partners.OnboardAsync(coordinator, id);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{id}/verify")).EnsureSuccessStatusCode();
        return (id, await Partners.GetTokenAsync(client.ClientId, client.ClientSecret));
    }

    public async Task<string> TokenAsync(TestPerson person)
    {
        using var browser = service.Factory.Browser();
        return await browser.AccessTokenAsync(person);
    }

    public Task PublishAsync<T>(T message, Guid messageId)
        where T : class => service.Factory.Services.GetRequiredService<IBus>().Publish(message, c => c.MessageId = messageId);

    /// <summary>Until the notification consumer has handled the message (its inbox row): what it made is made by then.</summary>
    public Task ConsumedAsync(Guid messageId) =>
        Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM messaging.inbox_messages WHERE message_id = '{messageId}' AND consumer = 'NotificationConsumer'"),
            1, "the notification consumer to handle the event");

    public async Task<JsonArray> ItemsAsync(string token) => (await ReadAsync(token, "/people/me/notifications"))["items"]!.AsArray();

    public async Task<JsonObject> ReadAsync(string token, string path)
    {
        var response = await Partners.SendAsAsync(token, HttpMethod.Get, path);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static IReadOnlyList<MimeMessage> MailsTo(string to) => TestMail.NotificationsTo(to);
}

/// <summary>A mail server that refuses: the notification stays in the list marked so, and the coordinators see the count.</summary>
public sealed class NotificationDeliveryFailureTests(NotificationDeliveryFailureTests.RefusedPartners service)
    : IClassFixture<NotificationDeliveryFailureTests.RefusedPartners>
{
    public sealed class RefusedPartners : ServiceFixture<Program>
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Notifications:PollInterval"] = "00:00:00.100",
            ["Notifications:MaxAttempts"] = "3",
            ["Notifications:InitialBackoff"] = "00:00:00.100",
            // Notifications through a server of their own that is not there (invitations still go to the pickup directory).
            ["Notifications:Mail:SmtpHost"] = "127.0.0.1",
            ["Notifications:Mail:SmtpPort"] = ClosedPort().ToString(CultureInfo.InvariantCulture),
        };

        private static int ClosedPort()
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    private NotificationTestKit Kit { get; } = new(service);

    [Fact]
    public async Task AMailTheServerRefuses_IsTriedAgain_ThenMarkedFailed_AndCounted()
    {
        var (receiver, receiverToken) = await Kit.OrganisationAsync("receiving-service");
        var (origin, _) = await Kit.OrganisationAsync("origin-partner");
        var counsellor = await service.Client.EnrolPersonAsync(receiverToken, receiver);
        var token = await Kit.TokenAsync(counsellor);

        var eventId = Guid.NewGuid();
        await Kit.PublishAsync(new HandoverOffered(Guid.NewGuid(), Guid.NewGuid(), origin, receiver, DateTimeOffset.UtcNow.AddDays(7), 2, DateTimeOffset.UtcNow), eventId);
        var items = await Eventually.Until(() => Kit.ItemsAsync(token), i => i.Count == 1 && (string?)i[0]!["mail"] == "failed", "the mail given up");
        ((string?)items[0]!["kind"]).Should().Be("offer-received", "the notification stays in the list");
        (await service.Database.CountAsync("SELECT count(*) FROM notification_mails WHERE status = 'Failed' AND attempts = 3 AND last_error IS NOT NULL"))
            .Should().Be(1, "tried the configured number of times");
        NotificationTestKit.MailsTo(counsellor.Email).Should().BeEmpty();

        var delivery = await Kit.ReadAsync(await service.Client.GetCoordinatorTokenAsync(), "/admin/notifications/delivery");
        delivery["failed"]!.GetValue<int>().Should().Be(1);
        delivery["pending"]!.GetValue<int>().Should().Be(0);
        (await service.Client.SendAsAsync(receiverToken, HttpMethod.Get, "/admin/notifications/delivery")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }
}
