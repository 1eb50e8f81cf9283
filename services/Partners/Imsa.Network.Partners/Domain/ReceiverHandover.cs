namespace Imsa.Network.Partners.Domain;

/// <summary>
/// A handover as far as a receiver's load goes: whether it is open, projected from the Handovers service's events
/// for capacity-aware matching. The newest ticket version wins.
/// </summary>
internal sealed class ReceiverHandover
{
    public Guid HandoverId { get; init; }

    public Guid ReceiverOrganisationId { get; set; }

    public bool Open { get; set; }

    public long Version { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
