using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Handovers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Partners.Tests;

/// <summary>What the metrics port tells of tokens, lockouts and webhooks: counts by grant, kind and outcome, naming no one.</summary>
public sealed class MetricsTests(MetricsTests.MetricsPartners service) : IClassFixture<MetricsTests.MetricsPartners>
{
    private const string PersonName = "Amal Haddad";

    public sealed class MetricsPartners : ServiceFixture<Program>
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Limits:TokenLockout:PerClient:FreeFailures"] = "1",
            ["Limits:TokenLockout:PerClient:LockoutAfter"] = "2",
            ["Webhooks:AllowInsecureTargets"] = "true",
            ["Webhooks:RetryAttempts"] = "1",
            ["Webhooks:RetryDelay"] = "00:00:00.050",
            ["Webhooks:BreakDuration"] = "00:00:01",
            ["Webhooks:InitialBackoff"] = "00:00:00.100",
            ["Webhooks:MaxBackoff"] = "00:00:00.300",
            ["Webhooks:MaxAttempts"] = "50",
            ["Webhooks:PollInterval"] = "00:00:00.050",
            ["Webhooks:Timeout"] = "00:00:02",
        };
    }

    [Fact]
    public async Task TokensLockoutsAndWebhooks_AreCounted_WithoutNamingAnyone()
    {
        var partners = service.Client;
        var coordinator = await partners.GetCoordinatorTokenAsync();
        var organisation = await partners.RegisterOrganisationAsync(coordinator);
        var client = await partners.OnboardAsync(coordinator, organisation);
        var own = await partners.GetTokenAsync(client.ClientId, client.ClientSecret);

        // A person signs in (a token by authorization code), then locks themselves out with wrong passwords.
        var person = await partners.EnrolPersonAsync(own, organisation, displayName: PersonName);
        using (var browser = service.Factory.Browser())
        {
            (await browser.ExchangeAsync(await browser.SignInAsync(person))).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var browser = service.Factory.Browser())
        {
            for (var i = 0; i < 5; i++)
            {
                var page = await browser.Client.GetAsync("/sign-in?returnUrl=" + Uri.EscapeDataString(browser.AuthorizeUrl()));
                await browser.SubmitAsync(page, new Dictionary<string, string> { ["email"] = person.Email, ["password"] = "not the password " + i });
            }
        }

        // A client id with wrong secrets: the second failure locks it out.
        (await partners.RequestTokenAsync(client.ClientId, "wrong")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await partners.RequestTokenAsync(client.ClientId, "wrong again")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await partners.RequestTokenAsync(client.ClientId, client.ClientSecret)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        // A webhook whose endpoint fails first, then takes the delivery.
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Down = true;
        var receiving = await partners.RegisterOrganisationAsync(coordinator, kind: "receiving-service", country: "DE");
        var receivingClient = await partners.OnboardAsync(coordinator, receiving);
        (await partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{receiving}/verify")).EnsureSuccessStatusCode();
        var receivingToken = await partners.GetTokenAsync(receivingClient.ClientId, receivingClient.ClientSecret);
        (await partners.SendAsAsync(receivingToken, HttpMethod.Post, $"/organisations/{receiving}/webhooks", new { url = receiver.Url.ToString() }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        await service.Factory.Services.GetRequiredService<IBus>().Publish(
            new HandoverAccepted(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), receiving, 3, DateTimeOffset.UtcNow), c => c.MessageId = Guid.NewGuid());
        await service.Factory.ScrapeUntilAsync(s => s.Value("imsa_partners_webhooks_failures_total") >= 1, "a failed delivery");
        receiver.Down = false;

        var scrape = await service.Factory.ScrapeUntilAsync(s => s.Value("imsa_partners_webhooks_deliveries_total") == 1, "the delivery");
        scrape.Value("imsa_partners_tokens_issued_total", ("grant_type", "client_credentials"), ("organisation_kind", "coordinator")).Should().Be(1);
        scrape.Value("imsa_partners_tokens_issued_total", ("grant_type", "client_credentials"), ("organisation_kind", "origin-partner")).Should().Be(1);
        scrape.Value("imsa_partners_tokens_issued_total", ("grant_type", "client_credentials"), ("organisation_kind", "receiving-service")).Should().Be(1);
        scrape.Value("imsa_partners_tokens_issued_total", ("grant_type", "authorization_code"), ("organisation_kind", "origin-partner")).Should().Be(1);
        scrape.Value("imsa_partners_tokens_lockouts_total", ("scope", "client")).Should().Be(1);
        scrape.Value("imsa_partners_people_lockouts_total").Should().Be(1);
        scrape.Of("imsa_partners_webhooks_failures_total").Should().OnlyContain(s => s.Labels["outcome"] == "retrying" || s.Labels["outcome"] == "circuit-open");

        var labels = scrape.Samples.SelectMany(s => s.Labels.Values).ToList();
        foreach (var secret in new[]
        {
            PersonName, "Amal", "Haddad", person.Email, person.Id.ToString(), organisation.ToString(), receiving.ToString(), client.ClientId,
            receivingClient.ClientId, receiver.Url.Host + ":" + receiver.Url.Port,
        })
        {
            labels.Should().NotContain(value => value.Contains(secret, StringComparison.OrdinalIgnoreCase), $"no label names {secret}");
        }

        labels.Should().NotContain(value => MetricLabelRules.LooksLikeAnId(value) || value.Contains('@', StringComparison.Ordinal));
    }
}
