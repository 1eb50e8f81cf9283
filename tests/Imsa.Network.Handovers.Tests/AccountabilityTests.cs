using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.Handovers.Tests;

/// <summary>Who of an organisation took each step of a handover, as each party sees it.</summary>
public sealed class AccountabilityTests(HandoversService service) : IClassFixture<HandoversService>
{
    private async Task<JsonObject> SendAsync(string token, HttpMethod method, string uri, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await service.Client.SendAsAsync(token, method, uri, body);
        response.StatusCode.Should().Be(expected, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task Timeline_RecordsThePerson_ShownByIdToTheirOwnOrganisation_AndAsAStableReferenceToTheOtherParty()
    {
        var scene = await Scene.SetUpAsync(service);
        var counsellor = Guid.NewGuid();
        var receiverCounsellor = Guid.NewGuid();
        var originToken = TestIdentity.MintPersonToken(scene.Origin.Id, counsellor);
        var receiverToken = TestIdentity.MintPersonToken(scene.Receiver.Id, receiverCounsellor, "receiving-service");

        var requested = await SendAsync(originToken, HttpMethod.Post, "/handovers", new
        {
            caseId = scene.CaseId,
            receiverOrganisationId = scene.Receiver.Id,
            topics = new[] { "EDU" },
            plannedArrival = TestDates.ArrivalText,
        }, HttpStatusCode.Created);
        var id = (string)requested["id"]!;
        await SendAsync(receiverToken, HttpMethod.Post, $"/handovers/{id}/accept");

        (await service.Database.CountAsync(
            $"SELECT count(*) FROM handover_timeline WHERE ticket_id = '{id}' AND action = 'requested' AND actor_person_id = '{counsellor}' AND actor_client_id = 'imsa-web'"))
            .Should().Be(1);

        var asOrigin = await service.ReadAsync(scene.Origin, id);
        var originTimeline = asOrigin["timeline"]!.AsArray().ToDictionary(e => (string)e!["action"]!);
        ((string?)originTimeline["requested"]!["actorPersonId"]).Should().Be(counsellor.ToString(), "the origin sees its own person");
        ((string?)originTimeline["accepted"]!["actorPersonId"]).Should().BeNull("the receiver's person is not named to the origin");
        var acceptedBy = (string?)originTimeline["accepted"]!["actorReference"];
        acceptedBy.Should().StartWith("reader-");
        asOrigin.ToJsonString().Should().NotContain(receiverCounsellor.ToString());

        var asReceiver = await service.ReadAsync(scene.Receiver, id);
        var receiverTimeline = asReceiver["timeline"]!.AsArray().ToDictionary(e => (string)e!["action"]!);
        ((string?)receiverTimeline["accepted"]!["actorPersonId"]).Should().Be(receiverCounsellor.ToString());
        ((string?)receiverTimeline["requested"]!["actorReference"]).Should().StartWith("reader-").And.NotBe(acceptedBy, "two people, two references");
        asReceiver.ToJsonString().Should().NotContain(counsellor.ToString());
        ((string?)receiverTimeline["offered"]!["actorReference"]).Should().BeNull("the service's own step has no person");

        // The same person, on another handover: the same reference.
        var otherCase = await service.CaseAsync(scene.Origin);
        await service.ConsentAsync(otherCase, scene.Origin, scene.Receiver);
        var second = await SendAsync(receiverToken, HttpMethod.Post, $"/handovers/{(string)(await service.RequestAsync(scene.Origin, otherCase, scene.Receiver))["id"]!}/accept");
        second["timeline"]!.AsArray().Single(e => (string?)e!["action"] == "accepted")!["actorPersonId"]!.GetValue<string>().Should().Be(receiverCounsellor.ToString());
        var secondAsOrigin = await service.ReadAsync(scene.Origin, (string)second["id"]!);
        ((string?)secondAsOrigin["timeline"]!.AsArray().Single(e => (string?)e!["action"] == "accepted")!["actorReference"]).Should().Be(acceptedBy);
    }

    [Fact]
    public async Task AStep_ThroughAPerson_LeavesAnActivityRow_ThatTheOtherPartyDoesNotSee()
    {
        var scene = await Scene.SetUpAsync(service);
        var counsellor = Guid.NewGuid();
        var requested = await SendAsync(TestIdentity.MintPersonToken(scene.Origin.Id, counsellor), HttpMethod.Post, "/handovers", new
        {
            caseId = scene.CaseId,
            receiverOrganisationId = scene.Receiver.Id,
        }, HttpStatusCode.Created);

        var activity = await SendAsync(TestIdentity.MintPersonToken(scene.Origin.Id, Guid.NewGuid(), personRole: "organisation-admin"), HttpMethod.Get, "/activity");
        var entry = activity["items"]!.AsArray().Single()!;
        ((string?)entry["personId"]).Should().Be(counsellor.ToString());
        ((string?)entry["endpoint"]).Should().Be("POST /handovers");
        entry["changes"]!.AsArray().Select(c => (string?)c).Should().Contain($"HandoverTicket:{(string)requested["id"]!}");

        (await SendAsync(scene.Receiver.Token, HttpMethod.Get, "/activity"))["items"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public void APseudonymousReference_IsStablePerViewer_AndDiffersBetweenViewers_SoOrganisationsCannotJoinTheirNotes()
    {
        var pseudonyms = service.Factory.Services.GetRequiredService<Imsa.Network.Access.Pseudonyms>();
        Guid person = Guid.NewGuid(), colleague = Guid.NewGuid(), origin = Guid.NewGuid(), anotherOrigin = Guid.NewGuid();

        pseudonyms.Of(person, origin).Should().Be(pseudonyms.Of(person, origin)).And.StartWith("reader-");
        pseudonyms.Of(person, origin).Should().NotBe(pseudonyms.Of(colleague, origin));
        pseudonyms.Of(person, origin).Should().NotBe(pseudonyms.Of(person, anotherOrigin));
        pseudonyms.Of(person, origin).Should().NotContain(person.ToString("N")[..8]);
    }
}
