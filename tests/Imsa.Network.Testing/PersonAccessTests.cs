using System.Net;
using Imsa.Network.Contracts.Partners;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Imsa.Network.Testing;

/// <summary>
/// How every service treats people's tokens, run against each service by deriving from this class: a person's role
/// within the organisation, and a deactivation heard on the broker.
/// </summary>
public abstract class PersonAccessTests<TProgram>(ServiceFixture<TProgram> service)
    where TProgram : class
{
    /// <summary>A GET of the service's case work that an origin partner's counsellor or API client is answered 200.</summary>
    protected abstract string CaseWorkProbe { get; }

    [Fact]
    public async Task AnOrganisationAdminPerson_Gets403OnCaseWork_ACounsellorAndAnApiClientPass()
    {
        var organisation = Guid.NewGuid();
        var admin = TestIdentity.MintPersonToken(organisation, Guid.NewGuid(), personRole: "organisation-admin");
        var counsellor = TestIdentity.MintPersonToken(organisation, Guid.NewGuid(), personRole: "counsellor");
        var client = TestIdentity.MintToken(organisation);

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(admin, CaseWorkProbe));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(counsellor, CaseWorkProbe));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, CaseWorkProbe));

        // The organisation's own records are an admin's: a counsellor gets 403 there.
        Assert.Equal(HttpStatusCode.OK, await GetAsync(admin, "/activity"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(counsellor, "/activity"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, "/activity"));
    }

    [Fact]
    public async Task PersonDeactivated_OnTheBroker_RefusesThatPersonsToken_WithinSeconds_NotAColleagues()
    {
        var organisation = Guid.NewGuid();
        var leaver = Guid.NewGuid();
        var leaverToken = TestIdentity.MintPersonToken(organisation, leaver);
        var colleagueToken = TestIdentity.MintPersonToken(organisation, Guid.NewGuid());
        Assert.Equal(HttpStatusCode.OK, await GetAsync(leaverToken, CaseWorkProbe));

        await PublishAsync(new PersonDeactivated(organisation, leaver, DateTimeOffset.UtcNow), NewId.NextGuid());

        await Eventually.Until(
            () => GetAsync(leaverToken, CaseWorkProbe), status => status == HttpStatusCode.Unauthorized, "the deactivated person's token to be refused",
            TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(colleagueToken, CaseWorkProbe));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(TestIdentity.MintToken(organisation), CaseWorkProbe));
    }

    [Fact]
    public async Task PersonDeactivated_DeliveredTwice_IsProjectedOnce()
    {
        var organisation = Guid.NewGuid();
        var person = Guid.NewGuid();
        var first = NewId.NextGuid();
        var again = NewId.NextGuid();
        var deactivated = new PersonDeactivated(organisation, person, new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

        await PublishAsync(deactivated, first);
        await PublishAsync(deactivated, first);
        // The same fact under another message id (a replay from Partners' outbox quarantine, say): no second row, no failure.
        await PublishAsync(deactivated with { At = deactivated.At.AddMinutes(1) }, again);

        await Eventually.UntilCount(
            () => service.Database.CountAsync(
                $"SELECT count(*) FROM messaging.inbox_messages WHERE consumer = 'OrganisationAccessConsumer' AND message_id IN ('{first}', '{again}')"),
            2,
            "both messages to be consumed");
        Assert.Equal(1, await service.Database.CountAsync($"SELECT count(*) FROM access.deactivated_people WHERE person_id = '{person}'"));
        // The first deactivation stands.
        Assert.Equal(1, await service.Database.CountAsync(
            $"SELECT count(*) FROM access.deactivated_people WHERE person_id = '{person}' AND deactivated_at = '2026-11-30T12:00:00Z'"));
    }

    private async Task<HttpStatusCode> GetAsync(string token, string uri)
    {
        using var response = await service.Client.SendAsAsync(token, HttpMethod.Get, uri);
        return response.StatusCode;
    }

    private Task PublishAsync<T>(T message, Guid messageId)
        where T : class =>
        service.Factory.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId);
}
