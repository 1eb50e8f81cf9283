namespace Imsa.Network.Partners.Domain;

/// <summary>
/// What an organisation says about itself; the receiving-service part only for receiving services. Modelled on
/// Open Referral HSDS 3: <c>service_area</c>, <c>language</c>, <c>eligibility</c>.
/// </summary>
/// <param name="Languages">ISO 639-1 codes of the languages it counsels in.</param>
/// <param name="Topics">Counselling topic codes (GET /reference/topics).</param>
public sealed record OrganisationProfile(
    PostalAddress? Address,
    IReadOnlyList<OrganisationContact> Contacts,
    IReadOnlyList<string> Languages,
    IReadOnlyList<string> Topics,
    ReceivingServiceProfile? Receiving)
{
    public static readonly OrganisationProfile Empty = new(null, [], [], [], null);
}

public sealed record PostalAddress(string Street, string PostalCode, string City, string Country);

/// <summary>A way to reach the organisation: a function mailbox or a named role, not a private person's details.</summary>
public sealed record OrganisationContact(string Role, string? Email, string? Phone);

/// <param name="ServiceTypes">MBE, JMD, MFD, AVB, IQ, FI, FM or OTHER.</param>
public sealed record ReceivingServiceProfile(
    IReadOnlyList<string> ServiceTypes,
    ServiceAreaProfile Area,
    EligibilityProfile Eligibility,
    CapacityProfile Capacity);

/// <param name="States">ISO 3166-2:DE codes, e.g. DE-RP.</param>
/// <param name="Districts">5-digit district keys, e.g. 07315.</param>
/// <param name="PostalCodes">5-digit postal codes.</param>
public sealed record ServiceAreaProfile(IReadOnlyList<string> States, IReadOnlyList<string> Districts, IReadOnlyList<string> PostalCodes);

/// <param name="MinAge">Youngest age served, inclusive; none = no lower limit.</param>
/// <param name="MaxAge">Oldest age served, inclusive; none = no upper limit.</param>
/// <param name="Purposes">Migration purpose codes served; empty = every purpose.</param>
/// <param name="ResidenceSituations">Residence situation codes served; empty = every situation.</param>
public sealed record EligibilityProfile(int? MinAge, int? MaxAge, IReadOnlyList<string> Purposes, IReadOnlyList<string> ResidenceSituations);

/// <param name="Accepting">False while the service takes no handovers at all.</param>
/// <param name="MaxOpenHandovers">Most handovers it wants open at once; none = no limit declared.</param>
/// <param name="NoCapacityUntil">No handovers before this date (e.g. staff on leave).</param>
/// <param name="Note">The service's own words about its capacity.</param>
public sealed record CapacityProfile(bool Accepting, int? MaxOpenHandovers, DateOnly? NoCapacityUntil, string? Note)
{
    public static readonly CapacityProfile Open = new(true, null, null, null);
}
