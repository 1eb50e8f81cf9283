using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Imsa.Network.Bench.Measurement;
using Npgsql;
using RabbitMQ.Client;

namespace Imsa.Network.Bench.Journeys;

/// <summary>
/// Samples, while a run goes on, where work waits: rows in each service's outbox, messages in the virtual host's
/// queues (RabbitMQ's management API), and what the PostgreSQL sessions of the three databases are doing
/// (pg_stat_activity: running, waiting on a lock or on I/O, or idle inside a transaction while the service works); and
/// counts, over the run, the CPU of every process involved, each database's transactions and each service's error and
/// consumer-retry log lines.
/// </summary>
public sealed class JourneyMonitor : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly Dictionary<string, NpgsqlDataSource> _databases;
    private readonly NpgsqlDataSource _postgres;
    private readonly string[] _databaseNames;
    private readonly Dictionary<string, string> _serviceOf;
    private readonly HttpClient _management;
    private readonly Uri _queues;
    private readonly ServiceNetwork _network;
    private readonly ConnectionFactory _broker;

    public JourneyMonitor(ServiceNetwork network, BenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(settings);
        _network = network;
        _databases = network.Databases.ToDictionary(d => d.Key, d => NpgsqlDataSource.Create(d.Value));
        _postgres = NpgsqlDataSource.Create(network.Infrastructure.ConnectionString("postgres"));
        _serviceOf = network.DatabaseNames.ToDictionary(d => d.Value, d => d.Key);
        _databaseNames = [.. _serviceOf.Keys];
        _management = new HttpClient
        {
            BaseAddress = new Uri($"http://{settings.RabbitMqHost}:{settings.RabbitMqManagementPort}/api/"),
            Timeout = TimeSpan.FromSeconds(10),
        };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.RabbitMqUser}:{settings.RabbitMqPassword}"));
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        _queues = new Uri($"queues/{Uri.EscapeDataString(network.Infrastructure.VirtualHost)}?columns=name,messages", UriKind.Relative);
        _broker = new ConnectionFactory
        {
            HostName = settings.RabbitMqHost,
            Port = settings.RabbitMqPort,
            UserName = settings.RabbitMqUser,
            Password = settings.RabbitMqPassword,
            VirtualHost = network.Infrastructure.VirtualHost,
            ClientProvidedName = "imsa-bench-journeys-monitor",
        };
    }

    /// <summary>
    /// Waits until every service has caught up: no row left in any outbox and no message ready in any queue of the
    /// virtual host (error queues aside), as RabbitMQ counts them now (a passive declare; the management API's figures
    /// lag by up to 5 s).
    /// </summary>
    /// <param name="since">Stopwatch timestamp the answer counts from (the end of a run).</param>
    /// <returns>Seconds from <paramref name="since"/> until then; null when the backlog was not gone within <paramref name="timeout"/>.</returns>
    public async Task<double?> WaitUntilCaughtUpAsync(long since, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var queues = (await _management.GetFromJsonAsync<JsonElement>(_queues, cancellationToken)).EnumerateArray()
            .Select(queue => queue.GetProperty("name").GetString()!)
            .Where(name => !name.EndsWith("_error", StringComparison.Ordinal) && !name.EndsWith("_skipped", StringComparison.Ordinal))
            .ToList();
        await using var connection = await _broker.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            long waiting = 0;
            foreach (var queue in queues)
            {
                waiting += (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
            }

            foreach (var database in _databases.Values)
            {
                await using var count = database.CreateCommand("SELECT count(*) FROM messaging.outbox_messages");
                waiting += (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            }

            if (waiting == 0)
            {
                return Stopwatch.GetElapsedTime(since).TotalSeconds;
            }

            await Task.Delay(250, cancellationToken);
        }

        return null;
    }

    /// <summary>Takes the counters and starts sampling, until the returned sampling is stopped.</summary>
    public async Task<Sampling> StartAsync(CancellationToken cancellationToken) =>
        new(this, await CpuAsync(cancellationToken), await TransactionsAsync(cancellationToken), LogCounts());

    /// <summary>CPU counters now: the machine's, this process's and RabbitMQ's, each service's, and this run's PostgreSQL processes'.</summary>
    private async Task<CpuCounters> CpuAsync(CancellationToken cancellationToken) =>
        new(CpuSnapshot.Take(), _network.CpuSeconds(), await PostgresCpu.TakeAsync(_postgres, _databaseNames, cancellationToken));

    internal sealed record CpuCounters(CpuSnapshot Machine, IReadOnlyDictionary<string, double?> Services, Dictionary<int, double> Postgres)
    {
        /// <summary>
        /// The CPU spent since <paramref name="start"/>. PostgreSQL's is summed over its processes alive now (a backend that
        /// ended meanwhile takes its CPU with it, so the sum of all processes' counters could even fall).
        /// </summary>
        public JourneyCpu Since(CpuCounters start)
        {
            var usage = start.Machine.Until(Machine);
            return new JourneyCpu(
                usage.ElapsedSeconds,
                usage.Cores,
                Services.ToDictionary(s => s.Key, s => s.Value - start.Services[s.Key]),
                usage.BenchSeconds,
                Postgres.Sum(p => Math.Max(0, p.Value - start.Postgres.GetValueOrDefault(p.Key))),
                usage.RabbitMqSeconds,
                usage.MachineBusySeconds);
        }
    }

    /// <summary>Committed and rolled-back transactions of each service's database so far (pg_stat_database; flushed within a second).</summary>
    private async Task<Dictionary<string, (long Commits, long Rollbacks)>> TransactionsAsync(CancellationToken cancellationToken)
    {
        await using var command = _postgres.CreateCommand("SELECT datname, xact_commit, xact_rollback FROM pg_stat_database WHERE datname = ANY($1)");
        command.Parameters.AddWithValue(_databaseNames);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var transactions = new Dictionary<string, (long, long)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            transactions[_serviceOf[reader.GetString(0)]] = (reader.GetInt64(1), reader.GetInt64(2));
        }

        return transactions;
    }

    private Dictionary<string, (long Errors, long Retries)> LogCounts() => _network.Services.ToDictionary(s => s.Name, s => s.LogCounts());

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases.Values)
        {
            await database.DisposeAsync();
        }

        await _postgres.DisposeAsync();
        _management.Dispose();
    }

    public sealed class Sampling : IAsyncDisposable
    {
        private readonly JourneyMonitor _monitor;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly Dictionary<string, long> _outbox = [];
        private readonly Dictionary<string, long> _queues = [];
        private readonly Dictionary<string, long> _sessions = [];
        private readonly CpuCounters _cpuAtStart;
        private readonly Dictionary<string, (long Commits, long Rollbacks)> _transactionsAtStart;
        private readonly Dictionary<string, (long Errors, long Retries)> _logAtStart;
        private int _samples;

        internal Sampling(JourneyMonitor monitor, CpuCounters cpu, Dictionary<string, (long, long)> transactions, Dictionary<string, (long, long)> logCounts)
        {
            _monitor = monitor;
            _cpuAtStart = cpu;
            _transactionsAtStart = transactions;
            _logAtStart = logCounts;
            _loop = Task.Run(LoopAsync);
        }

        /// <summary>The CPU spent since the start, and what the samplers and counters saw.</summary>
        public async Task<(JourneyCpu Cpu, MonitorSummary Summary)> StopAsync()
        {
            var cpu = (await _monitor.CpuAsync(CancellationToken.None)).Since(_cpuAtStart);
            await _stop.CancelAsync();
            await _loop;
            var transactions = await _monitor.TransactionsAsync(CancellationToken.None);
            var logCounts = _monitor.LogCounts();
            return (cpu, new MonitorSummary(
                _samples,
                new SortedDictionary<string, long>(_outbox),
                new SortedDictionary<string, long>(_queues.Where(q => q.Value > 0).ToDictionary()),
                _sessions.OrderByDescending(s => s.Value).ToDictionary(s => s.Key, s => _samples == 0 ? 0 : (double)s.Value / _samples),
                new SortedDictionary<string, long>(transactions.ToDictionary(t => t.Key, t => t.Value.Commits - _transactionsAtStart[t.Key].Commits)),
                new SortedDictionary<string, long>(transactions.ToDictionary(t => t.Key, t => t.Value.Rollbacks - _transactionsAtStart[t.Key].Rollbacks)),
                new SortedDictionary<string, long>(logCounts.ToDictionary(l => l.Key, l => l.Value.Errors - _logAtStart[l.Key].Errors)),
                new SortedDictionary<string, long>(logCounts.ToDictionary(l => l.Key, l => l.Value.Retries - _logAtStart[l.Key].Retries))));
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await _stop.CancelAsync();
                await _loop;
            }

            _stop.Dispose();
        }

        private async Task LoopAsync()
        {
            using var timer = new PeriodicTimer(Interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    await SampleAsync(_stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        private async Task SampleAsync(CancellationToken cancellationToken)
        {
            try
            {
                foreach (var (service, database) in _monitor._databases)
                {
                    await using var count = database.CreateCommand("SELECT count(*) FROM messaging.outbox_messages");
                    var rows = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
                    _outbox[service] = Math.Max(_outbox.GetValueOrDefault(service), rows);
                }

                await using (var activity = _monitor._postgres.CreateCommand(
                    """
                    SELECT datname,
                           CASE
                             WHEN state = 'idle in transaction' THEN 'idle in transaction'
                             WHEN wait_event IS NULL THEN 'running'
                             ELSE wait_event_type || ': ' || wait_event
                           END,
                           count(*)
                    FROM pg_stat_activity
                    WHERE datname = ANY($1) AND state IN ('active', 'idle in transaction')
                    GROUP BY 1, 2
                    """))
                {
                    activity.Parameters.AddWithValue(_monitor._databaseNames);
                    await using var reader = await activity.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        var what = $"{_monitor._serviceOf[reader.GetString(0)]} {reader.GetString(1)}";
                        _sessions[what] = _sessions.GetValueOrDefault(what) + reader.GetInt64(2);
                    }
                }

                if (_samples % 4 == 0)
                {
                    var queues = await _monitor._management.GetFromJsonAsync<JsonElement>(_monitor._queues, cancellationToken);
                    foreach (var queue in queues.EnumerateArray())
                    {
                        var name = queue.GetProperty("name").GetString()!;
                        var messages = queue.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
                        _queues[name] = Math.Max(_queues.GetValueOrDefault(name), messages);
                    }
                }

                _samples++;
            }
            catch (Exception ex) when (ex is NpgsqlException or HttpRequestException or JsonException or InvalidOperationException)
            {
                // A missed sample changes nothing; the run goes on.
            }
        }
    }
}
