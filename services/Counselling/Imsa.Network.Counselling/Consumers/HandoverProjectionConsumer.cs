using Imsa.Network.Contracts.Handovers;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;

namespace Imsa.Network.Counselling.Consumers;

/// <summary>
/// Keeps each case's handovers as the Handovers service announces them: the closed loop the owner sees on its case,
/// and who may read the dossier. Every event carries the ticket's version, so duplicates and late arrivals of an
/// older state change nothing, and an ended ticket is never brought back by a stale acceptance.
/// </summary>
internal sealed class HandoverProjectionConsumer(CounsellingDbContext db) :
    IConsumer<HandoverRequested>,
    IConsumer<HandoverOffered>,
    IConsumer<HandoverAccepted>,
    IConsumer<HandoverDeclined>,
    IConsumer<HandoverWithdrawn>,
    IConsumer<HandoverRevoked>,
    IConsumer<HandoverEscalated>,
    IConsumer<HandoverReassigned>,
    IConsumer<HandoverOutcomeRecorded>,
    IConsumer<HandoverCompleted>
{
    private const string Name = nameof(HandoverProjectionConsumer);

    public Task Consume(ConsumeContext<HandoverRequested> context) =>
        ApplyAsync(context, context.Message.HandoverId, context.Message.CaseId, context.Message.ReceiverOrganisationId, context.Message.Version, context.Message.At, h => h.Status = "requested");

    public Task Consume(ConsumeContext<HandoverOffered> context) =>
        ApplyAsync(context, context.Message.HandoverId, context.Message.CaseId, context.Message.ReceiverOrganisationId, context.Message.Version, context.Message.At, h => h.Status = "offered");

    public Task Consume(ConsumeContext<HandoverAccepted> context) =>
        ApplyAsync(context, context.Message.HandoverId, context.Message.CaseId, context.Message.ReceiverOrganisationId, context.Message.Version, context.Message.At, h => h.Status = "accepted");

    public Task Consume(ConsumeContext<HandoverDeclined> context) =>
        ApplyAsync(context, context.Message.HandoverId, context.Message.CaseId, context.Message.ReceiverOrganisationId, context.Message.Version, context.Message.At, h =>
        {
            h.Status = "declined";
            h.DeclineReason = context.Message.Reason;
        });

    public Task Consume(ConsumeContext<HandoverWithdrawn> context) =>
        ApplyAsync(context, context.Message.HandoverId, context.Message.CaseId, context.Message.ReceiverOrganisationId, context.Message.Version, context.Message.At, h => h.Status = "withdrawn");

    public Task Consume(ConsumeContext<HandoverRevoked> context) =>
        ApplyAsync(context, context.Message.HandoverId, context.Message.CaseId, context.Message.ReceiverOrganisationId, context.Message.Version, context.Message.At, h => h.Status = "revoked");

    public Task Consume(ConsumeContext<HandoverEscalated> context) =>
        ApplyAsync(context, context.Message.HandoverId, context.Message.CaseId, context.Message.ReceiverOrganisationId, context.Message.Version, context.Message.At, h => h.Status = "escalated");

    public Task Consume(ConsumeContext<HandoverReassigned> context) =>
        ApplyAsync(context, context.Message.HandoverId, context.Message.CaseId, context.Message.ReceiverOrganisationId, context.Message.Version, context.Message.At, h =>
        {
            h.Status = "offered";
            h.ReceiverOrganisationId = context.Message.ReceiverOrganisationId;
        });

    public Task Consume(ConsumeContext<HandoverOutcomeRecorded> context) =>
        ApplyAsync(context, context.Message.HandoverId, context.Message.CaseId, context.Message.ReceiverOrganisationId, context.Message.Version, context.Message.At, h =>
        {
            // An outcome is recorded only on an accepted ticket; first contact moves it on.
            h.Status = context.Message.Outcome == "first-contact-made" || h.Status == "in-contact" ? "in-contact" : "accepted";
            h.LastOutcome = context.Message.Outcome;
            h.LastOutcomeOn = context.Message.OccurredOn;
        });

    public Task Consume(ConsumeContext<HandoverCompleted> context) =>
        ApplyAsync(context, context.Message.HandoverId, context.Message.CaseId, context.Message.ReceiverOrganisationId, context.Message.Version, context.Message.At, h => h.Status = "completed");

    private Task ApplyAsync<TMessage>(
        ConsumeContext<TMessage> context, Guid handoverId, Guid caseId, Guid receiver, long version, DateTimeOffset at, Action<CaseHandover> apply)
        where TMessage : class =>
        Inbox.ConsumeOnceAsync(db, context, Name, async () =>
        {
            // Events of one ticket one at a time: no race to insert its row, no retry.
            await Inbox.LockAsync(db, handoverId, context.CancellationToken);
            var handover = await db.Handovers.FindAsync([handoverId], context.CancellationToken);
            if (handover is null)
            {
                handover = new CaseHandover { HandoverId = handoverId, CaseId = caseId, ReceiverOrganisationId = receiver, Status = "requested" };
                db.Handovers.Add(handover);
            }
            else if (version <= handover.Version)
            {
                return;
            }

            apply(handover);
            handover.Version = version;
            handover.UpdatedAt = at;
        });
}
