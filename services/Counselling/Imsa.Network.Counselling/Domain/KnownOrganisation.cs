namespace Imsa.Network.Counselling.Domain;

/// <summary>What this service knows of an organisation, projected from the Partners service's events.</summary>
internal sealed class KnownOrganisation
{
    public Guid Id { get; set; }

    public required string Kind { get; set; }

    public required string Country { get; set; }

    public required string Status { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }
}

/// <summary>
/// How an organisation is reached as the controller of the data it records, projected from Partners'
/// <c>OrganisationContactChanged</c>: its name, postal address and first contact point (a function mailbox or
/// role, never a private person). A consent receipt names it; the newest announcement wins.
/// </summary>
internal sealed class ControllerContact
{
    public Guid OrganisationId { get; set; }

    public required string Name { get; set; }

    public string? Street { get; set; }

    public string? PostalCode { get; set; }

    public string? City { get; set; }

    /// <summary>ISO 3166-1 alpha-2 of the postal address.</summary>
    public string? Country { get; set; }

    public string? Role { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    /// <summary>When Partners announced it: an older announcement arriving late changes nothing.</summary>
    public DateTimeOffset ChangedAt { get; set; }
}
