using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Messaging.Inbox;
using MassTransit;

namespace Imsa.Network.Counselling.Consumers;

/// <summary>
/// Keeps each case's handovers as the Handovers service announces them: the closed loop the owner sees on its case,
/// and who may read the dossier. Every event names the ticket's status and version, so duplicates and late arrivals
/// of an older state change nothing, and an ended ticket is never brought back by a stale acceptance.
/// </summary>
/// <remarks>
/// One statement per message (<see cref="Inbox.ApplyOnceAsync"/>): the inbox claim and an upsert that writes only a
/// newer version. Two events of one ticket applied at once cannot both insert: the second waits on the row's key
/// and then updates it, or not, by its version. A decline's reason and an outcome stay once reported.
/// </remarks>
internal sealed class HandoverProjectionConsumer(CounsellingDbContext db) : IConsumer<IHandoverEvent>
{
    public Task Consume(ConsumeContext<IHandoverEvent> context)
    {
        var change = context.Message;
        var declineReason = context.TryGetMessage<HandoverDeclined>(out var declined) ? declined.Message.Reason : null;
        var (outcome, outcomeOn) = context.TryGetMessage<HandoverOutcomeRecorded>(out var recorded)
            ? (recorded.Message.Outcome, recorded.Message.OccurredOn)
            : ((string?)null, (DateOnly?)null);
        return Inbox.ApplyOnceAsync(db, context, nameof(HandoverProjectionConsumer), $"""
            INSERT INTO case_handovers AS h
                (handover_id, case_id, receiver_organisation_id, status, version, updated_at, decline_reason, last_outcome, last_outcome_on)
            SELECT {change.HandoverId}, {change.CaseId}, {change.ReceiverOrganisationId}, {change.Status}::varchar, {change.Version},
                   {change.At}, {declineReason}::varchar, {outcome}::varchar, {outcomeOn}::date
            FROM claim
            ON CONFLICT (handover_id) DO UPDATE SET
                receiver_organisation_id = excluded.receiver_organisation_id,
                status = excluded.status,
                version = excluded.version,
                updated_at = excluded.updated_at,
                decline_reason = COALESCE(excluded.decline_reason, h.decline_reason),
                last_outcome = COALESCE(excluded.last_outcome, h.last_outcome),
                last_outcome_on = COALESCE(excluded.last_outcome_on, h.last_outcome_on)
            WHERE h.version < excluded.version
            """);
    }
}
