namespace Imsa.Network.Testing;

/// <summary>Waits for eventual consistency by polling with a deadline, never by a fixed sleep.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds; returns the last value or throws with it.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}; last value: {value}.");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    public static Task<long> UntilCount(Func<Task<long>> count, long expected, string what, TimeSpan? timeout = null) =>
        Until(count, n => n == expected, what, timeout);
}
