using System.Linq.Expressions;
using Imsa.Network.Contracts.Partners;
using Imsa.Network.Reference;

namespace Imsa.Network.Handovers.Domain;

/// <summary>What this service knows of an organisation, projected from the Partners service's events.</summary>
internal sealed class KnownOrganisation
{
    /// <summary>The kind of an organisation heard of (its capacity or profile) before its registration arrived.</summary>
    public const string UnknownKind = "unknown";

    public Guid Id { get; set; }

    /// <summary><see cref="OrganisationKinds"/>, or <see cref="UnknownKind"/> until the registration arrives.</summary>
    public required string Kind { get; set; }

    public required string Country { get; set; }

    /// <summary>The status at registration; the lifecycle status is in the access projection (access.organisation_access).</summary>
    public required string Status { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }

    /// <summary>Whether it takes new handovers; unknown (no capacity announced yet) counts as accepting.</summary>
    public bool? Accepting { get; set; }

    public int? MaxOpenHandovers { get; set; }

    public DateOnly? NoCapacityUntil { get; set; }

    public DateTimeOffset? CapacityChangedAt { get; set; }

    /// <summary>MBE, JMD, MFD, …: from the profile, for the statistics by service type.</summary>
    public List<string> ServiceTypes { get; set; } = [];

    public DateTimeOffset? ProfileChangedAt { get; set; }

    public bool IsReceivingService => Kind == OrganisationKinds.ReceivingService;

    /// <summary>Its declared capacity; one that declared none takes handovers without limit.</summary>
    public ReceiverCapacity Capacity => new(Accepting ?? true, MaxOpenHandovers, NoCapacityUntil);

    /// <summary>An organisation heard of before its registration arrived (another queue); the registration fills it in.</summary>
    public static KnownOrganisation Placeholder(Guid id) => new() { Id = id, Kind = UnknownKind, Country = "--", Status = UnknownKind };
}

/// <summary>Who owns a case, and whether it still exists, projected from the Counselling service's events.</summary>
internal sealed class CaseOwnership
{
    public Guid CaseId { get; init; }

    public Guid OwnerOrganisationId { get; set; }

    public bool Erased { get; set; }

    /// <summary>The owner restricted the case's processing (GDPR Art. 18): no new offers.</summary>
    public bool Restricted { get; set; }

    /// <summary>When the newest restriction event applied here happened (events may arrive out of order).</summary>
    public DateTimeOffset? RestrictionChangedAt { get; set; }

    /// <summary>Migration purpose code, for the statistics (empty when only the erasure is known).</summary>
    public string Purpose { get; set; } = "";

    public string? DestinationState { get; set; }

    public DateOnly? PlannedArrivalMonth { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One consent as far as handovers care: which case, which recipients, until when, and whether it ended. Projected
/// from ConsentGranted / ConsentWithdrawn / ConsentExpired in whatever order they arrive; an ended consent stays
/// ended.
/// </summary>
internal sealed class ConsentCoverage
{
    public Guid ConsentId { get; init; }

    public Guid CaseId { get; set; }

    public required List<Guid> Recipients { get; set; }

    public List<string> Categories { get; set; } = [];

    /// <summary>False while only the end of the consent is known (its grant has not arrived yet).</summary>
    public bool Granted { get; set; }

    public DateTimeOffset ValidFrom { get; set; }

    public DateTimeOffset ValidUntil { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>withdrawn or expired.</summary>
    public string? EndedHow { get; set; }

    /// <summary>
    /// The one definition of an active consent here: granted, not ended, valid at <paramref name="now"/>, naming
    /// <paramref name="receiver"/> for <paramref name="caseId"/>. A handover to the receiver may be offered, and
    /// stands, only while one exists.
    /// </summary>
    public static Expression<Func<ConsentCoverage, bool>> ActiveFor(Guid caseId, Guid receiver, DateTimeOffset now) =>
        c => c.CaseId == caseId && c.Granted && c.EndedAt == null && c.ValidFrom <= now && c.ValidUntil > now
            && c.Recipients.Contains(receiver);
}
