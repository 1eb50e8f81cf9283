namespace Imsa.Network.Bench.Measurement;

/// <summary>Distribution of durations in milliseconds (nearest-rank percentiles).</summary>
public sealed record DurationStats(int Count, double Mean, double P50, double P95, double P99, double Max)
{
    public static DurationStats Empty { get; } = new(0, 0, 0, 0, 0, 0);

    public static DurationStats Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0)
        {
            return Empty;
        }

        return new DurationStats(sorted.Length, sorted.Average(), Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1]);
    }

    private static double Rank(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
