namespace Imsa.Network.Testing;

/// <summary>
/// The system clock moved forward by an offset a test controls. Only "now" moves: timers and delays keep real
/// time, so background loops run as usual while deadlines (SLA, consent validity) can be passed at once.
/// </summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>Moves "now" forward; time never goes back.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
