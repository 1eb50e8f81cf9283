using MassTransit;

namespace Imsa.Network.Messaging;

/// <summary>
/// The receive queues as quorum queues (docs/adr/0018-quorum-queues.md): replicated on a cluster, and counting each
/// message's deliveries, so that a message that keeps killing the process consuming it (redelivered without ever being
/// acknowledged) stops after <see cref="QueueOptions.DeliveryLimit"/> deliveries in the queue's _error queue, where the
/// dead-letter operations find it, instead of stalling the queue for good.
/// </summary>
internal static class QuorumQueues
{
    private const string DeliveryLimit = "x-delivery-limit";
    private const string DeadLetterExchange = "x-dead-letter-exchange";
    private const string DeadLetterStrategy = "x-dead-letter-strategy";
    private const string Overflow = "x-overflow";

    /// <summary>A receive queue: quorum, its delivery limit, and its _error queue (declared with it) as dead-letter target.</summary>
    public static void Configure(IRabbitMqReceiveEndpointConfigurator endpoint, string queue, QueueOptions options)
    {
        if (!options.QuorumQueues)
        {
            return;
        }

        endpoint.SetQuorumQueue();
        endpoint.SetQueueArgument(DeliveryLimit, options.DeliveryLimit);
        // MassTransit's own _error exchange and queue, declared now rather than at the first fault: RabbitMQ drops a
        // message it dead-letters to an exchange that does not exist.
        var error = queue + "_error";
        endpoint.BindDeadLetterQueue(error, error, errorQueue => errorQueue.SetQuorumQueue());
        // At least once: a dead-lettered message leaves the queue only once the _error queue has confirmed it (needs
        // reject-publish, which without a length limit refuses nothing).
        endpoint.SetQueueArgument(DeadLetterStrategy, "at-least-once");
        endpoint.SetQueueArgument(Overflow, "reject-publish");
    }

    /// <summary>
    /// The _error and _skipped queues, which MassTransit declares with its receive queue's arguments: quorum too, but
    /// without a delivery limit or dead-letter target. Reading them without acknowledging (the dead-letter operations
    /// list that way) returns the messages, which would count towards a limit; a dead letter must stay until an
    /// operator replays or discards it.
    /// </summary>
    public static void Configure(IRabbitMqSendTopologyConfigurator topology, QueueOptions options)
    {
        if (!options.QuorumQueues)
        {
            return;
        }

        topology.ConfigureErrorSettings = WithoutLimit;
        topology.ConfigureDeadLetterSettings = WithoutLimit;
    }

    private static void WithoutLimit(IRabbitMqQueueBindingConfigurator queue)
    {
        queue.SetQueueArgument(DeliveryLimit, null);
        queue.SetQueueArgument(DeadLetterExchange, null);
        queue.SetQueueArgument(DeadLetterStrategy, null);
        queue.SetQueueArgument(Overflow, null);
    }
}
