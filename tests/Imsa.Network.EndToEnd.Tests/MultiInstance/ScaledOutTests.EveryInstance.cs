using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.EndToEnd.Tests.MultiInstance;

/// <summary>
/// A change made through one instance takes effect on every instance within seconds: each is asked directly, not
/// through the gateway, so none can hide behind the other.
/// </summary>
public sealed partial class ScaledOutTests
{
    /// <summary>The projection's event and the access check's cache (Identity:RevocationCacheDuration, 2 s).</summary>
    private static readonly TimeSpan WithinSeconds = TimeSpan.FromSeconds(10);

    [Fact]
    public Task ASuspendedOrganisation_IsRefusedByBothInstancesOfEveryService_WithinSeconds() => _network.ExplainAsync(async () =>
    {
        var (member, bystander) = await Journeys.PartiesAsync(_network, "Suspension");
        (await EveryInstanceAsync(member.Token, "/me")).Should().OnlyContain(s => s.Value == HttpStatusCode.OK, "the member is active");

        var coordinator = await _network.Partners.GetCoordinatorTokenAsync();
        (await _network.Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{member.Id}/suspend?reason=multi-instance%20test"))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        await Eventually.Until(
            () => EveryInstanceAsync(member.Token, "/me"),
            answers => answers.All(a => a.Value == HttpStatusCode.Unauthorized),
            "every instance of every service to refuse the suspended organisation's token",
            WithinSeconds);
        (await EveryInstanceAsync(bystander.Token, "/me")).Should().OnlyContain(s => s.Value == HttpStatusCode.OK, "another organisation is not affected");
    });

    [Fact]
    public Task ADeactivatedPerson_IsRefusedByBothInstancesOfEveryService_WithinSeconds() => _network.ExplainAsync(async () =>
    {
        var (organisation, _) = await Journeys.PartiesAsync(_network, "Deactivation");
        // Invited, enrolled and confirmed through the gateway: the steps may each land on another Partners instance.
        var person = await _network.Partners.EnrolPersonAsync(organisation.Token, organisation.Id);
        var personToken = TestIdentity.MintPersonToken(organisation.Id, person.Id);
        (await EveryInstanceAsync(personToken, "/me")).Should().OnlyContain(s => s.Value == HttpStatusCode.OK, "the person is active");

        (await organisation.SendAsync(_network.Partners, HttpMethod.Post, $"/organisations/{organisation.Id}/people/{person.Id}/deactivate"))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        await Eventually.Until(
            () => EveryInstanceAsync(personToken, "/me"),
            answers => answers.All(a => a.Value == HttpStatusCode.Unauthorized),
            "every instance of every service to refuse the deactivated person's token",
            WithinSeconds);
        (await EveryInstanceAsync(organisation.Token, "/me")).Should().OnlyContain(s => s.Value == HttpStatusCode.OK, "the organisation's own client is not affected");
    });

    [Fact]
    public Task AWithdrawnConsent_EndsTheDossierAndTheHandoverOnBothInstances_WithinSeconds() => _network.ExplainAsync(async () =>
    {
        var (partner, receiver) = await Journeys.PartiesAsync(_network, "Withdrawal");
        var (caseId, handoverId, code) = await Journeys.RequestedAsync(_network, partner, receiver);
        // Offered, and at once escalated (every offer is due at once here): accepted after that, it cannot lose a race to the SLA job.
        await Eventually.Until(
            () => Journeys.StatusAsync(_network.Handovers, partner, handoverId), s => s == "escalated", "the handover to be offered and escalated");
        (await receiver.SendAsync(_network.Handovers, HttpMethod.Post, $"/handovers/{handoverId}/accept")).StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.Until(
            () => OnEachAsync("counselling", receiver.Token, $"/cases/{caseId}/dossier"),
            answers => answers.All(a => a == HttpStatusCode.OK),
            "the dossier to open on both Counselling instances");

        (await _network.Counselling.PostAsJsonAsync("/consent-withdrawals", new { code })).StatusCode.Should().Be(HttpStatusCode.OK);

        await Eventually.Until(
            () => OnEachAsync("counselling", receiver.Token, $"/cases/{caseId}/dossier"),
            answers => answers.All(a => a == HttpStatusCode.Forbidden),
            "both Counselling instances to refuse the dossier",
            WithinSeconds);
        for (var instance = 0; instance < InstanceNetwork.Replicas; instance++)
        {
            var handovers = _network.Direct("handovers", instance);
            await Eventually.Until(
                () => Journeys.StatusAsync(handovers, receiver, handoverId), s => s == "revoked", $"handovers-{instance + 1} to show the handover revoked", WithinSeconds);
            (await receiver.SendAsync(handovers, HttpMethod.Post, $"/handovers/{handoverId}/outcomes",
                new { outcome = "first-contact-made", occurredOn = DateOnly.FromDateTime(DateTime.UtcNow) })).StatusCode
                .Should().Be(HttpStatusCode.Conflict, $"handovers-{instance + 1} refuses a step of the revoked handover");
        }
    });

    [Fact]
    public Task AProfileChange_IsAnsweredAlikeByBothPartnersInstances_WithinSeconds() => _network.ExplainAsync(async () =>
    {
        var (asker, receiver) = await Journeys.PartiesAsync(_network, "Directory");
        // The receiver starts to counsel on housing (HOUS), and to serve Wiesbaden (06414) besides Mainz.
        const string Search = "/directory/services?district=06414&topic=HOUS&limit=500";
        (await SearchOnEachAsync(asker, Search)).Should().OnlyContain(found => !found.Contains(receiver.Id), "the receiver is not there yet");

        var changed = await receiver.SendAsync(_network.Partners, HttpMethod.Put, $"/organisations/{receiver.Id}/profile", new
        {
            languages = new[] { "de", "ar" },
            topics = new[] { "EDU", "LANG", "HOUS" },
            receiving = new
            {
                serviceTypes = new[] { "JMD" },
                area = new { districts = new[] { "07315", "06414" } },
                eligibility = new { minAge = 12, maxAge = 26 },
                capacity = new { accepting = true, maxOpenHandovers = Journeys.MaxOpen },
            },
        });
        changed.StatusCode.Should().Be(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());

        var answers = await Eventually.Until(
            () => SearchOnEachAsync(asker, Search),
            found => found.All(ids => ids.Contains(receiver.Id)),
            "both Partners instances to find the receiver by its new district and topic",
            WithinSeconds);
        answers[1].Should().Equal(answers[0], "both instances answer the same search alike");
        var bodies = new List<string>();
        for (var instance = 0; instance < InstanceNetwork.Replicas; instance++)
        {
            bodies.Add(await (await asker.SendAsync(_network.Direct("partners", instance), HttpMethod.Get, Search)).Content.ReadAsStringAsync());
        }

        bodies[1].Should().Be(bodies[0], "the same answer, word for word");
    });

    /// <summary>The answer of each instance of each service to a GET with <paramref name="token"/>, by instance name.</summary>
    private async Task<Dictionary<string, HttpStatusCode>> EveryInstanceAsync(string token, string path)
    {
        var answers = new Dictionary<string, HttpStatusCode>();
        foreach (var service in InstanceNetwork.ServiceNames)
        {
            var statuses = await OnEachAsync(service, token, path);
            for (var i = 0; i < statuses.Count; i++)
            {
                answers[$"{service}-{i + 1}"] = statuses[i];
            }
        }

        return answers;
    }

    private async Task<List<HttpStatusCode>> OnEachAsync(string service, string token, string path)
    {
        var statuses = new List<HttpStatusCode>();
        for (var instance = 0; instance < InstanceNetwork.Replicas; instance++)
        {
            using var response = await _network.Direct(service, instance).SendAsAsync(token, HttpMethod.Get, path);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    /// <summary>The organisations each Partners instance finds, in the order it answers them.</summary>
    private async Task<List<List<Guid>>> SearchOnEachAsync(Member asker, string search)
    {
        var found = new List<List<Guid>>();
        for (var instance = 0; instance < InstanceNetwork.Replicas; instance++)
        {
            var page = await asker.ReadAsync(_network.Direct("partners", instance), search);
            found.Add([.. page["items"]!.AsArray().Select(item => (Guid)item!["organisationId"]!)]);
        }

        return found;
    }
}
