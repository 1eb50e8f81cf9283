using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Imsa.Network.Bench.MatchingHttp;

/// <summary>
/// The built Partners service, run as its own process (dotnet Imsa.Network.Partners.dll) on a free loopback port
/// against the run's database and virtual host, with a signing key and a bootstrap coordinator client made for
/// the run. Its output goes to a log file; it is stopped (SIGTERM, then killed) when disposed.
/// </summary>
public sealed class PartnersService : IAsyncDisposable
{
    public const string CoordinatorClientId = "imsa-bench-coordinator";

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _lastLines = new();
    private readonly Lock _logLock = new();

    private PartnersService(Process process, StreamWriter log, Uri address, string clientSecret, string logPath)
    {
        _process = process;
        _log = log;
        Address = address;
        ClientSecret = clientSecret;
        LogPath = logPath;
    }

    public Uri Address { get; }

    public string ClientSecret { get; }

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    /// <param name="connectionString">The service's database, as its ConnectionStrings:Database.</param>
    public static PartnersService Start(
        MatchingHttpSettings settings, BenchSettings infrastructure, string connectionString, string virtualHost, string logPath)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(infrastructure);
        var dll = Path.Combine(settings.PartnersDirectory, "Imsa.Network.Partners.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"{dll} does not exist: build it first (dotnet build services/Partners/Imsa.Network.Partners -c Release), or run bench/run.sh --matching-http.");
        }

        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        using var rsa = RSA.Create(2048);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = settings.PartnersDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        var environment = start.Environment;
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        environment["ASPNETCORE_CONTENTROOT"] = settings.PartnersDirectory;
        // Quiet: warnings and errors only, so the service's JSON console log costs nothing per request.
        environment["Logging__LogLevel__Default"] = "Warning";
        environment["ConnectionStrings__Database"] = connectionString;
        environment["RabbitMq__Host"] = infrastructure.RabbitMqHost;
        environment["RabbitMq__Port"] = infrastructure.RabbitMqPort.ToString(CultureInfo.InvariantCulture);
        environment["RabbitMq__VirtualHost"] = virtualHost;
        environment["RabbitMq__Username"] = infrastructure.RabbitMqUser;
        environment["RabbitMq__Password"] = infrastructure.RabbitMqPassword;
        environment["Identity__Issuer"] = address.ToString();
        environment["Identity__ValidationKeys"] = rsa.ExportSubjectPublicKeyInfoPem();
        environment["Identity__SigningKey"] = rsa.ExportPkcs8PrivateKeyPem();
        environment["Identity__Bootstrap__ClientId"] = CoordinatorClientId;
        environment["Identity__Bootstrap__ClientSecret"] = secret;
        foreach (var variable in settings.ServiceEnvironment)
        {
            var at = variable.IndexOf('=', StringComparison.Ordinal);
            environment[variable[..at]] = variable[(at + 1)..];
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new PartnersService(process, log, address, secret, logPath);
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

    /// <summary>Waits until GET /health/ready answers 200 (database migrated, broker connected).</summary>
    public async Task WaitUntilReadyAsync(HttpClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The Partners service exited with code {_process.ExitCode}; its log ends with:\n{Tail()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(Address, "health/ready"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"The Partners service was not ready after {timeout.TotalSeconds:N0} s; its log ends with:\n{Tail()}");
    }

    /// <summary>utime + stime of the service process so far, from /proc (null where there is none).</summary>
    public double? CpuSeconds() => ProcessCpu.Seconds(_process.Id);

    /// <summary>Peak resident set of the service process (VmHWM), in bytes.</summary>
    public long? PeakResidentBytes() => ProcessCpu.PeakResidentBytes(_process.Id);

    /// <summary>The last lines the service wrote.</summary>
    public string Tail()
    {
        lock (_logLock)
        {
            return string.Join('\n', _lastLines);
        }
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>CPU time and memory of another process, from /proc/PID.</summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100;

    public static double? Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    public static long? PeakResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status")
                .FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
