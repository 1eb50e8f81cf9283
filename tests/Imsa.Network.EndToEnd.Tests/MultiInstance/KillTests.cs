namespace Imsa.Network.EndToEnd.Tests.MultiInstance;

/// <summary>
/// kill -9 of an instance of every service in the middle of a load of journeys: no unfinished transaction survives it
/// (PostgreSQL rolls back what the dead process held), its unacknowledged messages go to the other instance, its
/// locked outbox rows to the other relay, and the gateway sends the clients elsewhere; the clients repeat what was
/// in flight under the same Idempotency-Key. No journey is lost, none is done twice.
/// </summary>
[Collection(ScaledOut.Name)]
public sealed class KillTests(InstanceNetwork network)
{
    private const int Total = 40;

    [Fact]
    public Task KillingOneInstanceOfEachService_DuringJourneys_LosesNoJourney_AndDuplicatesNothing() => network.ExplainAsync(async () =>
    {
        var (partner, receiver) = await Journeys.PartiesAsync(network, "Kill");
        await using var load = JourneyLoad.Start(network, partner, receiver, workers: 6);
        try
        {
            await load.UntilCompletedAsync(8);

            // One at a time, each while the load runs: the second instance of each service.
            foreach (var service in InstanceNetwork.ServiceNames)
            {
                network.Kill(service, 1);
                await load.UntilCompletedAsync(load.Completed.Count + 4);
            }

            // Back, while the load goes on: each rejoins its queues, its relay and the gateway's rotation.
            foreach (var service in InstanceNetwork.ServiceNames)
            {
                await network.RestartAsync(service, 1);
            }

            await load.UntilCompletedAsync(Total);
            await load.StopAsync();
        }
        finally
        {
            // The suite's other tests need both instances, whatever happened here.
            foreach (var service in InstanceNetwork.ServiceNames)
            {
                if (!network.Instances(service)[1].Running)
                {
                    await network.RestartAsync(service, 1);
                }
            }
        }

        load.Failures.Should().BeEmpty("a careful client meets only 502 and 503 while an instance dies, and repeats");
        var journeys = load.Completed.ToList();
        journeys.Should().HaveCountGreaterThanOrEqualTo(Total);
        journeys.Select(j => j.HandoverId).Should().OnlyHaveUniqueItems();
        // Up to 30 s: a load count's bump lost with a killed instance is made up by every instance's periodic reload.
        await Journeys.ShouldBeCompleteOnceAsync(network, partner, receiver, journeys, TimeSpan.FromSeconds(30));
    });
}
