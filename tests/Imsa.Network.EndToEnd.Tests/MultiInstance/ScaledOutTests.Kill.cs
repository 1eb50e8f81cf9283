namespace Imsa.Network.EndToEnd.Tests.MultiInstance;

/// <summary>
/// kill -9 of an instance of every service in the middle of a load of journeys: no unfinished transaction survives it
/// (PostgreSQL rolls back what the dead process held), its unacknowledged messages go to the other instance, its
/// locked outbox rows to the other relay, and the gateway sends the clients elsewhere; the clients repeat what was
/// in flight under the same Idempotency-Key. No journey is lost, none is done twice.
/// </summary>
public sealed partial class ScaledOutTests
{
    private const int Total = 40;

    [Fact]
    public Task KillingOneInstanceOfEachService_DuringJourneys_LosesNoJourney_AndDuplicatesNothing() => _network.ExplainAsync(async () =>
    {
        var (partner, receiver) = await Journeys.PartiesAsync(_network, "Kill");
        await using var load = JourneyLoad.Start(_network, partner, receiver, workers: 4);
        await load.UntilCompletedAsync(6);

        // One at a time, each while the load runs: the second instance of each service. They stay dead: this is the
        // suite's last test (ScaledOutTests.KillingLast).
        foreach (var service in InstanceNetwork.ServiceNames)
        {
            _network.Kill(service, 1);
            await load.UntilCompletedAsync(load.Completed.Count + 3);
        }

        await load.UntilCompletedAsync(Total);
        await load.StopAsync();

        Console.WriteLine($"[multi-instance] kill -9 under load: {load.Completed.Count} journeys; sent again: {load.LostInFlight} after a 502, "
            + $"{load.Unavailable} after a 503, {load.LostRaces} after a race lost to the SLA job");
        load.Failures.Should().BeEmpty("a careful client meets only 502 and 503 while an instance dies, and repeats");
        var journeys = load.Completed.ToList();
        journeys.Should().HaveCountGreaterThanOrEqualTo(Total);
        journeys.Select(j => j.HandoverId).Should().OnlyHaveUniqueItems();
        // Up to 30 s: a load count's bump lost with a killed instance is made up by every instance's periodic reload.
        await Journeys.ShouldBeCompleteOnceAsync(_network, partner, receiver, journeys, TimeSpan.FromSeconds(30));
    });
}
