namespace Imsa.Network.Partners.Domain;

public enum OrganisationKind
{
    OriginPartner,
    TransitPartner,
    ReceivingService,
    Coordinator,
}

public enum OrganisationStatus
{
    PendingVerification,
    Active,
    Suspended,
    Retired,
}

/// <summary>An organisation of the network: a partner abroad, a receiving service in Germany, or a coordinator.</summary>
internal sealed class Organisation
{
    public Guid Id { get; private set; }

    public string Name { get; private set; } = "";

    /// <summary>Upper-case, whitespace-folded name: a second registration of the same organisation is found by it.</summary>
    public string NormalizedName { get; private set; } = "";

    /// <summary>ISO 3166-1 alpha-2.</summary>
    public string Country { get; private set; } = "";

    public OrganisationKind Kind { get; private set; }

    public OrganisationStatus Status { get; private set; }

    public DateTimeOffset RegisteredAt { get; private set; }

    public static Organisation Register(string name, string country, OrganisationKind kind, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Name = name.Trim(),
        NormalizedName = Normalize(name),
        Country = country,
        Kind = kind,
        Status = OrganisationStatus.PendingVerification,
        RegisteredAt = now,
    };

    public static string Normalize(string name) =>
        string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
}
