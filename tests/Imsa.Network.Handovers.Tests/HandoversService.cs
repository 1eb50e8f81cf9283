using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Contracts.Partners;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Handovers.Tests;

/// <summary>
/// The Handovers service with a clock tests can move. Organisations, cases and consents reach it as they do in
/// production: as events from Partners and Counselling, published here on its broker.
/// </summary>
public class HandoversService : ServiceFixture<Program>
{
    public ShiftedTimeProvider Time { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Time);

    public Task PublishAsync<T>(T message, Guid? messageId = null)
        where T : class =>
        Factory.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId ?? NewId.NextGuid());

    /// <summary>A registered organisation, verified (active) unless told otherwise.</summary>
    public async Task<Organisation> OrganisationAsync(string kind, bool verified = true)
    {
        var organisation = new Organisation(Guid.NewGuid(), kind);
        await PublishAsync(new OrganisationRegistered(organisation.Id, kind, kind == "receiving-service" ? "DE" : "MA", "pending-verification", DateTimeOffset.UtcNow));
        await Eventually.UntilCount(() => Database.CountAsync($"SELECT count(*) FROM known_organisations WHERE id = '{organisation.Id}'"), 1, "the organisation to be known");
        if (verified)
        {
            await PublishAsync(new OrganisationVerified(organisation.Id, 1, DateTimeOffset.UtcNow));
            await Eventually.UntilCount(
                () => Database.CountAsync($"SELECT count(*) FROM access.organisation_access WHERE organisation_id = '{organisation.Id}' AND status = 'active'"),
                1,
                "the organisation to be active");
        }

        return organisation;
    }

    public async Task<Guid> CaseAsync(Organisation owner, string purpose = "vocational-training", string state = "DE-RP", Guid? id = null)
    {
        var caseId = id ?? Guid.NewGuid();
        await PublishAsync(new CaseOpened(caseId, owner.Id, purpose, state, null, TestDates.Arrival, DateTimeOffset.UtcNow));
        await Eventually.UntilCount(() => Database.CountAsync($"SELECT count(*) FROM case_owners WHERE case_id = '{caseId}'"), 1, "the case to be known");
        return caseId;
    }

    public async Task<Guid> ConsentAsync(Guid caseId, Organisation owner, params Organisation[] recipients)
    {
        var consentId = Guid.NewGuid();
        var now = Time.GetUtcNow();
        await PublishAsync(new ConsentGranted(
            consentId, caseId, owner.Id, recipients.Select(r => r.Id).ToList(), ["identity", "contact"], "continuation-of-counselling", now.AddMinutes(-1), now.AddYears(1), now));
        await Eventually.UntilCount(() => Database.CountAsync($"SELECT count(*) FROM consent_coverage WHERE consent_id = '{consentId}' AND granted"), 1, "the consent to be known");
        return consentId;
    }

    public Task<HttpResponseMessage> SendAsync(Organisation caller, HttpMethod method, string uri, object? body = null, string? idempotencyKey = null) =>
        Client.SendAsAsync(caller.Token, method, uri, body, idempotencyKey);

    public async Task<JsonObject> RequestAsync(Organisation origin, Guid caseId, Organisation receiver)
    {
        var response = await SendAsync(origin, HttpMethod.Post, "/handovers", new
        {
            caseId,
            receiverOrganisationId = receiver.Id,
            topics = new[] { "EDU", "LANG" },
            plannedArrival = TestDates.ArrivalText,
            message = "Starts an apprenticeship in April.",
        });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<JsonObject> ReadAsync(Organisation caller, string handoverId) =>
        (await (await SendAsync(caller, HttpMethod.Get, $"/handovers/{handoverId}")).Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>Waits until the ticket reaches the status (after events were consumed).</summary>
    public Task<long> StatusAsync(string handoverId, string status) =>
        Eventually.UntilCount(
            () => Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE id = '{handoverId}' AND status = '{status}'"), 1, $"the handover to be {status}");
}

public sealed record Organisation(Guid Id, string Kind)
{
    public string Token { get; } = TestIdentity.MintToken(
        Id, Kind, Kind switch { "receiving-service" => "receiving-service", "coordinator" => "coordinator", _ => "partner" });
}

/// <summary>An origin partner, a receiving service, a case of the partner's and a consent naming the receiver.</summary>
public sealed record Scene(Organisation Origin, Organisation Receiver, Guid CaseId, Guid ConsentId)
{
    public static async Task<Scene> SetUpAsync(HandoversService service)
    {
        var origin = await service.OrganisationAsync("origin-partner");
        var receiver = await service.OrganisationAsync("receiving-service");
        var caseId = await service.CaseAsync(origin);
        var consentId = await service.ConsentAsync(caseId, origin, receiver);
        return new Scene(origin, receiver, caseId, consentId);
    }
}
