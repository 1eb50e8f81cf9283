using Imsa.Network.Messaging.Inbox;
using MassTransit;

namespace Imsa.Network.Bench.Backbone;

/// <summary>Records one effect row per event, exactly once, through the shared idempotent inbox.</summary>
public sealed class BenchOrderPlacedConsumer(ReaderDbContext db) : IdempotentConsumer<ReaderDbContext>(db), IConsumer<BenchOrderPlaced>
{
    public Task Consume(ConsumeContext<BenchOrderPlaced> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ConsumeOnceAsync(context, () =>
        {
            var message = context.Message;
            Db.Effects.Add(new BenchEffect
            {
                OrderId = message.OrderId,
                Phase = message.Phase,
                Index = message.Index,
                ReceivedAt = DateTimeOffset.UtcNow,
            });
            return Task.CompletedTask;
        });
    }
}
