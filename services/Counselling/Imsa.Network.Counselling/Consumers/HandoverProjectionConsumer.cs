using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;

namespace Imsa.Network.Counselling.Consumers;

/// <summary>
/// Keeps each case's handovers as the Handovers service announces them: the closed loop the owner sees on its case,
/// and who may read the dossier. Every event names the ticket's status and version, so duplicates and late arrivals
/// of an older state change nothing, and an ended ticket is never brought back by a stale acceptance.
/// </summary>
internal sealed class HandoverProjectionConsumer(CounsellingDbContext db)
    : IdempotentConsumer<CounsellingDbContext>(db), IConsumer<IHandoverEvent>
{
    public Task Consume(ConsumeContext<IHandoverEvent> context) =>
        // Events of one ticket one at a time: no race to insert its row, no retry.
        ConsumeOnceAsync(context, context.Message.HandoverId, async () =>
        {
            var change = context.Message;
            var handover = await Db.Handovers.FindAsync([change.HandoverId], context.CancellationToken);
            if (handover is null)
            {
                handover = new CaseHandover { HandoverId = change.HandoverId, CaseId = change.CaseId, Status = change.Status };
                Db.Handovers.Add(handover);
            }
            else if (change.Version <= handover.Version)
            {
                return;
            }

            handover.ReceiverOrganisationId = change.ReceiverOrganisationId;
            handover.Status = change.Status;
            handover.Version = change.Version;
            handover.UpdatedAt = change.At;
            if (context.TryGetMessage<HandoverDeclined>(out var declined))
            {
                handover.DeclineReason = declined.Message.Reason;
            }
            else if (context.TryGetMessage<HandoverOutcomeRecorded>(out var outcome))
            {
                handover.LastOutcome = outcome.Message.Outcome;
                handover.LastOutcomeOn = outcome.Message.OccurredOn;
            }
        });
}
