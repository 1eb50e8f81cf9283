using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Messaging.Inbox;

/// <summary>A consumer of one message type whose effects happen at most once per message (see <see cref="Inbox"/>).</summary>
public abstract class IdempotentConsumer<TMessage, TDbContext>(TDbContext db) : IConsumer<TMessage>
    where TMessage : class
    where TDbContext : DbContext
{
    protected TDbContext Db { get; } = db;

    /// <summary>The name the inbox records: the class name. Override it to keep the old name when renaming the class.</summary>
    protected virtual string ConsumerName => GetType().Name;

    public Task Consume(ConsumeContext<TMessage> context) =>
        Inbox.ConsumeOnceAsync(Db, context, ConsumerName, () => HandleAsync(context));

    /// <summary>Applies the message's effects to <see cref="Db"/>; SaveChanges and commit follow.</summary>
    protected abstract Task HandleAsync(ConsumeContext<TMessage> context);
}
