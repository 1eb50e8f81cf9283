using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Contracts.Partners;

namespace Imsa.Network.Handovers.Tests;

public sealed class HandoverLifecycleTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task Request_WhenEveryCheckPasses_IsOfferedToTheReceiver_WhoSeesItInItsInbox()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverOffered));
        var scene = await Scene.SetUpAsync(service);

        var ticket = await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver);

        var id = (string)ticket["id"]!;
        ((string?)ticket["status"]).Should().Be("offered");
        ticket["timeline"]!.AsArray().Select(e => (string?)e!["action"]).Should().Equal("requested", "offered");
        var due = DateTimeOffset.Parse((string)ticket["answerDueAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        due.Should().BeAfter(service.Time.GetUtcNow().AddDays(6), "five working days span at least a weekend");
        var inbox = (await (await service.SendAsync(scene.Receiver, HttpMethod.Get, "/handovers/inbox")).Content.ReadFromJsonAsync<JsonArray>())!;
        inbox.Select(t => (string?)t!["id"]).Should().Equal(id);
        var filtered = (await (await service.SendAsync(scene.Receiver, HttpMethod.Get, $"/handovers/inbox?arrivalMonth={TestDates.Arrival.AddMonths(1):yyyy-MM}&topic=EDU")).Content.ReadFromJsonAsync<JsonArray>())!;
        filtered.Should().BeEmpty();
        var outgoing = (await (await service.SendAsync(scene.Origin, HttpMethod.Get, "/handovers/outgoing?status=offered")).Content.ReadFromJsonAsync<JsonArray>())!;
        outgoing.Select(t => (string?)t!["id"]).Should().Equal(id);

        // One event for the request and its offer: the ticket's first, at version 2.
        (await tap.WaitForAsync<HandoverOffered>(m => (string?)m["handoverId"] == id))["version"]!.GetValue<long>().Should().Be(2);
        tap.Received.Should().OnlyContain(r => !r.Body.Contains("apprenticeship", StringComparison.Ordinal), "the message stays in the service");
    }

    [Fact]
    public async Task TheWholeLifecycle_AcceptOutcomeComplete_IsOnBothPartiesTimeline()
    {
        var scene = await Scene.SetUpAsync(service);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;

        (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/accept")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/outcomes", new { outcome = "first-appointment-booked", occurredOn = TestDates.Text(TestDates.Arrival.AddDays(3)) }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var contact = await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/outcomes", new { outcome = "first-contact-made", occurredOn = DateOnly.FromDateTime(DateTime.UtcNow) });
        ((string?)(await contact.Content.ReadFromJsonAsync<JsonObject>())!["status"]).Should().Be("in-contact");
        (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/complete")).StatusCode.Should().Be(HttpStatusCode.OK);

        var seenByOrigin = await service.ReadAsync(scene.Origin, id);
        var seenByReceiver = await service.ReadAsync(scene.Receiver, id);
        ((string?)seenByOrigin["status"]).Should().Be("completed");
        ((string?)seenByOrigin["lastOutcome"]).Should().Be("first-contact-made");
        seenByOrigin["timeline"]!.AsArray().Select(e => (string?)e!["action"])
            .Should().Equal("requested", "offered", "accepted", "outcome-recorded", "outcome-recorded", "completed");
        seenByReceiver["timeline"]!.ToJsonString().Should().Be(seenByOrigin["timeline"]!.ToJsonString());
        seenByOrigin["timeline"]![2]!["actorOrganisationId"]!.GetValue<Guid>().Should().Be(scene.Receiver.Id);
    }

    [Fact]
    public async Task AStepNotAllowedFromTheCurrentState_Is409NamingTheState_AndChangesNothing()
    {
        var scene = await Scene.SetUpAsync(service);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;

        var complete = await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/complete");
        complete.StatusCode.Should().Be(HttpStatusCode.Conflict);
        ((string?)(await complete.ReadProblemAsync())["detail"]).Should().Contain("offered");
        (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/outcomes", new { outcome = "first-contact-made" })).StatusCode.Should().Be(HttpStatusCode.Conflict);

        (await service.SendAsync(scene.Origin, HttpMethod.Post, $"/handovers/{id}/withdraw")).StatusCode.Should().Be(HttpStatusCode.OK);
        var lateAccept = await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/accept");
        lateAccept.StatusCode.Should().Be(HttpStatusCode.Conflict);
        ((string?)(await lateAccept.ReadProblemAsync())["detail"]).Should().Be("A handover that is withdrawn cannot be accepted.");
        ((string?)(await service.ReadAsync(scene.Origin, id))["status"]).Should().Be("withdrawn");
        (await service.Database.CountAsync($"SELECT count(*) FROM handover_timeline WHERE ticket_id = '{id}'")).Should().Be(3);
    }

    [Fact]
    public async Task Decline_NeedsACodedReason_TheOriginSeesIt_AndCanHandTheCaseToAnotherService()
    {
        var scene = await Scene.SetUpAsync(service);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;

        var noReason = await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/decline", new { });
        noReason.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await noReason.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo("reason");
        var otherWithoutNote = await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/decline", new { reason = "other" });
        (await otherWithoutNote.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo("note");
        ((string?)(await service.ReadAsync(scene.Origin, id))["status"]).Should().Be("offered", "a refused request changes nothing");

        (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/decline", new { reason = "outside-service-area" })).StatusCode.Should().Be(HttpStatusCode.OK);

        var declined = await service.ReadAsync(scene.Origin, id);
        ((string?)declined["status"]).Should().Be("declined");
        ((string?)declined["declineReason"]).Should().Be("outside-service-area");
        var another = await service.OrganisationAsync("receiving-service");
        await service.ConsentAsync(scene.CaseId, scene.Origin, another);
        ((string?)(await service.RequestAsync(scene.Origin, scene.CaseId, another))["status"]).Should().Be("offered");
        ((string?)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["status"]).Should().Be("offered", "declined is final: a new request may follow");
    }

    [Fact]
    public async Task Request_WhenACheckFailsThatNoArrivalCanChange_AnswersWhichOne_AndStoresNothing()
    {
        var scene = await Scene.SetUpAsync(service);
        var stranger = await service.OrganisationAsync("origin-partner");
        var pending = await service.OrganisationAsync("receiving-service", verified: false);
        var full = await service.OrganisationAsync("receiving-service");
        var closed = await service.OrganisationAsync("receiving-service");
        await service.ConsentAsync(scene.CaseId, scene.Origin, pending, full, closed);
        await service.PublishAsync(new OrganisationCapacityChanged(full.Id, true, 0, null, DateTimeOffset.UtcNow));
        await service.PublishAsync(new OrganisationCapacityChanged(closed.Id, false, null, null, DateTimeOffset.UtcNow));
        await Eventually.UntilCount(() => service.Database.CountAsync($"SELECT count(*) FROM known_organisations WHERE id IN ('{full.Id}', '{closed.Id}') AND capacity_changed_at IS NOT NULL"), 2, "capacities");
        var before = await service.Database.CountAsync("SELECT count(*) FROM handover_tickets");

        async Task<string?> Refusal(Organisation caller, object body, HttpStatusCode expected)
        {
            var response = await service.SendAsync(caller, HttpMethod.Post, "/handovers", body);
            response.StatusCode.Should().Be(expected, await response.Content.ReadAsStringAsync());
            var problem = await response.ReadProblemAsync();
            return (string?)problem["detail"] ?? (string?)problem["title"];
        }

        object To(Organisation receiver, Guid? caseId = null) => new { caseId = caseId ?? scene.CaseId, receiverOrganisationId = receiver.Id };

        (await Refusal(scene.Origin, new { caseId = scene.CaseId, receiverOrganisationId = Guid.NewGuid() }, HttpStatusCode.NotFound)).Should().Contain("receiving service");
        (await Refusal(scene.Origin, To(stranger), HttpStatusCode.NotFound)).Should().Contain("receiving service");
        (await Refusal(scene.Origin, To(pending), HttpStatusCode.Conflict)).Should().Contain("not active");
        (await Refusal(scene.Origin, To(closed), HttpStatusCode.Conflict)).Should().Contain("no new handovers");
        (await Refusal(scene.Origin, To(full), HttpStatusCode.Conflict)).Should().Contain("at capacity (0 of 0");
        (await Refusal(scene.Origin, To(full, Guid.NewGuid()), HttpStatusCode.Conflict)).Should().Contain("at capacity", "the receiver's checks do not wait for a case");
        var bad = await service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers", new { topics = new[] { "NOPE" }, message = new string('x', 1001) });
        bad.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await bad.ReadProblemAsync()).ErrorFields().Should().BeEquivalentTo("caseId", "receiverOrganisationId", "topics", "message");
        (await service.Database.CountAsync("SELECT count(*) FROM handover_tickets")).Should().Be(before);

        await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver);
        (await Refusal(scene.Origin, To(scene.Receiver), HttpStatusCode.Conflict)).Should().Contain("one at a time");
    }

    [Fact]
    public async Task Request_BeforeItsCaseAndConsentArrive_Waits_UnseenByTheReceiver_AndIsOfferedWhenTheyDo()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverOffered));
        var origin = await service.OrganisationAsync("origin-partner");
        var receiver = await service.OrganisationAsync("receiving-service");
        var caseId = Guid.NewGuid();

        var waiting = await service.RequestAsync(origin, caseId, receiver);

        var id = (string)waiting["id"]!;
        ((string?)waiting["status"]).Should().Be("requested");
        waiting["answerDueAt"].Should().BeNull();
        (await service.SendAsync(receiver, HttpMethod.Get, $"/handovers/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the receiver is not offered it yet");
        (await service.SendAsync(receiver, HttpMethod.Post, $"/handovers/{id}/accept")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await service.SendAsync(receiver, HttpMethod.Get, "/handovers/inbox?status=requested")).Content.ReadFromJsonAsync<JsonArray>())!.Should().BeEmpty();

        await service.CaseAsync(origin, id: caseId);
        ((string?)(await service.ReadAsync(origin, id))["status"]).Should().Be("requested", "the consent naming the receiver is still on its way");
        await service.ConsentAsync(caseId, origin, receiver);

        await service.StatusAsync(id, "Offered");
        var offered = await service.ReadAsync(receiver, id);
        offered["timeline"]!.AsArray().Select(e => (string?)e!["action"]).Should().Equal("requested", "offered");
        offered["answerDueAt"].Should().NotBeNull();
        (await tap.WaitForAsync<HandoverOffered>(m => (string?)m["handoverId"] == id))["version"]!.GetValue<long>().Should().Be(2);
        (await service.SendAsync(receiver, HttpMethod.Post, $"/handovers/{id}/accept")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Request_ForSomeoneElsesCase_WaitsLikeAnUnknownOne_BlocksNothing_AndIsDeclinedUnannouncedAfterTheWait()
    {
        await using var tap = await EventTap.StartAsync(service.VirtualHost, typeof(HandoverOffered), typeof(HandoverDeclined), typeof(HandoverWithdrawn));
        var scene = await Scene.SetUpAsync(service);
        var stranger = await service.OrganisationAsync("origin-partner");
        var unconsented = await service.OrganisationAsync("receiving-service");

        var foreign = await service.RequestAsync(stranger, scene.CaseId, scene.Receiver);
        var unknown = await service.RequestAsync(stranger, Guid.NewGuid(), scene.Receiver);
        var noConsent = await service.RequestAsync(scene.Origin, scene.CaseId, unconsented);

        ((string?)foreign["status"]).Should().Be("requested", "another partner's case answers as an unknown one does");
        ((string?)unknown["status"]).Should().Be("requested");
        ((string?)noConsent["status"]).Should().Be("requested", "a consent naming the receiver may be on its way");
        var own = await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver);
        ((string?)own["status"]).Should().Be("offered", "a request that waits blocks no one's own");

        service.Time.Advance(TimeSpan.FromMinutes(16));

        await service.StatusAsync((string)foreign["id"]!, "Declined");
        await service.StatusAsync((string)unknown["id"]!, "Declined");
        await service.StatusAsync((string)noConsent["id"]!, "Declined");
        var declined = await service.ReadAsync(stranger, (string)foreign["id"]!);
        ((string?)declined["declineReason"]).Should().Be("case-not-found");
        declined["timeline"]!.AsArray().Select(e => ((string?)e!["action"], (string?)e["detail"])).Should().Equal(("requested", null), ("declined", "case-not-found"));
        ((string?)(await service.ReadAsync(scene.Origin, (string)noConsent["id"]!))["declineReason"]).Should().Be("no-consent");
        // The owner's own case: its decline is announced, so its case shows it. The stranger's were never announced.
        (await tap.WaitForAsync<HandoverDeclined>(m => (string?)m["handoverId"] == (string?)noConsent["id"]))["reason"]!.GetValue<string>().Should().Be("no-consent");
        (await service.SendAsync(scene.Origin, HttpMethod.Post, $"/handovers/{own["id"]}/withdraw")).StatusCode.Should().Be(HttpStatusCode.OK);
        await tap.WaitForAsync<HandoverWithdrawn>(m => (string?)m["handoverId"] == (string?)own["id"]);
        tap.Received.Should().NotContain(r => r.Body.Contains((string)foreign["id"]!, StringComparison.Ordinal) || r.Body.Contains((string)unknown["id"]!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AThirdOrganisation_SeesNoneOfIt_404Everywhere()
    {
        var scene = await Scene.SetUpAsync(service);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        var otherPartner = await service.OrganisationAsync("origin-partner");
        var otherReceiver = await service.OrganisationAsync("receiving-service");

        (await service.SendAsync(otherPartner, HttpMethod.Get, $"/handovers/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await service.SendAsync(otherPartner, HttpMethod.Post, $"/handovers/{id}/withdraw")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await service.SendAsync(otherReceiver, HttpMethod.Get, $"/handovers/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreach (var step in new[] { "accept", "complete" })
        {
            (await service.SendAsync(otherReceiver, HttpMethod.Post, $"/handovers/{id}/{step}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        }

        (await service.SendAsync(otherReceiver, HttpMethod.Post, $"/handovers/{id}/decline", new { reason = "duplicate" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await service.SendAsync(otherReceiver, HttpMethod.Post, $"/handovers/{id}/outcomes", new { outcome = "did-not-arrive" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await service.SendAsync(otherReceiver, HttpMethod.Get, "/handovers/inbox")).Content.ReadFromJsonAsync<JsonArray>())!.Should().BeEmpty();
        (await (await service.SendAsync(otherPartner, HttpMethod.Get, "/handovers/outgoing")).Content.ReadFromJsonAsync<JsonArray>())!.Should().BeEmpty();
        ((string?)(await service.ReadAsync(scene.Origin, id))["status"]).Should().Be("offered");
    }
}
