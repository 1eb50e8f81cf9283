using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using Imsa.Network.Bench.Measurement;

namespace Imsa.Network.Bench.MatchingHttp;

/// <summary>One request of a load run; the body (JSON) is serialized once, before the run.</summary>
public sealed record LoadRequest(HttpMethod Method, Uri Uri, byte[]? Body = null);

/// <summary>
/// CPU seconds spent during a run, per process: the Partners service, this bench process (the load generator),
/// PostgreSQL, RabbitMQ, and the machine as a whole (from /proc). "Other" is everything else.
/// </summary>
public sealed record CpuSplit(
    double ElapsedSeconds,
    int Cores,
    double? ServiceSeconds,
    double BenchSeconds,
    double? PostgresSeconds,
    double? RabbitMqSeconds,
    double? MachineBusySeconds,
    RuntimeCounters BenchRuntime)
{
    /// <summary>CPU time of the four processes measured here (their own precise counters).</summary>
    public double ProcessesSeconds => (ServiceSeconds ?? 0) + BenchSeconds + (PostgresSeconds ?? 0) + (RabbitMqSeconds ?? 0);

    public double? OtherSeconds => MachineBusySeconds - ProcessesSeconds;

    /// <summary>
    /// Share of the machine's capacity that was busy: /proc/stat's figure, or the processes' own sum where that is
    /// larger (/proc/stat samples at each timer tick and, in this VM, falls far short at partial load).
    /// </summary>
    public double? MachineBusyShare => MachineBusySeconds is { } busy ? Math.Max(busy, ProcessesSeconds) / (ElapsedSeconds * Cores) : null;

    /// <summary>Takes the counters now; <see cref="Meter.Stop"/> gives the split since.</summary>
    public static Meter Start(Func<double?> serviceSeconds) => new(serviceSeconds, CpuSnapshot.Take(), serviceSeconds());

    public sealed class Meter(Func<double?> serviceSeconds, CpuSnapshot start, double? serviceStart)
    {
        public CpuSplit Stop()
        {
            var usage = start.Until(CpuSnapshot.Take());
            return new CpuSplit(
                usage.ElapsedSeconds,
                usage.Cores,
                serviceSeconds() - serviceStart,
                usage.BenchSeconds,
                usage.PostgresSeconds,
                usage.RabbitMqSeconds,
                usage.MachineBusySeconds,
                usage.Runtime);
        }
    }
}

/// <summary>What one load run measured.</summary>
/// <param name="Workers">Closed loop: workers, each sending its next request when the last has been answered. Open loop: most requests in flight.</param>
/// <param name="OfferedRate">Open loop only: requests started per second, whether or not earlier ones were answered.</param>
/// <param name="Seconds">From the first request sent to the last answer read.</param>
/// <param name="Latency">From sending (open loop: from when the request was due) until the whole answer was read, ms.</param>
/// <param name="Statuses">Answers by HTTP status code.</param>
/// <param name="Failures">Requests that got no answer (connection errors, timeouts).</param>
public sealed record LoadRun(
    string Name,
    string Endpoint,
    int Workers,
    int? OfferedRate,
    double Seconds,
    int Completed,
    IReadOnlyDictionary<int, int> Statuses,
    int Failures,
    string? FirstFailure,
    DurationStats Latency,
    double ResponseBytesMean,
    CpuSplit Cpu)
{
    public double QueriesPerSecond => Completed / Seconds;

    public int Ok => Statuses.TryGetValue(200, out var ok) ? ok : 0;

    public int NotOk => Completed - Ok;

    /// <summary>Microseconds of the service's CPU per answered request.</summary>
    public double? ServiceMicrosecondsPerRequest => Cpu.ServiceSeconds * 1e6 / Completed;

    public double BenchMicrosecondsPerRequest => Cpu.BenchSeconds * 1e6 / Completed;

    public double? PostgresMicrosecondsPerRequest => Cpu.PostgresSeconds * 1e6 / Completed;
}

/// <summary>The load generator: HttpClient over HTTP/1.1 keep-alive connections on loopback.</summary>
public static class HttpLoad
{
    public static HttpClient CreateClient(int connections) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        MaxConnectionsPerServer = Math.Max(connections, 1),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Closed loop: <paramref name="workers"/> loops, each sending a request and reading its whole answer, for the duration.</summary>
    public static async Task<LoadRun> ClosedAsync(
        string name, string endpoint, HttpClient client, AuthenticationHeaderValue? authorization, IReadOnlyList<LoadRequest> requests,
        int workers, TimeSpan duration, Func<double?> serviceCpu, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var recorder = new Recorder();
        var next = -1;
        var meter = CpuSplit.Start(serviceCpu);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, workers).Select(async _ =>
        {
            var buffer = new byte[64 * 1024];
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var request = requests[(int)((uint)Interlocked.Increment(ref next) % (uint)requests.Count)];
                var sent = Stopwatch.GetTimestamp();
                await SendAsync(client, authorization, request, buffer, recorder, sent, cancellationToken);
            }
        }).ToArray();
        await Task.WhenAll(loops);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return recorder.ToRun(name, endpoint, workers, offeredRate: null, seconds, meter.Stop());
    }

    /// <summary>
    /// Open loop: request <c>i</c> is due at <c>i / rate</c> s and is sent then whether or not earlier ones were
    /// answered (at most <paramref name="inFlight"/> at once); its latency counts from when it was due, so a
    /// slow answer that holds up later requests shows in their latency too.
    /// </summary>
    public static async Task<LoadRun> OpenAsync(
        string name, string endpoint, HttpClient client, AuthenticationHeaderValue? authorization, IReadOnlyList<LoadRequest> requests,
        int rate, int inFlight, TimeSpan duration, Func<double?> serviceCpu, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var recorder = new Recorder();
        using var slots = new SemaphoreSlim(inFlight, inFlight);
        var total = (int)(rate * duration.TotalSeconds);
        var pending = new List<Task>(total);
        var meter = CpuSplit.Start(serviceCpu);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = started + (long)((double)i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }

            await slots.WaitAsync(cancellationToken);
            var request = requests[i % requests.Count];
            pending.Add(Task.Run(async () =>
            {
                var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
                try
                {
                    await SendAsync(client, authorization, request, buffer, recorder, due, cancellationToken);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    slots.Release();
                }
            }, cancellationToken));
        }

        await Task.WhenAll(pending);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return recorder.ToRun(name, endpoint, inFlight, rate, seconds, meter.Stop());
    }

    /// <summary>One request; the whole answer is read (and counted) but not parsed.</summary>
    public static async Task<(int Status, byte[] Body)> SendOnceAsync(
        HttpClient client, AuthenticationHeaderValue? authorization, LoadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        using var message = Message(authorization, request);
        using var response = await client.SendAsync(message, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }

    private static HttpRequestMessage Message(AuthenticationHeaderValue? authorization, LoadRequest request)
    {
        var message = new HttpRequestMessage(request.Method, request.Uri);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        }

        if (authorization is not null)
        {
            message.Headers.Authorization = authorization;
        }

        return message;
    }

    private static async Task SendAsync(
        HttpClient client, AuthenticationHeaderValue? authorization, LoadRequest request, byte[] buffer, Recorder recorder, long startedAt,
        CancellationToken cancellationToken)
    {
        try
        {
            using var message = Message(authorization, request);
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            long bytes = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                bytes += read;
            }

            recorder.Answer((int)response.StatusCode, Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds, bytes);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            recorder.Failure(ex);
        }
    }

    private sealed class Recorder
    {
        private readonly Lock _lock = new();
        private readonly List<double> _latencies = new(64 * 1024);
        private readonly Dictionary<int, int> _statuses = [];
        private long _bytes;
        private int _failures;
        private string? _firstFailure;

        public void Answer(int status, double milliseconds, long bytes)
        {
            lock (_lock)
            {
                _latencies.Add(milliseconds);
                _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
                _bytes += bytes;
            }
        }

        public void Failure(Exception ex)
        {
            lock (_lock)
            {
                _failures++;
                _firstFailure ??= $"{ex.GetType().Name}: {ex.Message}";
            }
        }

        public LoadRun ToRun(string name, string endpoint, int workers, int? offeredRate, double seconds, CpuSplit cpu)
        {
            lock (_lock)
            {
                return new LoadRun(
                    name,
                    endpoint,
                    workers,
                    offeredRate,
                    seconds,
                    _latencies.Count,
                    new SortedDictionary<int, int>(_statuses),
                    _failures,
                    _firstFailure,
                    DurationStats.Of(_latencies),
                    _latencies.Count == 0 ? 0 : (double)_bytes / _latencies.Count,
                    cpu);
            }
        }
    }
}
