using System.Globalization;
using Imsa.Network.Access;
using Imsa.Network.Contracts.Partners;
using Imsa.Network.Handovers.Data;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Handovers.Domain;

/// <summary>Why a case cannot be offered to a receiver now; the first two are "not found", the rest conflicts.</summary>
internal enum OfferRefusalReason
{
    /// <summary>No case of the origin's is known here (never, not yet, or erased).</summary>
    CaseNotFound,

    /// <summary>No receiving service with the id is registered.</summary>
    ReceiverNotFound,

    OriginNotActive,
    ReceiverNotActive,
    ReceiverPaused,
    ReceiverNotAccepting,
    ReceiverFull,

    /// <summary>No active consent of the person names the receiver.</summary>
    NoConsent,

    /// <summary>The case already has an open handover to the receiver: one at a time.</summary>
    OpenHandoverExists,

    /// <summary>The owner restricted the case's processing (GDPR Art. 18): it goes to no new receiver.</summary>
    CaseRestricted,
}

/// <param name="Detail">What failed, in a sentence the caller can act on.</param>
internal sealed record OfferRefusal(OfferRefusalReason Reason, string Detail)
{
    public bool IsNotFound => Reason is OfferRefusalReason.CaseNotFound or OfferRefusalReason.ReceiverNotFound;

    /// <summary>
    /// What an event on its way may still change: the case or a consent naming the receiver not here yet. A request
    /// refused only for this waits for them (<see cref="PendingRequests"/>) instead of being answered 404 or 409.
    /// </summary>
    public bool CanWait => Reason is OfferRefusalReason.CaseNotFound or OfferRefusalReason.NoConsent;

    /// <summary>The reason a request declined by the service gives for this refusal.</summary>
    public DeclineReason DeclineReason => Reason switch
    {
        OfferRefusalReason.CaseNotFound => Domain.DeclineReason.CaseNotFound,
        OfferRefusalReason.NoConsent => Domain.DeclineReason.NoConsent,
        OfferRefusalReason.CaseRestricted => Domain.DeclineReason.CaseRestricted,
        OfferRefusalReason.OriginNotActive => Domain.DeclineReason.OriginNotActive,
        OfferRefusalReason.OpenHandoverExists => Domain.DeclineReason.Duplicate,
        _ => Domain.DeclineReason.ReceiverUnavailable,
    };
}

/// <summary>What this service knows of a receiver, for one case, at one moment.</summary>
/// <param name="Receiver">The organisation, if it is known here at all.</param>
/// <param name="Active">Verified and neither suspended nor retired (the access projection).</param>
/// <param name="OpenHandovers">Its open handovers, of any case.</param>
/// <param name="ConsentNamesIt">An active consent (<see cref="ConsentCoverage.ActiveFor"/>) of the case names it.</param>
/// <param name="OpenHandoverOfTheCase">It already has an open handover of the case.</param>
/// <param name="CaseRestricted">The case's processing is restricted (CaseRestricted, not lifted since).</param>
internal sealed record ReceiverFacts(
    KnownOrganisation? Receiver, bool Active, int OpenHandovers, bool ConsentNamesIt, bool OpenHandoverOfTheCase, bool CaseRestricted = false);

/// <summary>What this service knows of a handover request: its case and origin, and the receiver asked.</summary>
/// <param name="CaseOwned">The case is known here, owned by the origin, and not erased.</param>
/// <param name="OriginActive">The origin is verified and neither suspended nor retired.</param>
/// <param name="Receiver">The receiver; when the case is not the origin's, only what does not depend on the case.</param>
internal sealed record RequestFacts(bool CaseOwned, bool OriginActive, ReceiverFacts Receiver);

/// <summary>
/// Whether a case may be offered to a receiving service: the one place these checks live, for a partner's request
/// and a coordinator's reassignment alike. Pure: the facts are read first (<see cref="ReadRequestAsync"/>,
/// <see cref="ReadReceiverAsync"/>), so the rules are tested without a database.
/// </summary>
internal static class HandoverOffer
{
    /// <summary>Null when the origin's request may become an offer; otherwise the first check that fails.</summary>
    public static OfferRefusal? Refuses(RequestFacts facts, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (!facts.OriginActive)
        {
            return new(OfferRefusalReason.OriginNotActive,
                "Your organisation is not active (not yet verified, or suspended): it cannot hand cases over.");
        }

        // Nothing of a case that is not the origin's shows: not whether it exists, is restricted or has handovers.
        return facts.CaseOwned
            ? Refuses(facts.Receiver, today)
            : RefusesReceiver(facts.Receiver, today) ?? CaseNotFound;
    }

    public static OfferRefusal CaseNotFound { get; } = new(OfferRefusalReason.CaseNotFound,
        "No case of yours with this id has reached the handover service: a case opened a moment ago may still be on its way.");

    /// <summary>Null when the case may be offered to the receiver (requested or reassigned); otherwise the first check that fails.</summary>
    public static OfferRefusal? Refuses(ReceiverFacts facts, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.CaseRestricted)
        {
            return new(OfferRefusalReason.CaseRestricted, "The processing of this case is restricted at the person's request (GDPR Art. 18): "
                + "it goes to no new receiving service until its owner lifts the restriction (Counselling service).");
        }

        return RefusesReceiver(facts, today) ?? RefusesCase(facts);
    }

    /// <summary>The checks of the receiver alone, whatever the case.</summary>
    private static OfferRefusal? RefusesReceiver(ReceiverFacts facts, DateOnly today)
    {
        if (facts.Receiver is not { IsReceivingService: true } receiver)
        {
            return new(OfferRefusalReason.ReceiverNotFound, "No receiving service with this id is registered in the network.");
        }

        if (!facts.Active)
        {
            return new(OfferRefusalReason.ReceiverNotActive, "The receiving service is not active (not yet verified, suspended or retired).");
        }

        // As in the directory: the same capacity rule, on this service's copy of the declaration and the load.
        var capacity = receiver.Capacity;
        if (capacity.IsPausedOn(today))
        {
            return new(OfferRefusalReason.ReceiverPaused,
                string.Create(CultureInfo.InvariantCulture, $"The receiving service takes no new handovers before {capacity.NoCapacityUntil:yyyy-MM-dd}."));
        }

        if (!capacity.Accepting)
        {
            return new(OfferRefusalReason.ReceiverNotAccepting, "The receiving service takes no new handovers at present.");
        }

        if (capacity.IsFullWith(facts.OpenHandovers))
        {
            return new(OfferRefusalReason.ReceiverFull,
                string.Create(CultureInfo.InvariantCulture, $"The receiving service is at capacity ({facts.OpenHandovers} of {capacity.MaxOpenHandovers} handovers open)."));
        }

        return null;
    }

    private static OfferRefusal? RefusesCase(ReceiverFacts facts)
    {
        if (!facts.ConsentNamesIt)
        {
            return new(OfferRefusalReason.NoConsent, "No active consent of the person names this receiving service: the origin partner must record a new "
                + "consent naming it (Counselling service) before the case can go there.");
        }

        if (facts.OpenHandoverOfTheCase)
        {
            return OpenHandoverExists;
        }

        return null;
    }

    public static OfferRefusal OpenHandoverExists { get; } =
        new(OfferRefusalReason.OpenHandoverExists, "An open handover of this case to this receiving service exists already: one at a time.");

    /// <summary>
    /// Reads what a request is decided on. Call it in the transaction that writes the ticket: the case and consent rows
    /// the decision rests on are read FOR SHARE, so an erasure or withdrawal being applied right now either commits
    /// first (and is seen here) or waits for this transaction (and then revokes its ticket). One query for the case,
    /// the consent and both parties' status, one for the receiver, one more only when it declared a capacity.
    /// </summary>
    public static async Task<RequestFacts> ReadRequestAsync(
        HandoversDbContext db, Guid caseId, Guid origin, Guid receiverId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var facts = await ReadCaseAsync(db, caseId, origin, receiverId, now, cancellationToken);
        if (facts is not { Owned: true })
        {
            // The case is not the origin's (not yet, or not at all): the parties are read without it.
            var parties = await db.Organisations.AsNoTracking()
                .Where(o => o.Id == receiverId)
                .Select(o => new
                {
                    Receiver = o,
                    ReceiverActive = db.Set<OrganisationAccess>().Any(a => a.OrganisationId == receiverId && a.Status == OrganisationStatuses.Active),
                    OriginActive = db.Set<OrganisationAccess>().Any(a => a.OrganisationId == origin && a.Status == OrganisationStatuses.Active),
                })
                .SingleOrDefaultAsync(cancellationToken);
            var originActive = parties?.OriginActive
                ?? await db.Set<OrganisationAccess>().AnyAsync(a => a.OrganisationId == origin && a.Status == OrganisationStatuses.Active, cancellationToken);
            var open = parties is { Receiver.MaxOpenHandovers: not null } ? await OpenHandoversAsync(db, receiverId, cancellationToken) : 0;
            return new RequestFacts(false, originActive, new ReceiverFacts(parties?.Receiver, parties?.ReceiverActive ?? false, open, false, false));
        }

        return new RequestFacts(true, facts.OriginActive, await ReceiverFactsAsync(db, facts, receiverId, cancellationToken));
    }

    private static Task<int> OpenHandoversAsync(HandoversDbContext db, Guid receiverId, CancellationToken cancellationToken) =>
        db.Tickets.CountAsync(t => t.ReceiverOrganisationId == receiverId && HandoverTicket.OfferedStatuses.Contains(t.Status), cancellationToken);

    /// <summary>Reads what offering <paramref name="caseId"/> to <paramref name="receiverId"/> is decided on; case and consent rows FOR SHARE, as above.</summary>
    public static async Task<ReceiverFacts> ReadReceiverAsync(
        HandoversDbContext db, Guid caseId, Guid receiverId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var facts = await ReadCaseAsync(db, caseId, null, receiverId, now, cancellationToken);
        return facts is null
            ? new ReceiverFacts(await db.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == receiverId, cancellationToken), false, 0, false, false)
            : await ReceiverFactsAsync(db, facts, receiverId, cancellationToken);
    }

    private static async Task<ReceiverFacts> ReceiverFactsAsync(HandoversDbContext db, CaseFacts facts, Guid receiverId, CancellationToken cancellationToken)
    {
        var receiver = await db.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == receiverId, cancellationToken);
        if (receiver is not { IsReceivingService: true })
        {
            return new ReceiverFacts(receiver, false, 0, false, false, facts.Restricted);
        }

        var open = receiver.MaxOpenHandovers is null ? 0 : await OpenHandoversAsync(db, receiverId, cancellationToken);
        return new ReceiverFacts(receiver, facts.ReceiverActive, open, facts.ConsentNamesReceiver, facts.OpenHandoverToReceiver, facts.Restricted);
    }

    /// <summary>
    /// The case's row and its consents' rows locked FOR SHARE (a restriction, erasure or withdrawal being applied now
    /// commits first and is seen, or waits for this offer), and what the request needs of them, in one statement.
    /// </summary>
    private static Task<CaseFacts?> ReadCaseAsync(
        HandoversDbContext db, Guid caseId, Guid? origin, Guid receiverId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var activeFor = ConsentCoverage.ActiveFor(caseId, receiverId, now);
        return db.Cases
            .FromSql($"SELECT * FROM case_owners WHERE case_id = {caseId} FOR SHARE")
            .Select(c => new CaseFacts(
                c.OwnerOrganisationId == origin && !c.Erased,
                c.Restricted,
                db.Set<OrganisationAccess>().Any(a => a.OrganisationId == origin && a.Status == OrganisationStatuses.Active),
                db.Set<OrganisationAccess>().Any(a => a.OrganisationId == receiverId && a.Status == OrganisationStatuses.Active),
                db.Consents.FromSql($"SELECT * FROM consent_coverage WHERE case_id = {caseId} FOR SHARE").Any(activeFor),
                db.Tickets.Any(t => t.CaseId == caseId && t.ReceiverOrganisationId == receiverId && HandoverTicket.OfferedStatuses.Contains(t.Status))))
            .SingleOrDefaultAsync(cancellationToken);
    }

    private sealed record CaseFacts(bool Owned, bool Restricted, bool OriginActive, bool ReceiverActive, bool ConsentNamesReceiver, bool OpenHandoverToReceiver);
}
