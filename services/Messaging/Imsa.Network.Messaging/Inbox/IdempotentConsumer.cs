using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Messaging.Inbox;

/// <summary>
/// The one way a consumer is written: each <c>Consume</c> of its message types (one or several) passes its effects
/// to <c>ConsumeOnceAsync</c>, which applies them at most once per message in the inbox's transaction (see
/// <see cref="Inbox"/>).
/// </summary>
public abstract class IdempotentConsumer<TDbContext>(TDbContext db)
    where TDbContext : DbContext
{
    protected TDbContext Db { get; } = db;

    /// <summary>The name the inbox records: the class name. Override it to keep the old name when renaming the class.</summary>
    protected virtual string InboxName => GetType().Name;

    /// <summary>Applies <paramref name="applyEffects"/> to <see cref="Db"/> unless this consumer has handled the message; SaveChanges and commit follow.</summary>
    protected Task ConsumeOnceAsync<TMessage>(ConsumeContext<TMessage> context, Func<Task> applyEffects)
        where TMessage : class =>
        Inbox.ConsumeOnceAsync(Db, context, InboxName, applyEffects);
}
