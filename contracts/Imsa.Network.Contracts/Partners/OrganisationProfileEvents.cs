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

/// <summary>
/// How the organisation is reached as a data controller: its registered name, its postal address and its contact
/// points as its profile lists them. Organisation data, not personal data: the profile's contacts are function
/// mailboxes and roles (e.g. "Datenschutz", privacy@…), never a private person's details. Announced at registration
/// and whenever the profile's address or contacts change; the newest <paramref name="At"/> wins.
/// </summary>
/// <param name="Contacts">In the profile's order: the first is the one a consent receipt names.</param>
public sealed record OrganisationContactChanged(
    Guid OrganisationId,
    string Name,
    OrganisationPostalAddress? Address,
    IReadOnlyList<OrganisationContactPoint> Contacts,
    DateTimeOffset At);

/// <param name="Country">ISO 3166-1 alpha-2.</param>
public sealed record OrganisationPostalAddress(string Street, string PostalCode, string City, string Country);

/// <summary>A function mailbox or role of the organisation (at least one of email and phone).</summary>
public sealed record OrganisationContactPoint(string Role, string? Email, string? Phone);
