using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>The network's three APIs as a client reaches them: in one test process (<see cref="Network"/>) or as processes behind the gateway.</summary>
public interface INetworkApis
{
    HttpClient Partners { get; }

    HttpClient Counselling { get; }

    HttpClient Handovers { get; }
}

/// <summary>An organisation of the test network: registered and verified by the coordinator, with a token of its own client.</summary>
public sealed record Member(Guid Id, string Token)
{
    public static async Task<Member> JoinAsync(INetworkApis network, string name, string country, string kind, object? profile = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var coordinator = await network.Partners.GetCoordinatorTokenAsync();
        var created = await network.Partners.SendAsAsync(coordinator, HttpMethod.Post, "/organisations", new { name, country, kind });
        created.EnsureSuccessStatusCode();
        var id = (Guid)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var client = await network.Partners.OnboardAsync(coordinator, id, "case system");
        (await network.Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{id}/verify")).EnsureSuccessStatusCode();
        var token = await network.Partners.GetTokenAsync(client.ClientId, client.ClientSecret);
        if (profile is not null)
        {
            var updated = await network.Partners.SendAsAsync(token, HttpMethod.Put, $"/organisations/{id}/profile", profile);
            updated.EnsureSuccessStatusCode();
        }

        return new Member(id, token);
    }

    /// <summary>A receiving service for young people in Mainz (district 07315), counselling in German and Arabic.</summary>
    public static object MainzYouthService(int maxOpen = 20) => new
    {
        languages = new[] { "de", "ar" },
        topics = new[] { "EDU", "LANG", "REC", "WORK" },
        receiving = new
        {
            serviceTypes = new[] { "JMD" },
            area = new { districts = new[] { "07315" } },
            eligibility = new { minAge = 12, maxAge = 26 },
            capacity = new { accepting = true, maxOpenHandovers = maxOpen },
        },
    };

    public Task<HttpResponseMessage> SendAsync(HttpClient service, HttpMethod method, string uri, object? body = null) =>
        service.SendAsAsync(Token, method, uri, body);

    /// <summary>
    /// Requests a handover of the member's case to <paramref name="receiver"/> and answers its id once it is offered:
    /// a request made while the case and its consent are still on their way to Handovers waits for them there.
    /// </summary>
    public async Task<string> RequestHandoverAsync(INetworkApis network, string caseId, Member receiver, string? message = null, string? idempotencyKey = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(receiver);
        var response = await network.Handovers.SendAsAsync(Token, HttpMethod.Post, "/handovers",
            new { caseId, receiverOrganisationId = receiver.Id, topics = new[] { "EDU", "LANG" }, plannedArrival = TestDates.ArrivalText, message },
            idempotencyKey);
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await Eventually.Until(() => ReadAsync(network.Handovers, $"/handovers/{id}"), h => (string?)h["status"] == "offered", "the handover to be offered");
        return id;
    }

    public async Task<JsonObject> ReadAsync(HttpClient service, string uri) =>
        (await (await SendAsync(service, HttpMethod.Get, uri)).Content.ReadFromJsonAsync<JsonObject>())!;
}
