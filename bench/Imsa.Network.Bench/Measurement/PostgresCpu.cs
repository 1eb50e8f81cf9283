using System.Globalization;
using Npgsql;

namespace Imsa.Network.Bench.Measurement;

/// <summary>
/// CPU seconds so far of the PostgreSQL processes that work for some databases: their backends and the server's own
/// processes (WAL writer, checkpointer, ...), not the backends of other databases (other users' runs and tests), as
/// JourneyMonitor counts them for the services. Linux only (/proc); empty elsewhere.
/// </summary>
public static class PostgresCpu
{
    /// <param name="dataSource">Any database of the server.</param>
    /// <param name="databases">The databases whose backends count.</param>
    public static async Task<Dictionary<int, double>> TakeAsync(NpgsqlDataSource dataSource, string[] databases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var seconds = new Dictionary<int, double>();
        if (!Directory.Exists("/proc"))
        {
            return seconds;
        }

        var others = new HashSet<int>();
        await using (var command = dataSource.CreateCommand("SELECT pid FROM pg_stat_activity WHERE datname IS NOT NULL AND NOT (datname = ANY($1))"))
        {
            command.Parameters.AddWithValue(databases);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                others.Add(reader.GetInt32(0));
            }
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !others.Contains(pid)
                && ProcessStat(pid) is ("postgres", var cpu))
            {
                seconds[pid] = cpu;
            }
        }

        return seconds;
    }

    /// <summary>CPU seconds between two readings, over the processes alive at the second (one that ended took its CPU with it).</summary>
    public static double Since(IReadOnlyDictionary<int, double> start, IReadOnlyDictionary<int, double> end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        return end.Sum(p => Math.Max(0, p.Value - start.GetValueOrDefault(p.Key)));
    }

    /// <summary>A process's command name and utime + stime in seconds, from /proc/PID/stat; null once it has ended.</summary>
    private static (string Command, double Seconds)? ProcessStat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var (open, close) = (stat.IndexOf('(', StringComparison.Ordinal), stat.LastIndexOf(')'));
            var fields = stat[(close + 2)..].Split(' ');
            return (stat[(open + 1)..close], (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
