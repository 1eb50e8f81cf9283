namespace Imsa.Network.Counselling.Domain;

public enum CaseStatus
{
    Open,
    Closed,
    Erased,
}

public enum CaseCloseReason
{
    HandedOver,
    NoLongerPlanned,
    LostContact,
    Transferred,
    Other,
}

/// <summary>Why the processing of a case is restricted: the four cases of GDPR Art. 18(1), (a) to (d).</summary>
public enum CaseRestrictionReason
{
    /// <summary>The person contests the data's accuracy, while it is checked.</summary>
    AccuracyContested,

    /// <summary>The processing is unlawful and the person asks for restriction instead of erasure.</summary>
    UnlawfulProcessing,

    /// <summary>The data is no longer needed, but the person needs it for legal claims.</summary>
    LegalClaims,

    /// <summary>The person objected (Art. 21(1)), while it is checked whether the grounds override theirs.</summary>
    ObjectionPending,
}

/// <summary>
/// A pre-integration case, owned by the partner organisation that opened it. Personal content is held only as
/// sealed sections (see <see cref="Protection.CaseCipher"/>); what stays in clear is what events and statistics
/// may carry: the owner, the purpose code, the destination state and district, the month of arrival.
/// </summary>
internal sealed class Case
{
    public Guid Id { get; init; }

    public Guid OwnerOrganisationId { get; init; }

    public CaseStatus Status { get; set; }

    public CaseCloseReason? CloseReason { get; set; }

    public DateTimeOffset OpenedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Since when its processing is restricted (GDPR Art. 18); null when it is not.</summary>
    public DateTimeOffset? RestrictedAt { get; set; }

    public CaseRestrictionReason? RestrictionReason { get; set; }

    public required string Purpose { get; set; }

    public string? DestinationState { get; set; }

    public string? DestinationDistrict { get; set; }

    public DateOnly? PlannedArrivalMonth { get; set; }

    public byte[]? Identity { get; set; }

    public byte[]? Contact { get; set; }

    public byte[]? MigrationPlan { get; set; }

    public byte[]? LanguageAndQualifications { get; set; }

    public byte[]? NeedsAndOpenTasks { get; set; }

    public byte[]? SpecialCategories { get; set; }

    /// <summary>PostgreSQL's row version: a concurrent change makes SaveChanges fail rather than be lost.</summary>
    public uint Version { get; set; }
}

/// <summary>A case's data key, wrapped by a master key. Deleting the row erases the case (crypto-shredding).</summary>
internal sealed class CaseKey
{
    public Guid CaseId { get; init; }

    public required string MasterKeyId { get; set; }

    public required byte[] WrappedKey { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? RewrappedAt { get; set; }
}

/// <summary>A counselling session; its content is sealed under the case's key.</summary>
internal sealed class CounsellingSession
{
    public Guid Id { get; init; }

    public Guid CaseId { get; init; }

    public DateTimeOffset RecordedAt { get; init; }

    public required byte[] Content { get; init; }
}
