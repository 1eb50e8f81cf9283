using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// The network under load while its dependencies go away, each service's link to its database or to the broker cut
/// (the quick forms of the outages; deploy/local/faults.sh stops the real servers and kills the processes). After
/// each: every acknowledged action is visible everywhere it should be within the stated time, nothing is duplicated,
/// nothing is dead-lettered, nothing is quarantined.
/// </summary>
public sealed class FaultTests
{
    /// <summary>How long after an outage ends every acknowledged action shows everywhere.</summary>
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(30);

    /// <summary>Longer than the consumers' retries for a failure of a message's own (tests: 2 retries up to 200 ms).</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task EveryDatabaseAway_DuringJourneys_NothingAcknowledgedIsLost_NothingDuplicated_NothingDeadLettered()
    {
        await using var network = await Network.StartAsync(links: true);
        await OutageDuringLoadAsync(network, network.DatabaseLinks.Values);
    }

    [Fact]
    public async Task TheBrokerAway_DuringJourneys_NothingAcknowledgedIsLost_NothingDuplicated_NothingDeadLettered()
    {
        await using var network = await Network.StartAsync(links: true);
        await OutageDuringLoadAsync(network, network.BrokerLinks.Values);
    }

    [Fact]
    public async Task AWithdrawalRacingAnAcceptance_EndsInARevokedHandover_AndNoDossier_WhicheverWins()
    {
        await using var network = await Network.StartAsync();
        var partner = await Member.JoinAsync(network, "Association Passerelles Rabat", "MA", "origin-partner");
        var receiver = await Member.JoinAsync(network, "Jugendmigrationsdienst Mainz", "DE", "receiving-service", Member.MainzYouthService(maxOpen: 1000));
        var offers = new List<(Guid Case, Guid Handover, string Code)>();
        for (var i = 0; i < 8; i++)
        {
            var caseId = (Guid)(await (await partner.SendAsync(network.Counselling, HttpMethod.Post, "/cases", Samples.Case())).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
            var consent = await Eventually.Until(
                () => partner.SendAsync(network.Counselling, HttpMethod.Post, $"/cases/{caseId}/consents", Samples.Consent(receiver.Id)),
                r => r.StatusCode == HttpStatusCode.Created,
                "the consent to be recorded");
            var code = (string)(await consent.Content.ReadFromJsonAsync<JsonObject>())!["receipt"]!["withdrawal"]!["code"]!;
            var handoverId = Guid.Parse(await partner.RequestHandoverAsync(network, caseId.ToString(), receiver));
            offers.Add((caseId, handoverId, code));
        }

        // For each offer, the receiver accepts while the person withdraws, at the same moment.
        var answers = await Task.WhenAll(offers.Select(async offer =>
        {
            var accept = receiver.SendAsync(network.Handovers, HttpMethod.Post, $"/handovers/{offer.Handover}/accept");
            var withdraw = network.Counselling.PostAsJsonAsync("/consent-withdrawals", new { code = offer.Code });
            return (Accept: (await accept).StatusCode, Withdraw: (await withdraw).StatusCode);
        }));

        answers.Select(a => a.Withdraw).Should().AllBeEquivalentTo(HttpStatusCode.OK);
        answers.Select(a => a.Accept).Should().OnlyContain(s => s == HttpStatusCode.OK || s == HttpStatusCode.Conflict, "an acceptance after the revocation is refused");
        foreach (var offer in offers)
        {
            await Eventually.Until(
                async () => (string?)(await receiver.ReadAsync(network.Handovers, $"/handovers/{offer.Handover}"))["status"],
                status => status == "revoked",
                "the handover to end revoked, whichever came first");
            (await receiver.SendAsync(network.Counselling, HttpMethod.Get, $"/cases/{offer.Case}/dossier")).StatusCode
                .Should().BeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.NotFound);
        }

        (await network.VirtualHost.DeadLettersAsync()).Where(queue => queue.Value > 0).Should().BeEmpty("no message is dead-lettered");
    }

    private static async Task OutageDuringLoadAsync(Network network, IEnumerable<TcpProxy> links)
    {
        var partner = await Member.JoinAsync(network, "Association Passerelles Rabat", "MA", "origin-partner");
        var receiver = await Member.JoinAsync(network, "Jugendmigrationsdienst Mainz", "DE", "receiving-service", Member.MainzYouthService(maxOpen: 10_000));
        // Both known and active where the journeys need them, before the load starts.
        await Eventually.UntilCount(
            () => network.CounsellingDatabase.CountAsync($"SELECT count(*) FROM known_organisations WHERE id = '{receiver.Id}'"), 1, "Counselling to know the receiver");
        await Eventually.UntilCount(
            () => network.HandoversDatabase.CountAsync(
                $"SELECT count(*) FROM access.organisation_access WHERE status = 'active' AND organisation_id IN ('{partner.Id}', '{receiver.Id}')"),
            2,
            "Handovers to know both active");
        await using var load = JourneyLoad.Start(network, partner, receiver, workers: 4);
        await load.UntilCompletedAsync(4);

        foreach (var link in links)
        {
            link.Cut();
        }

        await Task.Delay(Outage); // the outage lasts: not a wait for an event
        foreach (var link in links)
        {
            link.Restore();
        }

        await load.UntilCompletedAsync(load.Completed.Count + 4);
        await load.StopAsync();

        load.Failures.Should().BeEmpty("a careful client meets only 503 while a dependency is away, never a 500");
        var journeys = load.Completed.ToList();
        await Eventually.Until(
            async () => new
            {
                InHandovers = await network.HandoversDatabase.CountAsync(
                    $"SELECT count(*) FROM handover_tickets WHERE status = 'InContact' AND id IN ({Ids(journeys.Select(j => j.HandoverId))})"),
                OnTheCases = await network.CounsellingDatabase.CountAsync(
                    $"SELECT count(*) FROM case_handovers WHERE status = 'in-contact' AND handover_id IN ({Ids(journeys.Select(j => j.HandoverId))})"),
                InTheLoad = await network.PartnersDatabase.CountAsync(
                    $"SELECT count(*) FROM receiver_handovers WHERE open AND handover_id IN ({Ids(journeys.Select(j => j.HandoverId))})"),
            },
            seen => seen.InHandovers == journeys.Count && seen.OnTheCases == journeys.Count && seen.InTheLoad == journeys.Count,
            $"all {journeys.Count} acknowledged journeys to show in the three services",
            Settled);

        // Nothing twice: one case per journey (the repeats of a lost answer included), one ticket per case.
        (await network.CounsellingDatabase.CountAsync($"SELECT count(*) FROM cases WHERE owner_organisation_id = '{partner.Id}'")).Should().Be(journeys.Count);
        (await network.HandoversDatabase.CountAsync("SELECT count(*) FROM (SELECT case_id FROM handover_tickets GROUP BY case_id HAVING count(*) > 1) twice"))
            .Should().Be(0);
        (await network.VirtualHost.DeadLettersAsync()).Where(queue => queue.Value > 0).Should().BeEmpty("no message is dead-lettered");
        foreach (var database in new[] { network.PartnersDatabase, network.CounsellingDatabase, network.HandoversDatabase })
        {
            (await database.CountAsync("SELECT count(*) FROM messaging.outbox_messages WHERE quarantined_at IS NOT NULL")).Should().Be(0);
        }
    }

    private static string Ids(IEnumerable<Guid> ids) => string.Join(", ", ids.Select(id => $"'{id}'"));
}
