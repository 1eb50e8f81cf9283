namespace Imsa.Network.Contracts.Partners;

/// <summary>
/// An organisation changed the directory-relevant part of its profile: codes only (no addresses, contacts or
/// notes). The receiving-service fields are empty for other kinds.
/// </summary>
public sealed record OrganisationUpdated(
    Guid OrganisationId,
    IReadOnlyList<string> Languages,
    IReadOnlyList<string> Topics,
    IReadOnlyList<string> ServiceTypes,
    IReadOnlyList<string> States,
    IReadOnlyList<string> Districts,
    IReadOnlyList<string> PostalCodes,
    int? MinAge,
    int? MaxAge,
    IReadOnlyList<string> Purposes,
    IReadOnlyList<string> ResidenceSituations,
    DateTimeOffset At);

/// <summary>A receiving service changed whether and how many handovers it takes (its note stays in Partners).</summary>
public sealed record OrganisationCapacityChanged(
    Guid OrganisationId,
    bool Accepting,
    int? MaxOpenHandovers,
    DateOnly? NoCapacityUntil,
    DateTimeOffset At);
