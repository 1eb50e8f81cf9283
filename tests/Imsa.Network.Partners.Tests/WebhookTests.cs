using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Handovers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Partners.Tests;

public sealed class WebhookTests(WebhookTests.WebhookService service) : IClassFixture<WebhookTests.WebhookService>
{
    public sealed class WebhookService : ServiceFixture<Program>
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            // The test receiver listens on loopback over http: allowed here only.
            ["Webhooks:AllowInsecureTargets"] = "true",
            ["Webhooks:RetryAttempts"] = "2",
            ["Webhooks:RetryDelay"] = "00:00:00.050",
            ["Webhooks:BreakDuration"] = "00:00:01",
            ["Webhooks:InitialBackoff"] = "00:00:00.100",
            ["Webhooks:MaxBackoff"] = "00:00:00.500",
            ["Webhooks:MaxAttempts"] = "50",
            ["Webhooks:PollInterval"] = "00:00:00.050",
            ["Webhooks:Timeout"] = "00:00:02",
            // Short, so a test sees the previous secret stop signing.
            ["Webhooks:SecretOverlap"] = "00:00:08",
            // The dispatcher's sweep (secrets sealed anew, erased cases' deliveries deleted), often.
            ["Encryption:RotationInterval"] = "00:00:00.500",
        };
    }

    private async Task<(Guid Id, string Token)> ReceivingServiceAsync()
    {
        var coordinator = await service.Client.GetCoordinatorTokenAsync();
        var created = await (await service.Client.SendAsAsync(coordinator, HttpMethod.Post, "/organisations",
            new { name = $"JMD {Guid.NewGuid():N}", country = "DE", kind = "receiving-service" })).Content.ReadFromJsonAsync<JsonObject>();
        var id = Guid.Parse((string)created!["id"]!);
        var client = await service.Client.OnboardAsync(coordinator, id);
        (await service.Client.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{id}/verify")).EnsureSuccessStatusCode();
        return (id, await service.Client.GetTokenAsync(client.ClientId, client.ClientSecret));
    }

    private Task PublishAsync<T>(T message, Guid messageId)
        where T : class => service.Factory.Services.GetRequiredService<IBus>().Publish(message, c => c.MessageId = messageId);

    [Fact]
    public async Task AnEventThatConcernsTheOrganisation_IsDeliveredOnce_SignedWithTheSecretShownOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (organisation, token) = await ReceivingServiceAsync();
        var created = await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/webhooks", new { url = receiver.Url.ToString() });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var webhook = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var secret = (string)webhook["secret"]!;
        (await (await service.Client.SendAsAsync(token, HttpMethod.Get, $"/organisations/{organisation}/webhooks")).Content.ReadAsStringAsync())
            .Should().NotContain(secret, "the secret is shown once");

        var eventId = Guid.NewGuid();
        var offered = new HandoverOffered(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), organisation, DateTimeOffset.UtcNow.AddDays(7), 2, DateTimeOffset.UtcNow);
        await PublishAsync(offered, eventId);
        await PublishAsync(offered, eventId);
        // Someone else's handover: not for this organisation.
        await PublishAsync(offered with { ReceiverOrganisationId = Guid.NewGuid() }, Guid.NewGuid());

        var delivered = await Eventually.Until(() => Task.FromResult(receiver.Requests.ToList()), r => r.Count >= 1, "the delivery");
        var deliveries = await Eventually.Until(
            async () => (await (await service.Client.SendAsAsync(token, HttpMethod.Get, $"/organisations/{organisation}/webhooks/{webhook["id"]}/deliveries")).Content.ReadFromJsonAsync<JsonArray>())!,
            d => d.Count == 1 && (string?)d[0]!["status"] == "delivered",
            "the delivery log");
        receiver.Requests.Should().ContainSingle("the same event id is delivered once");
        var request = delivered[0];
        request.EventId.Should().Be(eventId.ToString());
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{request.Timestamp}.{request.Body}")));
        request.Signature.Should().Be(expected);
        var payload = JsonNode.Parse(request.Body)!;
        ((string?)payload["type"]).Should().Be("handover.offered");
        ((string?)payload["id"]).Should().Be(eventId.ToString());
        ((string?)payload["data"]!["handoverId"]).Should().Be(offered.HandoverId.ToString());

        // Redelivery on request: the same event id again.
        (await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/webhooks/{webhook["id"]}/deliveries/{deliveries[0]!["id"]}/redeliver"))
            .StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Eventually.Until(() => Task.FromResult(receiver.Requests.Count), n => n == 2, "the redelivery");
        receiver.Requests.Select(r => r.EventId).Distinct().Should().Equal(eventId.ToString());
    }

    [Fact]
    public async Task ADeclineOfARequestNeverOffered_ReachesTheOriginOnly_NotTheReceiverThatNeverSawIt()
    {
        await using var endpoint = await WebhookReceiver.StartAsync();
        var (organisation, token) = await ReceivingServiceAsync();
        (await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/webhooks", new { url = endpoint.Url.ToString() }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var unoffered = Guid.NewGuid();
        var unofferedEvent = Guid.NewGuid();

        // Requested (1), declined by the service before any offer (2); then one the receiver had: offered (2), declined (3).
        await PublishAsync(new HandoverDeclined(unoffered, Guid.NewGuid(), Guid.NewGuid(), organisation, "no-consent", 2, DateTimeOffset.UtcNow), unofferedEvent);
        await PublishAsync(new HandoverDeclined(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), organisation, "duplicate", 3, DateTimeOffset.UtcNow), Guid.NewGuid());

        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM messaging.inbox_messages WHERE message_id = '{unofferedEvent}' AND consumer = 'WebhookEventConsumer'"),
            1,
            "the unoffered decline to be consumed");
        await Eventually.Until(() => Task.FromResult(endpoint.Requests.Count), n => n >= 1, "the offered decline's delivery");
        (await service.Database.CountAsync($"SELECT count(*) FROM webhook_deliveries WHERE payload -> 'data' ->> 'handoverId' = '{unoffered}'"))
            .Should().Be(0, "the receiver never had the request");
        endpoint.Requests.Should().ContainSingle().Which.Body.Should().Contain("\"duplicate\"");
    }

    [Fact]
    public async Task AFailingEndpoint_IsRetriedWithBackoff_ThenCircuitBroken_AndDeliveredOnceItRecovers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Down = true;
        var (organisation, token) = await ReceivingServiceAsync();
        var webhook = (await (await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/webhooks",
            new { url = receiver.Url.ToString(), eventTypes = new[] { "handover.accepted" } })).Content.ReadFromJsonAsync<JsonObject>())!;
        var deliveriesUri = $"/organisations/{organisation}/webhooks/{webhook["id"]}/deliveries";

        var eventId = Guid.NewGuid();
        await PublishAsync(new HandoverAccepted(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), organisation, 3, DateTimeOffset.UtcNow), eventId);

        // Several failed tries, then the circuit opens and the delivery waits for it.
        var broken = await Eventually.Until(
            async () => (await (await service.Client.SendAsAsync(token, HttpMethod.Get, deliveriesUri)).Content.ReadFromJsonAsync<JsonArray>())!,
            d => d.Count == 1 && ((string?)d[0]!["lastError"])?.Contains("Circuit open", StringComparison.Ordinal) == true,
            "the circuit to open");
        ((string?)broken[0]!["status"]).Should().Be("pending");
        var failures = receiver.Requests.ToList();
        failures.Should().HaveCountGreaterThanOrEqualTo(3).And.OnlyContain(r => r.Status == 503 && r.EventId == eventId.ToString());
        // Rescheduled, not dropped: the next try waits (backoff, or the open circuit).
        DateTimeOffset.Parse((string)broken[0]!["nextAttemptAt"]!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeAfter(DateTimeOffset.Parse((string)broken[0]!["createdAt"]!, System.Globalization.CultureInfo.InvariantCulture));

        receiver.Down = false;

        var after = await Eventually.Until(
            async () => (await (await service.Client.SendAsAsync(token, HttpMethod.Get, deliveriesUri)).Content.ReadFromJsonAsync<JsonArray>())!,
            d => (string?)d[0]!["status"] == "delivered",
            "the delivery once the endpoint recovered");
        ((int?)after[0]!["lastStatusCode"]).Should().Be(200);
        receiver.Requests.Count(r => r.Status == 200).Should().Be(1);
    }

    [Fact]
    public async Task AnEndpointAnsweringWithAnEndlessBody_IsDeliveredOnItsStatus_WithoutReadingTheBody()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.EndlessBody = true;
        var (organisation, token) = await ReceivingServiceAsync();
        var webhook = (await (await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/webhooks",
            new { url = receiver.Url.ToString(), eventTypes = new[] { "handover.accepted" } })).Content.ReadFromJsonAsync<JsonObject>())!;

        await PublishAsync(new HandoverAccepted(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), organisation, 3, DateTimeOffset.UtcNow), Guid.NewGuid());

        // Reading the body would take until the try's timeout, every try: the delivery would never succeed.
        var delivered = await Eventually.Until(
            async () => (await (await service.Client.SendAsAsync(token, HttpMethod.Get, $"/organisations/{organisation}/webhooks/{webhook["id"]}/deliveries")).Content.ReadFromJsonAsync<JsonArray>())!,
            d => d.Count == 1 && (string?)d[0]!["status"] != "pending",
            "the delivery to an endpoint whose answer never ends");
        ((string?)delivered[0]!["status"]).Should().Be("delivered");
        ((int?)delivered[0]!["lastStatusCode"]).Should().Be(200);
        ((int?)delivered[0]!["attempts"]).Should().Be(1);
        receiver.Requests.Should().ContainSingle();
    }

    private static string Signature(string secret, string? timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    private async Task<(string Signature, string? Timestamp, string Body)> DeliverOneAsync(WebhookReceiver receiver, Guid organisation)
    {
        var eventId = Guid.NewGuid();
        await PublishAsync(new HandoverOffered(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), organisation, DateTimeOffset.UtcNow.AddDays(7), 2, DateTimeOffset.UtcNow), eventId);
        var requests = await Eventually.Until(
            () => Task.FromResult(receiver.Requests.Where(r => r.EventId == eventId.ToString()).ToList()), r => r.Count >= 1, "the delivery");
        return (requests[0].Signature!, requests[0].Timestamp, requests[0].Body);
    }

    [Fact]
    public async Task TheSecret_IsSealedAtRest_AndARotation_SignsWithBothUntilThePreviousOneEnds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (organisation, token) = await ReceivingServiceAsync();
        var webhook = (await (await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/webhooks", new { url = receiver.Url.ToString() }))
            .Content.ReadFromJsonAsync<JsonObject>())!;
        var (id, first) = ((string)webhook["id"]!, (string)webhook["secret"]!);
        (await service.Database.CountAsync(
            $"SELECT count(*) FROM webhook_subscriptions WHERE id = '{id}' AND secret IS NULL AND sealed_secret IS NOT NULL AND secret_key_id IS NOT NULL"))
            .Should().Be(1, "the secret is kept sealed, not in clear");
        (await service.Database.CountAsync(
            $"SELECT count(*) FROM webhook_subscriptions WHERE id = '{id}' AND position(decode('{Convert.ToHexString(Convert.FromBase64String(first))}', 'hex') IN sealed_secret) > 0"))
            .Should().Be(0, "the sealed value does not contain the secret");

        var rotated = await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/webhooks/{id}/secret");
        rotated.StatusCode.Should().Be(HttpStatusCode.OK);
        var answer = (await rotated.Content.ReadFromJsonAsync<JsonObject>())!;
        var second = (string)answer["secret"]!;
        second.Should().NotBe(first);
        var until = answer["previousSecretValidUntil"]!.GetValue<DateTimeOffset>();

        var during = await DeliverOneAsync(receiver, organisation);
        during.Signature.Should().Be($"{Signature(second, during.Timestamp, during.Body)},{Signature(first, during.Timestamp, during.Body)}");

        await Eventually.Until(() => Task.FromResult(DateTimeOffset.UtcNow), now => now > until.AddSeconds(1), "the previous secret's time to be up");
        var after = await DeliverOneAsync(receiver, organisation);
        after.Signature.Should().Be(Signature(second, after.Timestamp, after.Body), "the previous secret signs no more");

        var someoneElse = await ReceivingServiceAsync();
        (await service.Client.SendAsAsync(someoneElse.Token, HttpMethod.Post, $"/organisations/{organisation}/webhooks/{id}/secret"))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await service.Client.SendAsAsync(someoneElse.Token, HttpMethod.Post, $"/organisations/{someoneElse.Id}/webhooks/{id}/secret"))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnErasedCase_LeavesNothingInTheDeliveryLog_OnceItsLastDeliveriesWentOut()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (organisation, token) = await ReceivingServiceAsync();
        (await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/webhooks", new { url = receiver.Url.ToString() }))
            .EnsureSuccessStatusCode();
        var (erased, kept, origin, handover) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        Task<long> DeliveriesOf(Guid caseId) =>
            service.Database.CountAsync($"SELECT count(*) FROM webhook_deliveries WHERE payload -> 'data' ->> 'caseId' = '{caseId}'");
        await PublishAsync(new HandoverOffered(handover, erased, origin, organisation, DateTimeOffset.UtcNow.AddDays(7), 2, DateTimeOffset.UtcNow), Guid.NewGuid());
        await PublishAsync(new HandoverOffered(Guid.NewGuid(), kept, origin, organisation, DateTimeOffset.UtcNow.AddDays(7), 2, DateTimeOffset.UtcNow), Guid.NewGuid());
        await Eventually.Until(() => Task.FromResult(receiver.Requests.Count), count => count >= 2, "both offers to be delivered");
        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM webhook_deliveries WHERE status = 'Delivered' AND payload -> 'data' ->> 'caseId' IN ('{erased}', '{kept}')"),
            2,
            "both deliveries to be logged as delivered");

        await PublishAsync(new Imsa.Network.Contracts.Counselling.CaseErased(erased, origin, DateTimeOffset.UtcNow), Guid.NewGuid());
        await Eventually.UntilCount(() => DeliveriesOf(erased), 0, "the erased case's deliveries to go");

        // Handovers then revokes the case's handovers: the receiver hears it, and then the log forgets it too.
        await PublishAsync(new HandoverRevoked(handover, erased, origin, organisation, "case-erased", 3, DateTimeOffset.UtcNow), Guid.NewGuid());
        await Eventually.Until(
            () => Task.FromResult(receiver.Requests.Count(r => r.Body.Contains("handover.revoked", StringComparison.Ordinal))), count => count == 1, "the revocation to be delivered");
        await Eventually.UntilCount(() => DeliveriesOf(erased), 0, "the revocation's delivery to go after it went out");
        (await DeliveriesOf(kept)).Should().Be(1, "another case's log stays");
    }

    [Fact]
    public async Task ASecretKeptInClearBeforeSealing_IsSealedByTheDispatcher_AndStillSigns()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (organisation, token) = await ReceivingServiceAsync();
        var id = (string)(await (await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/webhooks", new { url = receiver.Url.ToString() }))
            .Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        const string legacy = "a-secret-from-before-sealing";
        await service.Database.ExecuteAsync($"UPDATE webhook_subscriptions SET secret = '{legacy}', sealed_secret = NULL, secret_key_id = NULL WHERE id = '{id}'");

        await using (var scope = service.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Imsa.Network.Partners.Domain.Webhooks.WebhookSecrets>()
                .RefreshAsync(scope.ServiceProvider.GetRequiredService<Imsa.Network.Partners.Data.PartnersDbContext>(), CancellationToken.None);
        }

        (await service.Database.CountAsync($"SELECT count(*) FROM webhook_subscriptions WHERE id = '{id}' AND secret IS NULL AND sealed_secret IS NOT NULL"))
            .Should().Be(1);
        var delivered = await DeliverOneAsync(receiver, organisation);
        delivered.Signature.Should().Be(Signature(legacy, delivered.Timestamp, delivered.Body));
    }
}

public sealed class WebhookTargetTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    [Theory]
    [InlineData("http://example.org/hook", "HTTPS only")]
    [InlineData("https://127.0.0.1/hook", "internal")]
    [InlineData("https://10.1.2.3/hook", "internal")]
    [InlineData("https://192.168.0.10/hook", "internal")]
    [InlineData("https://169.254.169.254/latest/meta-data", "internal")]
    [InlineData("https://[::1]/hook", "internal")]
    [InlineData("https://0/", "internal")]
    [InlineData("https://0.0.0.0/", "internal")]
    [InlineData("https://[::]/", "internal")]
    [InlineData("https://127.1/", "internal")]
    [InlineData("https://2130706433/", "internal")]
    [InlineData("https://[::127.0.0.1]/", "internal")]
    [InlineData("https://[::7f00:1]/", "internal")]
    [InlineData("https://[::ffff:0:127.0.0.1]/", "internal")]
    [InlineData("https://[::ffff:127.0.0.1]/", "internal")]
    [InlineData("https://[::ffff:169.254.169.254]/", "internal")]
    [InlineData("https://[64:ff9b::7f00:1]/", "internal")]
    [InlineData("https://[2002:7f00:1::]/", "internal")]
    [InlineData("https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "internal")]
    [InlineData("https://[fd00::1]/", "internal")]
    [InlineData("https://[fe80::1]/", "internal")]
    [InlineData("https://[ff02::1]/", "internal")]
    [InlineData("https://[2001:db8::1]/", "internal")]
    [InlineData("https://192.0.2.1/", "internal")]
    [InlineData("https://100.64.0.1/", "internal")]
    [InlineData("https://198.18.0.1/", "internal")]
    [InlineData("https://255.255.255.255/", "internal")]
    [InlineData("https://224.0.0.1/", "internal")]
    [InlineData("https://localhost/", "internal")]
    [InlineData("https://user:pw@example.org/hook", "credentials")]
    [InlineData("not a url", "absolute")]
    public async Task AnEndpointThatIsNotHttpsOrResolvesInsideTheNetwork_IsRefusedWith422(string url, string reason)
    {
        var coordinator = await service.Client.GetCoordinatorTokenAsync();
        var created = await (await service.Client.SendAsAsync(coordinator, HttpMethod.Post, "/organisations",
            new { name = $"NGO {Guid.NewGuid():N}", country = "MA", kind = "origin-partner" })).Content.ReadFromJsonAsync<JsonObject>();
        var id = (string)created!["id"]!;
        var client = await service.Client.OnboardAsync(coordinator, Guid.Parse(id));
        var token = await service.Client.GetTokenAsync(client.ClientId, client.ClientSecret);

        var response = await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{id}/webhooks", new { url });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var problem = await response.ReadProblemAsync();
        problem.ErrorFields().Should().Equal("url");
        problem["errors"]!["url"]![0]!.ToString().Should().Contain(reason);
        (await service.Database.CountAsync($"SELECT count(*) FROM webhook_subscriptions WHERE organisation_id = '{id}'")).Should().Be(0);
    }

    /// <summary>
    /// The check is made again on every connection a delivery opens, with the deliveries' own HTTP client: a name or
    /// an address form that reaches inside the network is refused before anything is sent.
    /// </summary>
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("0.0.0.0")]
    [InlineData("[::]")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("[::127.0.0.1]")]
    [InlineData("[::7f00:1]")]
    [InlineData("[::ffff:0:127.0.0.1]")]
    public async Task EveryConnection_ToAnInternalAddress_IsRefused_BeforeAnythingIsSent(string host)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var client = service.Factory.Services.GetRequiredService<IHttpClientFactory>().CreateClient(Domain.Webhooks.WebhookDispatcher.ClientName);

        var send = () => client.PostAsync(new Uri($"http://{host}:{receiver.Url.Port}/hook"), new StringContent("{}"));

        (await send.Should().ThrowAsync<HttpRequestException>()).Which.ToString().Should().Contain("Refused to connect");
        receiver.Requests.Should().BeEmpty();
    }
}
