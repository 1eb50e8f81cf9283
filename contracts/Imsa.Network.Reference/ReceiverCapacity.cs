namespace Imsa.Network.Reference;

/// <summary>
/// Whether a receiving service takes new handovers, as it declares it: the one rule that the directory (Partners,
/// to suggest a service) and a handover request (Handovers, to offer it one) both apply, each to its own copy of the
/// declaration and of the service's open handovers.
/// </summary>
/// <param name="Accepting">False while the service takes no handovers at all.</param>
/// <param name="MaxOpenHandovers">Most handovers the service wants open at once; none = no limit declared.</param>
/// <param name="NoCapacityUntil">No new handovers before this day (e.g. staff on leave); none or past = no pause.</param>
public readonly record struct ReceiverCapacity(bool Accepting, int? MaxOpenHandovers, DateOnly? NoCapacityUntil)
{
    /// <summary>A service that declared nothing: accepting, without limit or pause.</summary>
    public static ReceiverCapacity Open => new(true, null, null);

    /// <summary>Paused on <paramref name="today"/>: from <see cref="NoCapacityUntil"/> on, it takes handovers again.</summary>
    public bool IsPausedOn(DateOnly today) => NoCapacityUntil is { } until && today < until;

    /// <summary>At or over its maximum with <paramref name="openHandovers"/> open.</summary>
    public bool IsFullWith(int openHandovers) => MaxOpenHandovers is { } max && openHandovers >= max;

    /// <summary>Takes a new handover now: accepting, not paused, below its maximum.</summary>
    public bool TakesNewHandover(int openHandovers, DateOnly today) =>
        Accepting && !IsPausedOn(today) && !IsFullWith(openHandovers);
}
