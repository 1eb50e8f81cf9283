namespace Imsa.Network.Handovers.Tests;

/// <summary>What the metrics port tells of handovers: their states, SLA escalations, the events published. This class moves the clock.</summary>
public sealed class MetricsTests(HandoversService service) : IClassFixture<HandoversService>
{
    [Fact]
    public async Task AnOfferEscalated_IsCountedAndShownByState_AndItsEventPublished()
    {
        var scene = await Scene.SetUpAsync(service);
        var handover = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        await service.StatusAsync(handover, "Offered");
        var before = await service.Factory.ScrapeUntilAsync(
            s => s.Value("imsa_handovers_tickets", ("state", "offered")) == 1, "the offer among the handovers by state");
        before.Value("imsa_handovers_sla_escalations_total").Should().Be(0);

        service.Time.Advance(TimeSpan.FromDays(30));
        await service.StatusAsync(handover, "Escalated");

        var after = await service.Factory.ScrapeUntilAsync(
            s => s.Value("imsa_handovers_tickets", ("state", "escalated")) == 1
                && s.Value("imsa_messaging_outbox_published_total", ("message_type", "HandoverEscalated")) == 1,
            "the escalation shown and its event published");
        after.Value("imsa_handovers_sla_escalations_total").Should().Be(1);
        after.Value("imsa_handovers_tickets", ("state", "offered")).Should().Be(0);
        after.Of("imsa_handovers_tickets").Should().HaveCount(Enum.GetValues<Domain.HandoverStatus>().Length, "every state has its series, 0 included");
        after.Value("imsa_messaging_outbox_published_total").Should().BeGreaterThanOrEqualTo(2, "the offer's event went out before");
        (await service.Factory.ScrapeUntilAsync(s => s.Value("imsa_messaging_outbox_depth") == 0, "the outbox drained"))
            .Value("imsa_messaging_outbox_age_seconds").Should().Be(0);
    }
}
