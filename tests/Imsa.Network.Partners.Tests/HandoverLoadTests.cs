using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Handovers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Partners.Tests;

/// <summary>Matching weighs each receiver's open handovers, kept from the Handovers service's events in any order.</summary>
public sealed class HandoverLoadTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    private HttpClient Partners => service.Client;

    [Fact]
    public async Task OpenHandovers_FollowTheEvents_WhateverTheirOrder_AndAServiceAtCapacityIsExcluded()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var created = await (await Partners.SendAsAsync(coordinator, HttpMethod.Post, "/organisations",
            new { name = $"JMD {Guid.NewGuid():N}", country = "DE", kind = "receiving-service" })).Content.ReadFromJsonAsync<JsonObject>();
        var receiver = Guid.Parse((string)created!["id"]!);
        var client = await Partners.OnboardAsync(coordinator, receiver);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{receiver}/verify")).EnsureSuccessStatusCode();
        var token = await Partners.GetTokenAsync(client.ClientId, client.ClientSecret);
        (await Partners.SendAsAsync(token, HttpMethod.Put, $"/organisations/{receiver}/profile", new
        {
            languages = new[] { "de" },
            topics = new[] { "EDU" },
            receiving = new
            {
                serviceTypes = new[] { "JMD" },
                area = new { districts = new[] { "07315" } },
                eligibility = new { minAge = 12, maxAge = 26 },
                capacity = new { accepting = true, maxOpenHandovers = 2 },
            },
        })).EnsureSuccessStatusCode();

        var bus = service.Factory.Services.GetRequiredService<IBus>();
        Task Publish<T>(T message, Guid? id = null)
            where T : class => bus.Publish(message, c => c.MessageId = id ?? NewId.NextGuid());
        var (first, second, caseId, origin, now) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), DateTimeOffset.UtcNow);

        // The first ticket's acceptance overtakes its offer; the offer then changes nothing. Sent twice.
        var accepted = Guid.NewGuid();
        await Publish(new HandoverAccepted(first, caseId, origin, receiver, 3, now), accepted);
        await Publish(new HandoverAccepted(first, caseId, origin, receiver, 3, now), accepted);
        await Publish(new HandoverOffered(first, caseId, origin, receiver, now.AddDays(7), 2, now));
        await Publish(new HandoverOffered(second, caseId, origin, receiver, now.AddDays(7), 2, now));
        await Eventually.Until(() => OpenOfAsync(receiver), reason => reason is "2 of 2", "two open handovers");
        var excluded = await Eventually.Until(() => MatchAsync(), m => m["exclusions"]!.AsArray().Any(e => (Guid)e!["organisationId"]! == receiver), "the full service to be excluded");
        ((string?)excluded["exclusions"]!.AsArray().Single(e => (Guid)e!["organisationId"]! == receiver)!["reasons"]![0]).Should().Contain("2 of 2");

        // Completed (v5) before the first-contact outcome (v4): the late outcome does not reopen it.
        await Publish(new HandoverCompleted(first, caseId, origin, receiver, 5, now));
        await Publish(new HandoverOutcomeRecorded(first, caseId, origin, receiver, "first-contact-made", null, "in-contact", 4, now));
        await Publish(new HandoverRevoked(second, caseId, origin, receiver, "consent-withdrawn", 3, now));
        await Eventually.Until(() => OpenOfAsync(receiver), reason => reason is "0 of 2", "both handovers to end");
        (await service.Database.CountAsync($"SELECT count(*) FROM receiver_handovers WHERE receiver_organisation_id = '{receiver}' AND open")).Should().Be(0);
    }

    private async Task<JsonObject> MatchAsync()
    {
        var token = await Partners.GetCoordinatorTokenAsync();
        var response = await Partners.SendAsAsync(token, HttpMethod.Post, "/directory/matches",
            new { postalCode = "55116", age = 19, purpose = "vocational-training", explainExclusions = true });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<string?> OpenOfAsync(Guid receiver)
    {
        var matches = await MatchAsync();
        var all = matches["matches"]!.AsArray().Concat(matches["exclusions"]!.AsArray());
        return all.Where(m => (Guid)m!["organisationId"]! == receiver)
            .SelectMany(m => m!["reasons"]!.AsArray().Select(r => (string?)r))
            // "1 of 2 handovers open" among a match's reasons; "(2 of 2 open)" in an exclusion's.
            .Select(r => r is null ? null : System.Text.RegularExpressions.Regex.Match(r, @"\d+ of \d+").Value)
            .FirstOrDefault(r => !string.IsNullOrEmpty(r));
    }
}
