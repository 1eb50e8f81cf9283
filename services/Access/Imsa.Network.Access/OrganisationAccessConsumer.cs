using Imsa.Network.Contracts.Partners;
using Imsa.Network.Messaging.Inbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Access;

/// <summary>
/// Keeps this service's access projection: organisation status (newest version wins, whatever the arrival order)
/// revoked clients and deactivated people. Every service runs it, so a suspension reaches each of them within seconds.
/// </summary>
public sealed class OrganisationAccessConsumer(DbContext db) : IdempotentConsumer<DbContext>(db),
    IConsumer<IOrganisationLifecycleEvent>,
    IConsumer<ApiClientRevoked>,
    IConsumer<PersonDeactivated>
{
    public Task Consume(ConsumeContext<IOrganisationLifecycleEvent> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var change = context.Message;
            await Db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO access.organisation_access (organisation_id, status, status_version, changed_at)
                VALUES ({change.OrganisationId}, {change.Status}, {change.StatusVersion}, {change.At})
                ON CONFLICT (organisation_id) DO UPDATE
                SET status = excluded.status, status_version = excluded.status_version, changed_at = excluded.changed_at
                WHERE access.organisation_access.status_version < excluded.status_version
                """,
                context.CancellationToken);
        });

    public Task Consume(ConsumeContext<ApiClientRevoked> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var revoked = context.Message;
            await Db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO access.revoked_clients (client_id, organisation_id, revoked_at)
                VALUES ({revoked.ClientId}, {revoked.OrganisationId}, {revoked.At})
                ON CONFLICT (client_id) DO NOTHING
                """,
                context.CancellationToken);
        });

    /// <summary>The earliest deactivation stands, whichever copy of the fact arrives first.</summary>
    public Task Consume(ConsumeContext<PersonDeactivated> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var deactivated = context.Message;
            await Db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO access.deactivated_people (person_id, organisation_id, deactivated_at)
                VALUES ({deactivated.PersonId}, {deactivated.OrganisationId}, {deactivated.At})
                ON CONFLICT (person_id) DO UPDATE SET deactivated_at = excluded.deactivated_at
                WHERE excluded.deactivated_at < access.deactivated_people.deactivated_at
                """,
                context.CancellationToken);
        });
}
