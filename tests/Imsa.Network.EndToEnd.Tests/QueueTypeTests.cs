namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// The network, each service as its own broker user, declares every durable queue as a quorum queue: the receive
/// queues with the delivery limit and their _error queue as dead-letter target, the _error queues (declared at start)
/// without a limit (ADR 0018). That the users may declare them so is proved by the network starting at all.
/// </summary>
public sealed class QueueTypeTests
{
    [Fact]
    public async Task EveryQueueTheServicesDeclare_IsQuorum_ReceiveQueuesWithTheDeliveryLimit()
    {
        await using var network = await Network.StartAsync();

        var queues = (await network.VirtualHost.QueuesAsync()).Where(q => q.Durable).ToList();
        var receive = queues.Where(q => !q.Name.EndsWith("_error", StringComparison.Ordinal) && !q.Name.EndsWith("_skipped", StringComparison.Ordinal)).ToList();
        receive.Should().HaveCountGreaterThanOrEqualTo(12, "every service's receive queues are there");
        receive.Select(q => q.Name).Should().Contain(["partners-organisation-access", "counselling-handover-projection", "handovers-case-events"]);
        queues.Should().OnlyContain(q => q.Type == "quorum", "every durable queue is a quorum queue");
        foreach (var queue in receive)
        {
            queue.Argument("x-delivery-limit").Should().Be("20", queue.Name);
            queue.Argument("x-dead-letter-exchange").Should().Be(queue.Name + "_error", queue.Name);
            queues.Should().ContainSingle(q => q.Name == queue.Name + "_error" && q.Argument("x-delivery-limit") == null,
                $"{queue.Name}_error is declared with its queue, and keeps its dead letters however often they are read");
        }
    }
}
