using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Counselling.Tests;

/// <summary>
/// What the service writes never comes from a request's Host or X-Forwarded-* headers, and only the configured proxy
/// (the gateway) can tell it the caller's address or its path prefix: a forged header puts no one else's address on
/// a receipt or in the API document, and resets no rate limit.
/// </summary>
public sealed class TrustedProxyTests(TrustedProxyTests.BehindAGateway service) : IClassFixture<TrustedProxyTests.BehindAGateway>
{
    private const string Gateway = "10.9.8.7";
    private const string Forged = "evil.example";

    public sealed class BehindAGateway : CounsellingService
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownNetworks:0"] = Gateway,
            ["Limits:Withdrawals:Count"] = "3",
            ["Limits:Withdrawals:Window"] = "00:10:00",
        };

        protected override void ConfigureServices(IServiceCollection services)
        {
            base.ConfigureServices(services);
            ConnectionFrom.AddTo(services);
        }
    }

    [Theory]
    [InlineData("127.0.0.1")] // a caller on the service's own host, whom the framework would trust by default
    [InlineData(Gateway)] // even the gateway does not choose the address
    public async Task TheReceiptsWithdrawalAddress_IsTheConfiguredOne_WhateverTheForwardedHeadersSay(string from)
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/cases/{caseId}/consents")
        {
            Content = JsonContent.Create(CaseSamples.Consent(receiver.Id, ["identity"])),
        };
        request.Headers.Authorization = new("Bearer", owner.Token);
        request.Headers.Add(ConnectionFrom.Header, from);
        request.Headers.Add("X-Forwarded-Host", Forged);
        request.Headers.Add("X-Forwarded-Proto", "http");
        request.Headers.Add("X-Forwarded-Prefix", "/phish");

        using var response = await service.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var receipt = (await response.Content.ReadFromJsonAsync<JsonObject>())!["receipt"]!;
        ((string?)receipt["withdrawal"]!["endpoint"]).Should().Be($"{TestNetwork.PublicUrl}counselling/consent-withdrawals");
        receipt.ToJsonString().Should().NotContain(Forged).And.NotContain("phish");
    }

    [Fact]
    public async Task AnotherHost_IsRefused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/reference/topics");
        request.Headers.Host = Forged;

        using var response = await service.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TheApiDocument_NamesTheConfiguredAddress_OnlyForThePrefixTheGatewaySends()
    {
        var forged = await DocumentAsync("127.0.0.1", "/phish");
        forged["servers"].Should().BeNull("a prefix from anyone but the gateway is ignored");
        forged.ToJsonString().Should().NotContain(Forged);

        var throughGateway = await DocumentAsync(Gateway, "/counselling");
        ((string?)throughGateway["servers"]![0]!["url"]).Should().Be($"{TestNetwork.PublicUrl}counselling");
        throughGateway.ToJsonString().Should().NotContain(Forged);
    }

    [Fact]
    public async Task AForgedClientAddress_DoesNotResetTheWithdrawalLimit_ButTheGatewaysDoes()
    {
        // Four guesses from one caller on this host, each claiming another address: the fourth is over the limit.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add(await GuessAsync("127.0.0.2", forwardedFor: $"198.51.100.{i}"));
        }

        statuses.Should().Equal(HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests);

        // Through the gateway, the address it names is the caller's: another person is not limited by the first.
        for (var i = 0; i < 3; i++)
        {
            (await GuessAsync(Gateway, forwardedFor: "203.0.113.7")).Should().Be(HttpStatusCode.NotFound);
        }

        (await GuessAsync(Gateway, forwardedFor: "203.0.113.7")).Should().Be(HttpStatusCode.TooManyRequests);
        (await GuessAsync(Gateway, forwardedFor: "203.0.113.8")).Should().Be(HttpStatusCode.NotFound);
    }

    private async Task<HttpStatusCode> GuessAsync(string from, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/consent-withdrawals") { Content = JsonContent.Create(new { code = "0000-0000-0000-0000-0000" }) };
        request.Headers.Add(ConnectionFrom.Header, from);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await service.Client.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<JsonObject> DocumentAsync(string from, string prefix)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/swagger/v1/swagger.json");
        request.Headers.Add(ConnectionFrom.Header, from);
        request.Headers.Add("X-Forwarded-Prefix", prefix);
        request.Headers.Add("X-Forwarded-Host", Forged);
        using var response = await service.Client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
