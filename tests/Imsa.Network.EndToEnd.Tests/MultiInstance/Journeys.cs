using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.EndToEnd.Tests.MultiInstance;

/// <summary>The multi-instance tests' parties, journeys and their checks: every journey complete, and nothing in it twice.</summary>
internal static class Journeys
{
    /// <summary>Most open handovers the suite's receivers allow: the load never reaches it.</summary>
    public const int MaxOpen = 500;

    /// <summary>An origin partner and a receiving service in Mainz, both known and active in every service before anything is asked of them.</summary>
    public static async Task<(Member Partner, Member Receiver)> PartiesAsync(InstanceNetwork network, string name)
    {
        var partner = await Member.JoinAsync(network, $"{name} Rabat", "MA", "origin-partner");
        var receiver = await Member.JoinAsync(network, $"{name} Mainz", "DE", "receiving-service", Member.MainzYouthService(maxOpen: MaxOpen));
        await Eventually.UntilCount(
            () => network.CounsellingDatabase.CountAsync($"SELECT count(*) FROM known_organisations WHERE id = '{receiver.Id}'"), 1, "Counselling to know the receiver");
        foreach (var database in new[] { network.PartnersDatabase, network.CounsellingDatabase, network.HandoversDatabase })
        {
            await Eventually.UntilCount(
                () => database.CountAsync(
                    $"SELECT count(*) FROM access.organisation_access WHERE status = 'active' AND organisation_id IN ('{partner.Id}', '{receiver.Id}')"),
                2,
                $"{database.Name} to know both active");
        }

        return (partner, receiver);
    }

    /// <summary>A case with a consent naming the receiver, and a handover of it requested; answers the case, the handover and the consent's withdrawal code.</summary>
    public static async Task<(Guid CaseId, Guid HandoverId, string WithdrawalCode)> RequestedAsync(InstanceNetwork network, Member partner, Member receiver)
    {
        var opened = await partner.SendAsync(network.Counselling, HttpMethod.Post, "/cases", Samples.Case());
        opened.StatusCode.Should().Be(HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
        var caseId = (Guid)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var consent = await partner.SendAsync(network.Counselling, HttpMethod.Post, $"/cases/{caseId}/consents", Samples.Consent(receiver.Id));
        consent.StatusCode.Should().Be(HttpStatusCode.Created, await consent.Content.ReadAsStringAsync());
        var code = (string)(await consent.Content.ReadFromJsonAsync<JsonObject>())!["receipt"]!["withdrawal"]!["code"]!;
        var requested = await partner.SendAsync(network.Handovers, HttpMethod.Post, "/handovers",
            new { caseId, receiverOrganisationId = receiver.Id, topics = new[] { "EDU" }, plannedArrival = TestDates.ArrivalText });
        requested.StatusCode.Should().Be(HttpStatusCode.Created, await requested.Content.ReadAsStringAsync());
        return (caseId, (Guid)(await requested.Content.ReadFromJsonAsync<JsonObject>())!["id"]!, code);
    }

    /// <summary>The handover's status as its origin partner reads it.</summary>
    public static async Task<string?> StatusAsync(HttpClient handovers, Member reader, Guid handoverId) =>
        (string?)(await reader.ReadAsync(handovers, $"/handovers/{handoverId}"))["status"];

    /// <summary>
    /// Every journey shows complete in the three services within <paramref name="settled"/>, and nothing is there twice:
    /// one case per journey, one ticket per case, no step twice on any ticket's timeline, the receiver's load in matching
    /// the true count on every Partners instance; then every outbox drains and nothing is dead-lettered.
    /// </summary>
    public static async Task ShouldBeCompleteOnceAsync(InstanceNetwork network, Member partner, Member receiver, IReadOnlyCollection<CompletedJourney> journeys, TimeSpan settled)
    {
        var handovers = Ids(journeys.Select(j => j.HandoverId));
        await Eventually.Until(
            async () => new
            {
                InHandovers = await network.HandoversDatabase.CountAsync($"SELECT count(*) FROM handover_tickets WHERE status = 'InContact' AND id IN ({handovers})"),
                OnTheCases = await network.CounsellingDatabase.CountAsync($"SELECT count(*) FROM case_handovers WHERE status = 'in-contact' AND handover_id IN ({handovers})"),
                InTheLoad = await network.PartnersDatabase.CountAsync($"SELECT count(*) FROM receiver_handovers WHERE open AND handover_id IN ({handovers})"),
            },
            seen => seen.InHandovers == journeys.Count && seen.OnTheCases == journeys.Count && seen.InTheLoad == journeys.Count,
            $"all {journeys.Count} journeys to show complete in the three services",
            settled);

        // Nothing twice: one case per journey (the repeats of a lost answer included), one ticket per case and per journey.
        (await network.CounsellingDatabase.CountAsync($"SELECT count(*) FROM cases WHERE owner_organisation_id = '{partner.Id}'"))
            .Should().Be(journeys.Count, "one case per journey");
        (await network.HandoversDatabase.CountAsync($"SELECT count(*) FROM handover_tickets WHERE origin_organisation_id = '{partner.Id}'"))
            .Should().Be(journeys.Count, "one ticket per journey");
        (await network.HandoversDatabase.CountAsync(
            $"SELECT count(*) FROM (SELECT case_id FROM handover_tickets WHERE origin_organisation_id = '{partner.Id}' GROUP BY case_id HAVING count(*) > 1) twice"))
            .Should().Be(0, "one ticket per case");
        (await network.HandoversDatabase.CountAsync(
            $"SELECT count(*) FROM (SELECT ticket_id, action FROM handover_timeline WHERE ticket_id IN ({handovers}) GROUP BY 1, 2 HAVING count(*) > 1) twice"))
            .Should().Be(0, "no step twice on a ticket's timeline (an escalation by both instances' SLA jobs, say)");
        (await network.PartnersDatabase.CountAsync($"SELECT count(*) FROM receiver_handovers WHERE receiver_organisation_id = '{receiver.Id}'"))
            .Should().Be(journeys.Count, "Partners counts each of the receiver's handovers once");

        // The load matching reports is the true count, on each instance still running (each keeps its own snapshot of
        // the counts).
        for (var instance = 0; instance < InstanceNetwork.Replicas; instance++)
        {
            if (!network.Instances("partners")[instance].Running)
            {
                continue;
            }

            var partners = network.Direct("partners", instance);
            await Eventually.Until(
                () => LoadReasonAsync(partners, partner, receiver),
                reason => reason == $"{journeys.Count} of {MaxOpen} handovers open",
                $"partners-{instance + 1} to report the receiver's true load",
                TimeSpan.FromSeconds(40));
        }

        await OutboxesDrainedAsync(network);
        (await network.VirtualHost.DeadLettersAsync()).Where(queue => queue.Value > 0).Should().BeEmpty("no message is dead-lettered");
    }

    /// <summary>Every service's outbox empties: everything written was published, nothing quarantined.</summary>
    public static async Task OutboxesDrainedAsync(InstanceNetwork network)
    {
        foreach (var service in InstanceNetwork.ServiceNames)
        {
            await Eventually.UntilCount(() => network.Database(service).CountAsync("SELECT count(*) FROM messaging.outbox_messages"), 0, $"{service}' outbox to drain");
        }
    }

    /// <summary>The reason matching gives about the receiver's load ("3 of 500 handovers open"), asked of one Partners instance.</summary>
    public static async Task<string?> LoadReasonAsync(HttpClient partners, Member asker, Member receiver)
    {
        var response = await asker.SendAsync(partners, HttpMethod.Post, "/directory/matches", new { postalCode = "55116", age = 19, purpose = "vocational-training" });
        var matches = (await response.Content.ReadFromJsonAsync<JsonObject>())!["matches"]!.AsArray();
        return matches.Where(m => (Guid)m!["organisationId"]! == receiver.Id)
            .SelectMany(m => m!["reasons"]!.AsArray().Select(r => (string?)r))
            .FirstOrDefault(r => r!.EndsWith("handovers open", StringComparison.Ordinal));
    }

    public static string Ids(IEnumerable<Guid> ids) => string.Join(", ", ids.Select(id => $"'{id}'"));
}
