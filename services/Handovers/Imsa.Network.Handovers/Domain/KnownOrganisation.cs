namespace Imsa.Network.Handovers.Domain;

/// <summary>What this service knows of an organisation, projected from the Partners service's events.</summary>
internal sealed class KnownOrganisation
{
    public Guid Id { get; set; }

    public required string Kind { get; set; }

    public required string Country { get; set; }

    public required string Status { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }
}
