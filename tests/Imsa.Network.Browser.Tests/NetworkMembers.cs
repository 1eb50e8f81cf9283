using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.Browser.Tests;

/// <summary>An organisation of the shared network, with its own API client's token.</summary>
public sealed record Member(Guid Id, string Token);

/// <summary>
/// Organisations as the tests make them, each their own (the browser tests share one network): set up through the
/// APIs, as the organisations' own systems would, so that the browser walks only the steps a test is about.
/// </summary>
public static class NetworkMembers
{
    /// <summary>A verified partner organisation abroad.</summary>
    public static async Task<Member> PartnerAbroadAsync(this WebSite site, string? name = null)
    {
        var coordinator = await site.Partners.GetCoordinatorTokenAsync();
        var organisation = await site.Partners.RegisterOrganisationAsync(coordinator, name: name);
        return await VerifiedAsync(site, coordinator, organisation);
    }

    /// <summary>A verified receiving service for young people in Mainz (district 07315), counselling in German and Arabic, accepting cases.</summary>
    public static async Task<Member> ReceivingServiceAsync(this WebSite site, string name)
    {
        var coordinator = await site.Partners.GetCoordinatorTokenAsync();
        var created = await site.Partners.SendAsAsync(coordinator, HttpMethod.Post, "/organisations", new { name, country = "DE", kind = "receiving-service" });
        created.EnsureSuccessStatusCode();
        var member = await VerifiedAsync(site, coordinator, (Guid)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
        (await site.Partners.SendAsAsync(member.Token, HttpMethod.Put, $"/organisations/{member.Id}/profile", new
        {
            languages = new[] { "de", "ar" },
            topics = new[] { "EDU", "LANG", "REC", "WORK" },
            receiving = new
            {
                serviceTypes = new[] { "JMD" },
                area = new { districts = new[] { "07315" } },
                eligibility = new { minAge = 12, maxAge = 26 },
                capacity = new { accepting = true, maxOpenHandovers = 20 },
            },
        })).EnsureSuccessStatusCode();
        return member;
    }

    /// <summary>
    /// Counselling and Handovers learn of organisations from Partners' events: waits until Counselling opens a case
    /// for the partner and records a consent naming the receivers, and returns that case.
    /// </summary>
    public static async Task<string> CaseWithConsentAsync(this WebSite site, Member partner, params Guid[] receivers)
    {
        var opened = await Eventually.Until(
            () => site.Counselling.SendAsAsync(partner.Token, HttpMethod.Post, "/cases", new
            {
                identity = new { givenNames = "Karim", familyName = "Example", dateOfBirth = "2006-01-10", nationalities = new[] { "MA" } },
                migrationPlan = new { purpose = "vocational-training", plannedArrival = TestDates.ArrivalText, destinationPostalCode = "55116" },
            }),
            response => response.StatusCode == HttpStatusCode.Created,
            "Counselling to open a case for the new organisation");
        var caseId = (string)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await Eventually.Until(
            () => site.Counselling.SendAsAsync(partner.Token, HttpMethod.Post, $"/cases/{caseId}/consents", new
            {
                recipients = receivers,
                categories = new[] { "identity", "migration-plan" },
                method = "signed-form",
                obtainedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
                textLanguage = "en",
                textVersion = "1",
                validUntil = DateTimeOffset.UtcNow.AddYears(1),
            }),
            response => response.StatusCode == HttpStatusCode.Created,
            "Counselling to know the receiving services");
        return caseId;
    }

    /// <summary>
    /// A partner's case system requests a handover and waits until it is offered: a request made while the case and its
    /// consent are still on their way to Handovers waits for them there. Answers the handover's id.
    /// </summary>
    public static async Task<string> RequestOfferedHandoverAsync(this WebSite site, string partnerToken, object request)
    {
        ArgumentNullException.ThrowIfNull(site);
        var requested = await site.Handovers.SendAsAsync(partnerToken, HttpMethod.Post, "/handovers", request);
        requested.StatusCode.Should().Be(HttpStatusCode.Created, await requested.Content.ReadAsStringAsync());
        var id = (string)(await requested.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await Eventually.Until(
            async () => (await (await site.Handovers.SendAsAsync(partnerToken, HttpMethod.Get, $"/handovers/{id}")).Content.ReadFromJsonAsync<JsonObject>())!,
            handover => (string?)handover["status"] == "offered",
            "the handover to be offered");
        return id;
    }

    /// <summary>The partner's case system requests the handover of the case to <paramref name="receiver"/> and waits until it is offered.</summary>
    public static async Task<string> RequestHandoverAsync(this WebSite site, Member partner, string caseId, Guid receiver)
    {
        var id = await site.RequestOfferedHandoverAsync(partner.Token, new { caseId, receiverOrganisationId = receiver, topics = new[] { "EDU" }, plannedArrival = TestDates.ArrivalText });
        return id;
    }

    /// <summary>A person of the coordination office, invited with the coordinator's token, enrolled with password and authenticator.</summary>
    public static async Task<TestPerson> CoordinatorPersonAsync(this WebSite site)
    {
        var coordinator = await site.Partners.GetCoordinatorTokenAsync();
        var me = (await (await site.Partners.SendAsAsync(coordinator, HttpMethod.Get, "/me")).Content.ReadFromJsonAsync<JsonObject>())!;
        return await site.Partners.EnrolPersonAsync(coordinator, Guid.Parse((string)me["organisationId"]!), role: "coordinator", displayName: "Carla Koordination");
    }

    /// <summary>A name no other test uses, for a service a test finds among the network's.</summary>
    public static string Unique(string name) => $"{name} {Guid.NewGuid().ToString("N")[..6]}";

    private static async Task<Member> VerifiedAsync(WebSite site, string coordinator, Guid organisation)
    {
        var client = await site.Partners.OnboardAsync(coordinator, organisation);
        (await site.Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{organisation}/verify")).EnsureSuccessStatusCode();
        return new Member(organisation, await site.Partners.GetTokenAsync(client.ClientId, client.ClientSecret));
    }
}
