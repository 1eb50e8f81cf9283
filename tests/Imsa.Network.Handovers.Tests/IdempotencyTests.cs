using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Partners;

namespace Imsa.Network.Handovers.Tests;

/// <summary>A client that lost an answer asks again, and the change happens once.</summary>
public sealed class IdempotencyTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task ARequestSentTwiceUnderOneKey_OpensOneTicket_AndTheRepeatGetsTheFirstAnswer()
    {
        var scene = await Scene.SetUpAsync(service);
        var key = Guid.NewGuid().ToString();

        var first = await service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers", Request(scene), key);
        var repeat = await service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers", Request(scene), key);

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        repeat.StatusCode.Should().Be(HttpStatusCode.Created);
        repeat.Headers.GetValues("Idempotent-Replayed").Should().Equal("true");
        repeat.Headers.Location.Should().Be(first.Headers.Location);
        (await repeat.Content.ReadAsStringAsync()).Should().Be(await first.Content.ReadAsStringAsync());
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE case_id = '{scene.CaseId}'")).Should().Be(1);
    }

    [Fact]
    public async Task TheSameKeyAtTheSameTime_OpensOneTicket_AndBothGetItsAnswer()
    {
        var scene = await Scene.SetUpAsync(service);
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers", Request(scene), key)));

        answers.Select(a => a.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.Created);
        answers.Select(a => a.Headers.Location).Distinct().Should().ContainSingle();
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE case_id = '{scene.CaseId}'")).Should().Be(1);
    }

    [Fact]
    public async Task TheSameKeyWithAnotherRequest_Is422_AndChangesNothing()
    {
        var scene = await Scene.SetUpAsync(service);
        var key = Guid.NewGuid().ToString();
        (await service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers", Request(scene), key)).StatusCode.Should().Be(HttpStatusCode.Created);
        var ticket = (await service.Database.CountAsync($"SELECT version FROM handover_tickets WHERE case_id = '{scene.CaseId}'"));

        var other = await service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers", Request(scene, "Another note."), key);

        other.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await other.ReadProblemAsync()).ErrorFields().Should().Equal("Idempotency-Key");
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE case_id = '{scene.CaseId}'")).Should().Be(1);
        (await service.Database.CountAsync($"SELECT version FROM handover_tickets WHERE case_id = '{scene.CaseId}'")).Should().Be(ticket);
    }

    [Fact]
    public async Task ARefusedRequest_KeepsNothing_SoTheSameKeyWorksOnceTheCauseIsGone()
    {
        var origin = await service.OrganisationAsync("origin-partner");
        var receiver = await service.OrganisationAsync("receiving-service", verified: false);
        var caseId = await service.CaseAsync(origin);
        await service.ConsentAsync(caseId, origin, receiver);
        var scene = new Scene(origin, receiver, caseId, Guid.Empty);
        var key = Guid.NewGuid().ToString();

        // The receiver is not verified yet: 409, kept nowhere.
        (await service.SendAsync(origin, HttpMethod.Post, "/handovers", Request(scene), key)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        await service.PublishAsync(new OrganisationVerified(receiver.Id, 1, DateTimeOffset.UtcNow));
        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM access.organisation_access WHERE organisation_id = '{receiver.Id}' AND status = 'active'"), 1, "the receiver to be active");

        (await service.SendAsync(origin, HttpMethod.Post, "/handovers", Request(scene), key)).StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task OneKey_OfTwoCallers_AreTwoKeys()
    {
        var one = await Scene.SetUpAsync(service);
        var other = await Scene.SetUpAsync(service);
        var key = Guid.NewGuid().ToString();

        (await service.SendAsync(one.Origin, HttpMethod.Post, "/handovers", Request(one), key)).StatusCode.Should().Be(HttpStatusCode.Created);
        var second = await service.SendAsync(other.Origin, HttpMethod.Post, "/handovers", Request(other), key);

        second.StatusCode.Should().Be(HttpStatusCode.Created);
        second.Headers.Contains("Idempotent-Replayed").Should().BeFalse();
    }

    [Fact]
    public async Task AStepAskedAgain_WithoutAKey_IsASuccessWithTheTicketAsItIs_AndHappensOnce()
    {
        var scene = await Scene.SetUpAsync(service);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;

        var first = await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/accept");
        var again = await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/accept");

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        var ticket = (await again.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)ticket["status"]).Should().Be("accepted");
        ticket["version"]!.GetValue<long>().Should().Be(3);
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_timeline WHERE ticket_id = '{id}' AND action = 'accepted'")).Should().Be(1);
        // A step the ticket has not taken is still refused by its state.
        (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/decline", new { reason = "no-capacity" })).StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    private static object Request(Scene scene, string message = "Starts an apprenticeship in April.") => new
    {
        caseId = scene.CaseId,
        receiverOrganisationId = scene.Receiver.Id,
        topics = new[] { "EDU", "LANG" },
        plannedArrival = TestDates.ArrivalText,
        message,
    };
}
