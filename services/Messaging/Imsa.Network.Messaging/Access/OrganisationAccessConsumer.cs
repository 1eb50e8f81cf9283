using Imsa.Network.Contracts.Partners;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Messaging.Access;

/// <summary>
/// Keeps this service's access projection: organisation status (newest version wins, whatever the arrival order)
/// and revoked clients. Every service runs it, so a suspension reaches each of them within seconds.
/// </summary>
public sealed class OrganisationAccessConsumer<TDbContext>(TDbContext db) :
    IConsumer<OrganisationVerified>,
    IConsumer<OrganisationSuspended>,
    IConsumer<OrganisationReinstated>,
    IConsumer<OrganisationRetired>,
    IConsumer<ApiClientRevoked>
    where TDbContext : DbContext
{
    private const string Name = "OrganisationAccessConsumer";

    public Task Consume(ConsumeContext<OrganisationVerified> context) =>
        SetStatus(context, context.Message.OrganisationId, "active", context.Message.StatusVersion, context.Message.At);

    public Task Consume(ConsumeContext<OrganisationSuspended> context) =>
        SetStatus(context, context.Message.OrganisationId, "suspended", context.Message.StatusVersion, context.Message.At);

    public Task Consume(ConsumeContext<OrganisationReinstated> context) =>
        SetStatus(context, context.Message.OrganisationId, "active", context.Message.StatusVersion, context.Message.At);

    public Task Consume(ConsumeContext<OrganisationRetired> context) =>
        SetStatus(context, context.Message.OrganisationId, "retired", context.Message.StatusVersion, context.Message.At);

    public Task Consume(ConsumeContext<ApiClientRevoked> context) =>
        Inbox.Inbox.ConsumeOnceAsync(db, context, Name, async () =>
        {
            var revoked = context.Message;
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO access.revoked_clients (client_id, organisation_id, revoked_at)
                VALUES ({revoked.ClientId}, {revoked.OrganisationId}, {revoked.At})
                ON CONFLICT (client_id) DO NOTHING
                """,
                context.CancellationToken);
        });

    private Task SetStatus<TMessage>(ConsumeContext<TMessage> context, Guid organisationId, string status, long version, DateTimeOffset at)
        where TMessage : class =>
        Inbox.Inbox.ConsumeOnceAsync(db, context, Name, async () =>
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO access.organisation_access (organisation_id, status, status_version, changed_at)
                VALUES ({organisationId}, {status}, {version}, {at})
                ON CONFLICT (organisation_id) DO UPDATE
                SET status = excluded.status, status_version = excluded.status_version, changed_at = excluded.changed_at
                WHERE access.organisation_access.status_version < excluded.status_version
                """,
                context.CancellationToken));
}
