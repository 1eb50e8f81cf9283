using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.EndToEnd.Tests;

public sealed class BackboneEndToEndTests
{
    [Fact]
    public async Task RegisteredOrganisation_ReachesBothProjections_UnderTheRequestsTraceId()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var consumed = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "MassTransit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Kind == ActivityKind.Consumer && activity.TraceId == traceId)
                {
                    consumed.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var network = await Network.StartAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/organisations")
        {
            Content = JsonContent.Create(new { name = "Centre Migration Rabat", country = "MA", kind = "origin-partner" }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        request.Headers.Authorization = new("Bearer", await network.Partners.GetCoordinatorTokenAsync());
        var response = await network.Partners.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        var projected = $"SELECT count(*) FROM known_organisations WHERE id = '{id}' AND kind = 'origin-partner' AND country = 'MA'";
        await Eventually.UntilCount(() => network.CounsellingDatabase.CountAsync(projected), 1, "the Counselling projection");
        await Eventually.UntilCount(() => network.HandoversDatabase.CountAsync(projected), 1, "the Handovers projection");

        await Eventually.Until(() => Task.FromResult(consumed.Count), n => n >= 2, "a consume activity in each service under the request's trace id");
    }

    [Fact]
    public async Task BrokerDown_ReadyIsUnhealthy_AndEventsAreDeliveredWhenItReturns()
    {
        await using var network = await Network.StartAsync(partnersBehindProxy: true);
        var link = network.PartnersBrokerLink!;
        var token = await network.Partners.GetCoordinatorTokenAsync();
        await Eventually.UntilCount(
            () => network.PartnersDatabase.CountAsync("SELECT count(*) FROM messaging.outbox_messages"), 0, "the start-up events to go out");

        link.Cut();
        await Eventually.Until(
            async () => (await network.Partners.GetAsync("/health/ready")).StatusCode,
            status => status == HttpStatusCode.ServiceUnavailable,
            "Partners to report not ready");

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var response = await network.Partners.SendAsAsync(
                token, HttpMethod.Post, "/organisations", new { name = $"Partner during the outage {i}", country = "TN", kind = "transit-partner" });
            response.StatusCode.Should().Be(HttpStatusCode.Created, "the database is up, so the state change and its event commit");
            ids.Add((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
        }

        // Each registration writes two events: OrganisationRegistered and OrganisationContactChanged.
        (await network.PartnersDatabase.CountAsync("SELECT count(*) FROM messaging.outbox_messages")).Should().Be(6);

        link.Restore();
        await network.Partners.WaitUntilReadyAsync();
        var projected = $"SELECT count(*) FROM known_organisations WHERE id IN ({string.Join(',', ids.Select(id => $"'{id}'"))})";
        await Eventually.UntilCount(() => network.CounsellingDatabase.CountAsync(projected), 3, "every event after the outage", TimeSpan.FromSeconds(60));
        await Eventually.UntilCount(() => network.PartnersDatabase.CountAsync("SELECT count(*) FROM messaging.outbox_messages"), 0, "an empty outbox");
    }
}
