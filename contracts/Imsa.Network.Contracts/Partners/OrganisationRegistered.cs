namespace Imsa.Network.Contracts.Partners;

/// <summary>An organisation was registered and now waits for a coordinator to verify it.</summary>
/// <param name="OrganisationId">The organisation's id in the Partners service.</param>
/// <param name="Kind">origin-partner, transit-partner, receiving-service or coordinator (<see cref="OrganisationKinds"/>).</param>
/// <param name="Country">ISO 3166-1 alpha-2 code of the country the organisation works in.</param>
/// <param name="Status">The organisation's lifecycle status after registration (<see cref="OrganisationStatuses"/>).</param>
/// <param name="RegisteredAt">When the registration was recorded.</param>
public sealed record OrganisationRegistered(
    Guid OrganisationId,
    string Kind,
    string Country,
    string Status,
    DateTimeOffset RegisteredAt);
