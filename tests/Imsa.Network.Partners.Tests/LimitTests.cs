using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Partners.Tests;

/// <summary>The Partners service with small limits, a clock tests move, and callers at addresses tests name.</summary>
public sealed class LimitedPartners : ServiceFixture<Program>
{
    public const string Gateway = "10.9.8.7";

    private string? _coordinator;

    public ShiftedTimeProvider Time { get; } = new();

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["ForwardedHeaders:KnownNetworks:0"] = Gateway,
        ["Limits:TokenLockout:PerClient:FreeFailures"] = "2",
        ["Limits:TokenLockout:PerClient:LockoutAfter"] = "5",
        ["Limits:TokenLockout:PerAddress:FreeFailures"] = "3",
        ["Limits:TokenLockout:PerAddress:LockoutAfter"] = "4",
        ["Limits:TokenLockout:Window"] = "00:10:00",
        ["Limits:TokenLockout:FirstDelay"] = "00:00:30",
        ["Limits:TokenLockout:Lockout"] = "00:10:00",
        ["Limits:ApiClients:Count"] = "2",
        ["Limits:ApiClients:Window"] = "01:00:00",
        ["Limits:Webhooks:Count"] = "1",
        ["Limits:Webhooks:Window"] = "01:00:00",
        ["Webhooks:AllowInsecureTargets"] = "true",
        ["Limits:InvitationRedemptions:Count"] = "3",
        ["Limits:InvitationRedemptions:Window"] = "00:10:00",
        ["Limits:DirectoryNames:Count"] = "2",
        ["Limits:DirectoryNames:Window"] = "00:10:00",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(Time);
        ConnectionFrom.AddTo(services);
    }

    /// <summary>A new organisation (registered by the coordinator) and a token of its own.</summary>
    public async Task<(Guid Id, string Token)> OrganisationAsync(string kind = "origin-partner")
    {
        // Asked for once, before any test moves the clock, so the token is valid by the real clock that checks it.
        var coordinator = _coordinator ??= await Client.GetCoordinatorTokenAsync();
        var created = await Client.SendAsAsync(coordinator, HttpMethod.Post, "/organisations", new { name = $"Organisation {Guid.NewGuid():N}", country = "MA", kind });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = Guid.Parse((string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
        return (id, TestIdentity.MintToken(id, kind, kind == "receiving-service" ? "receiving-service" : "partner"));
    }

    /// <summary>An API client the organisation creates for itself.</summary>
    public async Task<(string ClientId, string Secret)> ClientAsync(Guid organisation, string token)
    {
        var created = await Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/clients", new { name = "case system" });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var client = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        return ((string)client["clientId"]!, (string)client["clientSecret"]!);
    }

    /// <summary>A token request from the peer <paramref name="from"/>, optionally claiming another address.</summary>
    public async Task<HttpResponseMessage> TokenAsync(string clientId, string secret, string from, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_secret"] = secret,
            }),
        };
        request.Headers.Add(ConnectionFrom.Header, from);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await Client.SendAsync(request);
    }
}

/// <summary>
/// Failed client authentications at the token endpoint: per client id and per client address, a growing delay and
/// then a lockout, answered 429 with Retry-After even to the right secret, and audited without secrets or addresses.
/// </summary>
public sealed class TokenLockoutLimitTests(LimitedPartners service) : IClassFixture<LimitedPartners>
{
    [Fact]
    public async Task AClientsFailures_FromAnyAddress_DelayItLongerEachTime_ThenLockItOut_EvenWithTheRightSecret()
    {
        var (organisation, token) = await service.OrganisationAsync();
        var (clientId, secret) = await service.ClientAsync(organisation, token);
        var address = 0;
        string From() => $"198.51.100.{++address}"; // each attempt from another address: only the client's count grows

        // Two failures are free; the third refuses the client for 30 s, the fourth for 60 s, the fifth locks it out.
        (await service.TokenAsync(clientId, "wrong", From())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await service.TokenAsync(clientId, "wrong", From())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await service.TokenAsync(clientId, secret, From())).StatusCode.Should().Be(HttpStatusCode.OK);
        (await service.TokenAsync(clientId, "wrong", From())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        RetryAfter(await RefusedAsync(clientId, secret, From())).Should().BeInRange(1, 30);
        service.Time.Advance(TimeSpan.FromSeconds(31));
        (await service.TokenAsync(clientId, "wrong", From())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        RetryAfter(await RefusedAsync(clientId, secret, From())).Should().BeInRange(31, 60, "the delay doubles");
        service.Time.Advance(TimeSpan.FromSeconds(61));
        (await service.TokenAsync(clientId, "wrong", From())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        RetryAfter(await RefusedAsync(clientId, secret, From())).Should().BeInRange(61, 600, "now it is locked out");

        var audit = await service.Database.CountAsync(
            $"SELECT count(*) FROM admin.audit_trail WHERE action = 'token.lockout-client' AND target = '{clientId}' AND organisation_id = '{organisation}' "
            + $"AND client_id = '{clientId}' AND reason NOT LIKE '%{secret}%' AND reason NOT LIKE '%198.51.100.%'");
        audit.Should().Be(1, "the lockout is audited, naming the client and its organisation, neither the secret nor an address");
        (await service.Database.CountAsync(
            $"SELECT count(*) FROM credential_events WHERE organisation_id = '{organisation}' AND kind = 'client-locked-out' AND client_id = '{clientId}'"))
            .Should().Be(1, "the organisation sees it in its own credential trail");

        service.Time.Advance(TimeSpan.FromMinutes(10));
        (await service.TokenAsync(clientId, secret, From())).StatusCode.Should().Be(HttpStatusCode.OK, "the lockout has ended");
    }

    [Fact]
    public async Task AnAddressesFailures_WithAnyClientIds_LockItOut_ForEveryClient_WhileOtherAddressesGetTokens()
    {
        var (organisation, token) = await service.OrganisationAsync();
        var (clientId, secret) = await service.ClientAsync(organisation, token);
        const string Guesser = "203.0.113.5";
        var before = await service.Database.CountAsync("SELECT count(*) FROM admin.audit_trail WHERE action = 'token.lockout-address'");

        for (var i = 0; i < 4; i++)
        {
            (await service.TokenAsync($"guess-{Guid.NewGuid():N}", "wrong", Guesser)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        RetryAfter(await RefusedAsync(clientId, secret, Guesser)).Should().BeInRange(60, 600);
        (await service.TokenAsync(clientId, secret, "203.0.113.6")).StatusCode.Should().Be(HttpStatusCode.OK, "only the guessing address is locked out");

        (await service.Database.CountAsync("SELECT count(*) FROM admin.audit_trail WHERE action = 'token.lockout-address' AND target = 'client address'"))
            .Should().Be(before + 1);
        (await service.Database.CountAsync($"SELECT count(*) FROM admin.audit_trail WHERE concat(target, reason, client_id) LIKE '%{Guesser}%'"))
            .Should().Be(0, "an address is personal data and is not audited");
    }

    [Fact]
    public async Task AForgedForwardedFor_FromAnUntrustedPeer_DoesNotResetTheAddressLimit_ButTheGatewaysAddressCounts()
    {
        var (organisation, token) = await service.OrganisationAsync();
        var (clientId, secret) = await service.ClientAsync(organisation, token);

        // One peer that is no proxy of ours, claiming a new address each time: all its failures are its own.
        for (var i = 0; i < 4; i++)
        {
            (await service.TokenAsync($"guess-{Guid.NewGuid():N}", "wrong", "127.0.0.9", forwardedFor: $"192.0.2.{i + 1}"))
                .StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        RetryAfter(await RefusedAsync(clientId, secret, "127.0.0.9", forwardedFor: "192.0.2.200")).Should().BeGreaterThan(0);

        // Through the gateway, the address it names is the caller's: one caller's failures do not lock out another.
        for (var i = 0; i < 4; i++)
        {
            (await service.TokenAsync($"guess-{Guid.NewGuid():N}", "wrong", LimitedPartners.Gateway, forwardedFor: "192.0.2.77"))
                .StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        RetryAfter(await RefusedAsync(clientId, secret, LimitedPartners.Gateway, forwardedFor: "192.0.2.77")).Should().BeGreaterThan(0);
        (await service.TokenAsync(clientId, secret, LimitedPartners.Gateway, forwardedFor: "192.0.2.78")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<HttpResponseMessage> RefusedAsync(string clientId, string secret, string from, string? forwardedFor = null)
    {
        var response = await service.TokenAsync(clientId, secret, from, forwardedFor);
        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, await response.Content.ReadAsStringAsync());
        ((int?)(await response.ReadProblemAsync())["status"]).Should().Be(429);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("access_token");
        return response;
    }

    private static long RetryAfter(HttpResponseMessage response) =>
        (long)(response.Headers.RetryAfter?.Delta ?? throw new InvalidOperationException("No Retry-After in seconds.")).TotalSeconds;
}

/// <summary>Per-organisation quotas on creating API clients and webhooks: 429 with Retry-After, and nothing written.</summary>
public sealed class QuotaLimitTests(LimitedPartners service) : IClassFixture<LimitedPartners>
{
    [Fact]
    public async Task ApiClients_BeyondTheQuota_Get429WithRetryAfter_WriteNothing_AndMayBeSentAgainWithTheSameKeyLater()
    {
        var (organisation, token) = await service.OrganisationAsync();
        var (clientId, _) = await service.ClientAsync(organisation, token);
        (await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/clients/{clientId}/rotate")).StatusCode.Should().Be(HttpStatusCode.OK);
        var secretBefore = await SecretHashAsync(clientId);

        var refused = await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/clients", new { name = "one too many" }, idempotencyKey: "third");
        var rotation = await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/clients/{clientId}/rotate");

        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        ((int?)(await refused.ReadProblemAsync())["status"]).Should().Be(429);
        refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(1, 3600);
        rotation.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "rotating counts under the same quota");
        (await service.Database.CountAsync($"SELECT count(*) FROM api_clients WHERE organisation_id = '{organisation}'")).Should().Be(1);
        (await SecretHashAsync(clientId)).Should().Be(secretBefore, "the refused rotation changed nothing");
        (await service.Database.CountAsync("SELECT count(*) FROM idempotency.requests WHERE key = 'third'")).Should().Be(0, "a refusal keeps no answer");

        var (other, otherToken) = await service.OrganisationAsync();
        await service.ClientAsync(other, otherToken); // another organisation's quota is its own

        service.Time.Advance(TimeSpan.FromHours(1));
        var again = await service.Client.SendAsAsync(token, HttpMethod.Post, $"/organisations/{organisation}/clients", new { name = "one too many" }, idempotencyKey: "third");
        again.StatusCode.Should().Be(HttpStatusCode.Created, "after Retry-After the same request goes through");
    }

    [Fact]
    public async Task Webhooks_BeyondTheQuota_Get429WithRetryAfter_AndWriteNothing()
    {
        var (organisation, token) = await service.OrganisationAsync("receiving-service");
        var uri = $"/organisations/{organisation}/webhooks";

        var first = await service.Client.SendAsAsync(token, HttpMethod.Post, uri, new { url = "http://127.0.0.1:9/first" });
        var second = await service.Client.SendAsAsync(token, HttpMethod.Post, uri, new { url = "http://127.0.0.1:9/second" });

        first.StatusCode.Should().Be(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        second.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(1, 3600);
        (await service.Database.CountAsync($"SELECT count(*) FROM webhook_subscriptions WHERE organisation_id = '{organisation}'")).Should().Be(1);
    }

    [Fact]
    public async Task GuessingInvitationCodes_FromOneAddress_IsStoppedWith429_WhateverItsForwardedForSays()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/invitations/redeem")
            {
                Content = JsonContent.Create(new { code = $"GUESS-{i:0000}-0000-0000", clientName = "guess" }),
            };
            request.Headers.Add(ConnectionFrom.Header, "203.0.113.99");
            request.Headers.Add("X-Forwarded-For", $"192.0.2.{i + 1}");
            using var response = await service.Client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        statuses.Should().Equal(
            HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task OrganisationNames_BeyondTheLimitOfOneAddress_Get429WithRetryAfter_WhileOtherAddressesAreAnswered()
    {
        async Task<HttpResponseMessage> NamesAsync(string from)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/directory/names?id={Guid.NewGuid()}");
            request.Headers.Add(ConnectionFrom.Header, from);
            return await service.Client.SendAsync(request);
        }

        (await NamesAsync("203.0.113.50")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await NamesAsync("203.0.113.50")).StatusCode.Should().Be(HttpStatusCode.OK);
        var refused = await NamesAsync("203.0.113.50");
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(1, 600);
        (await NamesAsync("203.0.113.51")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<string> SecretHashAsync(string clientId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(service.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT \"ClientSecret\" FROM \"OpenIddictApplications\" WHERE \"ClientId\" = $1", connection)
        {
            Parameters = { new() { Value = clientId } },
        };
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
