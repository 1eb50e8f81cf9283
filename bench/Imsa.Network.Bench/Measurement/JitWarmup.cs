using System.Diagnostics;
using System.Runtime;

namespace Imsa.Network.Bench.Measurement;

/// <summary>
/// Repeats a warm-up round until the JIT has settled: until a round spends under <see cref="SettledShare"/> of
/// its wall time compiling. Tiered compilation keeps recompiling hot library code (EF Core, Npgsql, MassTransit)
/// for many seconds on 2 cores; measuring before it settles would measure the JIT.
/// </summary>
public static class JitWarmup
{
    public const double SettledShare = 0.05;

    /// <returns>Per round, the JIT's compile time as a share of the round's wall time.</returns>
    public static async Task<IReadOnlyList<double>> UntilSettledAsync(Func<Task> round, int maxRounds)
    {
        ArgumentNullException.ThrowIfNull(round);
        var shares = new List<double>();
        while (shares.Count < maxRounds)
        {
            var started = Stopwatch.GetTimestamp();
            var compiling = JitInfo.GetCompilationTime();
            await round();
            var share = (JitInfo.GetCompilationTime() - compiling) / Stopwatch.GetElapsedTime(started);
            shares.Add(share);
            if (share < SettledShare)
            {
                break;
            }
        }

        return shares;
    }
}
