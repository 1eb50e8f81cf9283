using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace Imsa.Network.Bench.Measurement;

/// <summary>
/// CPU time spent during a measurement: by this process (<see cref="Process.TotalProcessorTime"/>) and, where
/// /proc is readable (Linux), by PostgreSQL, by RabbitMQ and by the whole machine, so a result says which
/// process the cores went to and whether they were saturated. All figures are CPU seconds.
/// </summary>
public sealed record CpuUsage(
    double ElapsedSeconds,
    int Cores,
    double BenchSeconds,
    double? PostgresSeconds,
    double? RabbitMqSeconds,
    double? MachineBusySeconds,
    RuntimeCounters Runtime)
{
    /// <summary>Busy CPU time of anything else: the kernel, other users' builds and tests.</summary>
    public double? OtherSeconds => MachineBusySeconds - BenchSeconds - PostgresSeconds - RabbitMqSeconds;

    /// <summary>Share of the machine's capacity (cores × elapsed) that was busy.</summary>
    public double? MachineBusyShare => MachineBusySeconds / (ElapsedSeconds * Cores);
}

/// <summary>CPU counters at one instant; <see cref="Until"/> gives the usage between two snapshots.</summary>
public readonly record struct CpuSnapshot(long Timestamp, TimeSpan Bench, ProcessCpu? Processes, double? MachineBusySeconds, RuntimeCounters Runtime)
{
    /// <summary>USER_HZ: the unit of /proc's CPU counters, 100 on every Linux architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    public static CpuSnapshot Take()
    {
        using var self = Process.GetCurrentProcess();
        return new CpuSnapshot(Stopwatch.GetTimestamp(), self.TotalProcessorTime, ReadProcesses(self.Id), ReadMachineBusy(), RuntimeCounters.Take());
    }

    public CpuUsage Until(CpuSnapshot later) => new(
        Stopwatch.GetElapsedTime(Timestamp, later.Timestamp).TotalSeconds,
        Environment.ProcessorCount,
        (later.Bench - Bench).TotalSeconds,
        later.Processes?.PostgresSeconds - Processes?.PostgresSeconds,
        later.Processes?.RabbitMqSeconds - Processes?.RabbitMqSeconds,
        later.MachineBusySeconds - MachineBusySeconds,
        later.Runtime - Runtime);

    /// <summary>First line of /proc/stat: "cpu user nice system idle iowait irq softirq steal ...".</summary>
    private static double? ReadMachineBusy()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
            var busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
            return busy / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>utime + stime of the PostgreSQL and RabbitMQ (Erlang VM) processes, from /proc/PID/stat.</summary>
    private static ProcessCpu? ReadProcesses(int selfId)
    {
        if (!Directory.Exists("/proc"))
        {
            return null;
        }

        double postgres = 0, rabbitMq = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == selfId)
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // The process ended meanwhile.
            }

            // "pid (comm) state ppid ... utime stime ...": comm may hold spaces, so split after its ')'.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                continue;
            }

            var command = stat[(open + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            var seconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            if (command == "postgres")
            {
                postgres += seconds;
            }
            else if (command is "beam.smp" or "erl_child_setup" or "epmd" or "inet_gethost")
            {
                rabbitMq += seconds;
            }
        }

        return new ProcessCpu(postgres, rabbitMq);
    }
}

public sealed record ProcessCpu(double PostgresSeconds, double RabbitMqSeconds);

/// <summary>The .NET runtime's own cumulative counters in this process: garbage collections, thread-pool work, lock contention.</summary>
public sealed record RuntimeCounters(
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    double GcPauseMilliseconds,
    long ThreadPoolWorkItems,
    long LockContentions,
    long AllocatedMegabytes,
    long JitCompiledMethods,
    double JitMilliseconds)
{
    public static RuntimeCounters Take() => new(
        GC.CollectionCount(0),
        GC.CollectionCount(1),
        GC.CollectionCount(2),
        GC.GetTotalPauseDuration().TotalMilliseconds,
        ThreadPool.CompletedWorkItemCount,
        Monitor.LockContentionCount,
        GC.GetTotalAllocatedBytes() / (1024 * 1024),
        JitInfo.GetCompiledMethodCount(),
        JitInfo.GetCompilationTime().TotalMilliseconds);

    public static RuntimeCounters operator -(RuntimeCounters later, RuntimeCounters earlier)
    {
        ArgumentNullException.ThrowIfNull(later);
        ArgumentNullException.ThrowIfNull(earlier);
        return new(
            later.Gen0Collections - earlier.Gen0Collections,
            later.Gen1Collections - earlier.Gen1Collections,
            later.Gen2Collections - earlier.Gen2Collections,
            later.GcPauseMilliseconds - earlier.GcPauseMilliseconds,
            later.ThreadPoolWorkItems - earlier.ThreadPoolWorkItems,
            later.LockContentions - earlier.LockContentions,
            later.AllocatedMegabytes - earlier.AllocatedMegabytes,
            later.JitCompiledMethods - earlier.JitCompiledMethods,
            later.JitMilliseconds - earlier.JitMilliseconds);
    }
}
