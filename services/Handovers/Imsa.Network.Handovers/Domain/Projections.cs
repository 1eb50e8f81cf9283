namespace Imsa.Network.Handovers.Domain;

/// <summary>What this service knows of an organisation, projected from the Partners service's events.</summary>
internal sealed class KnownOrganisation
{
    public Guid Id { get; set; }

    public required string Kind { get; set; }

    public required string Country { get; set; }

    /// <summary>The status at registration; the lifecycle status is in the access projection (messaging.organisation_access).</summary>
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
}

/// <summary>Who owns a case, and whether it still exists, projected from the Counselling service's events.</summary>
internal sealed class CaseOwnership
{
    public Guid CaseId { get; init; }

    public Guid OwnerOrganisationId { get; set; }

    public bool Erased { get; set; }

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
}
