using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Imsa.Network.Messaging.Inbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Handovers.Consumers;

/// <summary>
/// Keeps who owns each case (the requester must own it) and whether its processing is restricted (no new offers); on
/// an erasure, clears the free text of the case's tickets and revokes every open handover of it. An erasure that
/// arrives before the opening stays an erasure. A case that becomes known decides the requests waiting for it
/// (<see cref="PendingRequests"/>).
/// </summary>
internal sealed class CaseEventsConsumer(HandoversDbContext db, TimeProvider time, IOptions<SlaOptions> sla) : IdempotentConsumer<HandoversDbContext>(db),
    IConsumer<CaseOpened>,
    IConsumer<CaseUpdated>,
    IConsumer<CaseRestricted>,
    IConsumer<CaseRestrictionLifted>,
    IConsumer<CaseErased>
{
    public Task Consume(ConsumeContext<CaseOpened> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var opened = context.Message;
            await PendingRequests.LockCaseAsync(Db, opened.CaseId, context.CancellationToken);
            var ownership = await Db.Cases.FindAsync([opened.CaseId], context.CancellationToken);
            if (ownership is null)
            {
                ownership = new CaseOwnership { CaseId = opened.CaseId, OwnerOrganisationId = opened.OwnerOrganisationId, UpdatedAt = opened.At };
                Db.Cases.Add(ownership);
            }

            // Also when the erasure came first (the statistics keep the codes, which name no one); not over newer codes.
            if (ownership.Purpose.Length == 0 || opened.At >= ownership.UpdatedAt)
            {
                ownership.Purpose = opened.Purpose;
                ownership.DestinationState = opened.DestinationState;
                ownership.PlannedArrivalMonth = opened.PlannedArrivalMonth;
            }

            await PendingRequests.DecideAsync(Db, opened.CaseId, sla.Value, time, context.CancellationToken);
        });

    public Task Consume(ConsumeContext<CaseUpdated> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var updated = context.Message;
            var ownership = await Db.Cases.FindAsync([updated.CaseId], context.CancellationToken);
            if (ownership is null)
            {
                // Its opening is still on its way: it becomes known with the newer codes.
                await PendingRequests.LockCaseAsync(Db, updated.CaseId, context.CancellationToken);
                Db.Cases.Add(new CaseOwnership
                {
                    CaseId = updated.CaseId,
                    OwnerOrganisationId = updated.OwnerOrganisationId,
                    Purpose = updated.Purpose,
                    DestinationState = updated.DestinationState,
                    PlannedArrivalMonth = updated.PlannedArrivalMonth,
                    UpdatedAt = updated.At,
                });
                await PendingRequests.DecideAsync(Db, updated.CaseId, sla.Value, time, context.CancellationToken);
            }
            else if (updated.At > ownership.UpdatedAt)
            {
                ownership.Purpose = updated.Purpose;
                ownership.DestinationState = updated.DestinationState;
                ownership.PlannedArrivalMonth = updated.PlannedArrivalMonth;
                ownership.UpdatedAt = updated.At;
            }
        });

    public Task Consume(ConsumeContext<CaseRestricted> context) =>
        ConsumeOnceAsync(context, () => RestrictAsync(context.Message.CaseId, context.Message.OwnerOrganisationId, true, context.Message.At, context.CancellationToken));

    public Task Consume(ConsumeContext<CaseRestrictionLifted> context) =>
        ConsumeOnceAsync(context, () => RestrictAsync(context.Message.CaseId, context.Message.OwnerOrganisationId, false, context.Message.At, context.CancellationToken));

    /// <summary>The newest of the restriction events wins, in whatever order they arrive; one before the opening makes the case known.</summary>
    private async Task RestrictAsync(Guid caseId, Guid owner, bool restricted, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var ownership = await Db.Cases.FindAsync([caseId], cancellationToken);
        if (ownership is null)
        {
            ownership = new CaseOwnership { CaseId = caseId, OwnerOrganisationId = owner, UpdatedAt = at };
            Db.Cases.Add(ownership);
        }
        else if (ownership.RestrictionChangedAt > at)
        {
            return;
        }

        ownership.Restricted = restricted;
        ownership.RestrictionChangedAt = at;
    }

    public Task Consume(ConsumeContext<CaseErased> context) =>
        ConsumeOnceAsync(context, async () =>
        {
            var erased = context.Message;
            var ownership = await Db.Cases.FindAsync([erased.CaseId], context.CancellationToken);
            if (ownership is null)
            {
                Db.Cases.Add(new CaseOwnership { CaseId = erased.CaseId, OwnerOrganisationId = erased.OwnerOrganisationId, Erased = true, UpdatedAt = erased.At });
            }
            else
            {
                ownership.Erased = true;
                ownership.UpdatedAt = erased.At;
            }

            // Saved first: a handover request holding this row FOR SHARE commits before this update, and its ticket
            // is then found below.
            await Db.SaveChangesAsync(context.CancellationToken);

            // The tickets' free text (the origin's message, a decline note) may name the person despite the rule:
            // it goes with the case, its key deleted (crypto-shredding). Before the tickets are loaded below, so
            // their row versions are the new ones.
            await TicketTexts.ShredAsync(Db, erased.CaseId, context.CancellationToken);
            await Revocations.RevokeAsync(Db, erased.CaseId, null, RevocationCause.CaseErased, time, context.CancellationToken);
        });
}
