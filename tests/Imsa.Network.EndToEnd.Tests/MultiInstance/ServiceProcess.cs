using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Imsa.Network.EndToEnd.Tests.MultiInstance;

/// <summary>
/// One service's real build running as a process of its own (as a replica runs it), configured through environment
/// variables only, listening on a port of its own. Its output is read as it comes (a full pipe would block it) and
/// its last lines are kept for failure messages. Killed with SIGKILL, never asked to stop.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const int KeptLines = 150;

    private readonly string _assembly;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly Queue<string> _tail = new();
    private Process? _process;

    /// <param name="name">For messages: "partners-2".</param>
    /// <param name="assembly">"Partners" for services/Partners/Imsa.Network.Partners, "Gateway" for the gateway.</param>
    public ServiceProcess(string name, string assembly, IReadOnlyDictionary<string, string?> environment)
    {
        Name = name;
        _assembly = assembly;
        _environment = environment;
        Port = FreePort();
        Address = new Uri($"http://127.0.0.1:{Port}/");
    }

    public string Name { get; }

    public int Port { get; }

    public Uri Address { get; }

    /// <summary>Running: started and neither killed nor exited.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>Starts the process (again, on the same port, after a kill).</summary>
    public void Start()
    {
        var folder = BuildFolder(_assembly);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(folder, $"Imsa.Network.{_assembly}.dll"));

        // Nothing of the test run's own environment (the broker administrator's password, say) but what dotnet needs.
        var inherited = new[] { "PATH", "HOME", "DOTNET_ROOT", "TMPDIR" }.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        start.Environment.Clear();
        foreach (var (name, value) in inherited.Where(variable => variable.Value is not null))
        {
            start.Environment[name] = value;
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["ASPNETCORE_URLS"] = Address.ToString().TrimEnd('/');
        foreach (var (key, value) in _environment)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        Append($"--- {Name}: starting on port {Port} at {DateTime.UtcNow:HH:mm:ss.fff}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Polls /health/ready until it answers 200; fails at once, with the output's end, when the process exits.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (true)
        {
            if (_process is not { } process || process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited ({(_process?.HasExited == true ? _process.ExitCode : -1)}) before it was ready.\n{Tail()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException)
            {
                last = "no answer within 5 s";
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds} s; last: {last}.\n{Tail()}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>kill -9, the process and anything it started; returns once it is gone.</summary>
    public void Kill()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }

        Append($"--- {Name}: killed at {DateTime.UtcNow:HH:mm:ss.fff}");
        process.Dispose();
        _process = null;
    }

    /// <summary>The last lines the process wrote (JSON log lines), for a failure message.</summary>
    public string Tail(int lines = 40)
    {
        lock (_tail)
        {
            return $"===== {Name} (port {Port}), last {Math.Min(lines, _tail.Count)} lines =====\n"
                + string.Join('\n', _tail.Skip(Math.Max(0, _tail.Count - lines)));
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > KeptLines)
            {
                _tail.Dequeue();
            }
        }
    }

    /// <summary>The build of this test run's configuration (Release, Debug) of a service, as MigrationCommandTests runs it.</summary>
    private static string BuildFolder(string assembly)
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)))!;
        var folder = Path.Combine(TestRepository.Root, "services", assembly, $"Imsa.Network.{assembly}", "bin", configuration, "net10.0");
        return File.Exists(Path.Combine(folder, $"Imsa.Network.{assembly}.dll"))
            ? folder
            : throw new InvalidOperationException($"No build of {assembly} in {folder}: build the solution first.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
