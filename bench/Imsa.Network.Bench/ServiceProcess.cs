using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Imsa.Network.Bench;

/// <summary>
/// One built service (dotnet Imsa.Network.{Name}.dll from its Release folder, which is also its content root), run as
/// its own process on a loopback port with the environment it is given (its deploy/environment file filled in, see
/// <see cref="ServiceEnvironment"/>, with the run's own settings over it). Its output goes to a log file; it is stopped
/// (SIGTERM, then killed) when disposed. The journeys mode runs three, the HTTP matching mode Partners alone.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>Clock ticks per second of /proc/PID/stat's utime and stime.</summary>
    private const double ClockTicksPerSecond = 100;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _lastLines = new();
    private readonly Lock _logLock = new();
    private long _errors;
    private long _retries;

    private ServiceProcess(string name, Process process, StreamWriter log, Uri address, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        Address = address;
        LogPath = logPath;
    }

    /// <summary>Partners, Counselling or Handovers.</summary>
    public string Name { get; }

    public Uri Address { get; }

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    /// <summary>A free port on 127.0.0.1 (free when asked; the service binds it a moment later).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <param name="name">The service: its dll is Imsa.Network.{name}.dll in <paramref name="directory"/>.</param>
    /// <param name="environment">Its configuration, as environment variables (ASPNETCORE_URLS and the content root are set here).</param>
    public static ServiceProcess Start(string name, string directory, Uri address, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(environment);
        var dll = Path.Combine(directory, $"Imsa.Network.{name}.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"{dll} does not exist: build it first (dotnet build services/{name}/Imsa.Network.{name} -c Release), or run the bench with bench/run.sh, which builds it.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        start.Environment["ASPNETCORE_CONTENTROOT"] = directory;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(name, process, log, address, logPath);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            throw;
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>What /health/ready answered on the way to ready, each change with the seconds since the wait began.</summary>
    public IReadOnlyList<string> ReadinessSteps => _readinessSteps;

    private readonly List<string> _readinessSteps = [];

    /// <summary>Waits until GET /health/ready answers 200 (database migrated, broker connected).</summary>
    public async Task WaitUntilReadyAsync(HttpClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var began = Stopwatch.GetTimestamp();
        var deadline = began + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var last = "";
        void Seen(string state)
        {
            if (state != last)
            {
                last = state;
                _readinessSteps.Add(string.Create(CultureInfo.InvariantCulture, $"{Stopwatch.GetElapsedTime(began).TotalSeconds:F1} s: {state}"));
            }
        }

        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The {Name} service exited with code {_process.ExitCode}; its log ends with:\n{Tail()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(Address, "health/ready"), cancellationToken);
                Seen(await response.Content.ReadAsStringAsync(cancellationToken));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                Seen("not listening");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Seen("no answer within the client's timeout");
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"The {Name} service was not ready after {timeout.TotalSeconds:N0} s; its log ends with:\n{Tail()}");
    }

    /// <summary>
    /// Lines the service has logged so far at level Error, and MassTransit's R-RETRY lines (a consumer failed and will try
    /// the message again): how often something went wrong inside, which the answers over HTTP do not show.
    /// </summary>
    public (long Errors, long Retries) LogCounts() => (Interlocked.Read(ref _errors), Interlocked.Read(ref _retries));

    /// <summary>utime + stime of the service process so far, from /proc (null where there is none).</summary>
    public double? CpuSeconds()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{ProcessId.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Peak resident set of the service process (VmHWM), in bytes.</summary>
    public long? PeakResidentBytes()
    {
        try
        {
            var line = File.ReadLines($"/proc/{ProcessId.ToString(CultureInfo.InvariantCulture)}/status")
                .FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The last lines the service wrote.</summary>
    public string Tail()
    {
        lock (_logLock)
        {
            return string.Join('\n', _lastLines);
        }
    }

    /// <summary>SIGKILL: the process ends at once, as in a crash; its log is closed.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM: the host stops gracefully (MassTransit and the relay shut down); killed if it hangs.
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }

                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
        lock (_logLock)
        {
            _log.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _errors);
        }

        if (line.Contains("R-RETRY", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _retries);
        }

        lock (_logLock)
        {
            _log.WriteLine(line);
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 30)
            {
                _lastLines.Dequeue();
            }
        }
    }
}
