using System.Net;
using Imsa.Network.Contracts.Counselling;

namespace Imsa.Network.Handovers.Tests;

/// <summary>A case whose processing is restricted (GDPR Art. 18, announced by Counselling) goes to no new receiver.</summary>
public sealed class RestrictionTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task ARestrictedCase_IsNeitherRequestedNorReassigned_UntilTheRestrictionIsLifted()
    {
        var scene = await Scene.SetUpAsync(service);
        var other = await service.OrganisationAsync("receiving-service");
        var coordinator = await service.OrganisationAsync("coordinator");
        await service.ConsentAsync(scene.CaseId, scene.Origin, other);
        var ticket = await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver);
        var id = (string)ticket["id"]!;
        service.Time.Advance(DateTimeOffset.Parse((string)ticket["answerDueAt"]!, System.Globalization.CultureInfo.InvariantCulture) - service.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        await service.StatusAsync(id, "Escalated");

        var at = DateTimeOffset.UtcNow;
        await RestrictAsync(scene.CaseId, scene.Origin, true, at);

        var requested = await RequestAsync(scene, other);
        requested.StatusCode.Should().Be(HttpStatusCode.Conflict);
        ((string?)(await requested.ReadProblemAsync())["detail"]).Should().Contain("restricted");
        var reassigned = await service.SendAsync(coordinator, HttpMethod.Post, $"/admin/handovers/{id}/reassign", new { receiverOrganisationId = other.Id });
        reassigned.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE case_id = '{scene.CaseId}'")).Should().Be(1, "nothing was offered");

        // An older lift arriving late changes nothing; the newer one lifts it.
        await RestrictAsync(scene.CaseId, scene.Origin, false, at.AddSeconds(-5));
        (await RequestAsync(scene, other)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        await RestrictAsync(scene.CaseId, scene.Origin, false, at.AddSeconds(5));

        (await service.SendAsync(coordinator, HttpMethod.Post, $"/admin/handovers/{id}/reassign", new { receiverOrganisationId = other.Id }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnOfferMadeBeforeTheRestriction_IsNotAccepted_WhileTheCaseIsRestricted_ButMayBeAfter()
    {
        var scene = await Scene.SetUpAsync(service);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        var at = DateTimeOffset.UtcNow;
        await RestrictAsync(scene.CaseId, scene.Origin, true, at);

        var accepted = await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/accept");

        accepted.StatusCode.Should().Be(HttpStatusCode.Conflict);
        ((string?)(await accepted.ReadProblemAsync())["detail"]).Should().Contain("restricted");
        ((string?)(await service.ReadAsync(scene.Receiver, id))["status"]).Should().Be("offered", "nothing changed");
        await RestrictAsync(scene.CaseId, scene.Origin, false, at.AddSeconds(1));
        (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/accept")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private Task<HttpResponseMessage> RequestAsync(Scene scene, Organisation receiver) =>
        service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers", new
        {
            caseId = scene.CaseId,
            receiverOrganisationId = receiver.Id,
            topics = new[] { "EDU" },
            plannedArrival = TestDates.ArrivalText,
        });

    private async Task RestrictAsync(Guid caseId, Organisation owner, bool restricted, DateTimeOffset at)
    {
        var messageId = Guid.NewGuid();
        if (restricted)
        {
            await service.PublishAsync(new CaseRestricted(caseId, owner.Id, "objection-pending", at), messageId);
        }
        else
        {
            await service.PublishAsync(new CaseRestrictionLifted(caseId, owner.Id, at), messageId);
        }

        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM messaging.inbox_messages WHERE message_id = '{messageId}'"), 1, "the restriction event to be consumed");
    }
}
