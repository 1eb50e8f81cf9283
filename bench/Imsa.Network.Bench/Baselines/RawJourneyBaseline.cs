using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Imsa.Network.Bench.Measurement;
using Npgsql;
using NpgsqlTypes;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Imsa.Network.Bench.Baselines;

/// <summary>One measured run of the raw journey baseline.</summary>
/// <param name="Journeys">Journeys of the measured run, all completed (one that fails stops the baseline).</param>
/// <param name="Workers">Concurrent journeys (closed loop).</param>
/// <param name="Prefetch">Each consumer's prefetch: messages it may hold unacknowledged.</param>
/// <param name="ConsumerConcurrency">Messages each consumer works on at once.</param>
/// <param name="Seconds">From the first journey's start until the last journey had ended and every message was consumed.</param>
/// <param name="Journey">A whole journey, from the case's insert to the outcome's commit, ms.</param>
/// <param name="WarmupJitShares">Per warm-up round, the JIT's compile time as a share of the round.</param>
/// <param name="TransactionsPerJourney">PostgreSQL transactions per journey: writes, relay passes, consumer transactions, the case read.</param>
/// <param name="RelayPassesPerJourney">Relay transactions that published a batch, per journey (5 events per journey).</param>
/// <param name="PostgresOwnSeconds">
/// PostgreSQL's CPU seconds for this baseline alone: the backends of its three databases and the server's own processes,
/// not other databases' backends (Cpu.PostgresSeconds counts every PostgreSQL process).
/// </param>
public sealed record RawJourneyResult(
    int Journeys,
    int Workers,
    int Prefetch,
    int ConsumerConcurrency,
    double Seconds,
    double JourneysPerSecond,
    DurationStats Journey,
    IReadOnlyList<double> WarmupJitShares,
    double TransactionsPerJourney,
    double RelayPassesPerJourney,
    CpuUsage Cpu,
    double? PostgresOwnSeconds)
{
    /// <summary>CPU milliseconds per journey of PostgreSQL for this baseline's databases (all its processes where that was not measurable).</summary>
    public double PostgresMillisecondsPerJourney => (PostgresOwnSeconds ?? Cpu.PostgresSeconds ?? 0) * 1e3 / Journeys;

    /// <summary>Share of the machine (cores × elapsed) busy with anything else: other processes, other databases' backends, the kernel.</summary>
    public double? OtherShare =>
        Cpu.MachineBusySeconds is { } busy
            ? Math.Max(0, busy - Cpu.BenchSeconds - (Cpu.RabbitMqSeconds ?? 0) - (PostgresOwnSeconds ?? Cpu.PostgresSeconds ?? 0)) / (Cpu.ElapsedSeconds * Cpu.Cores)
            : null;

    /// <summary>CPU milliseconds per journey of the bench (the whole raw journey runs in it), PostgreSQL and RabbitMQ together.</summary>
    public double CpuMillisecondsPerJourney =>
        ((Cpu.BenchSeconds + (Cpu.RabbitMqSeconds ?? 0)) * 1e3 / Journeys) + PostgresMillisecondsPerJourney;
}

/// <summary>
/// The floor of a complete handover journey on this machine: the same journey's writes, relays, messages and consumer
/// transactions as the three services do them, but with raw Npgsql (prepared commands, one data source per service
/// database) and RabbitMQ.Client, in this process, without ASP.NET Core, EF Core, MassTransit, HTTP, tokens or
/// encryption. One journey: the case and its CaseOpened (Counselling), the consent and its ConsentGranted; once
/// Handovers has consumed both, the ticket offered with HandoverOffered, the acceptance with HandoverAccepted
/// (Handovers); once Counselling has projected the acceptance, a read of the case, the dossier read recording a
/// disclosure (Counselling), the outcome with HandoverOutcomeRecorded (Handovers). Every write is one
/// transaction with its outbox rows; each service's relay takes up to 100 rows FOR UPDATE SKIP LOCKED, publishes them
/// with publisher confirms and deletes them; each consuming service (Handovers: 2 events, Counselling: 3, Partners: 3)
/// takes a message in one transaction of an inbox insert ON CONFLICT DO NOTHING and an upsert of its effect, then
/// acknowledges it. The waits are in-process signals from the consumers, where the product's client polls.
/// </summary>
public sealed class RawJourneyBaseline : IAsyncDisposable
{
    private const string Exchange = "raw-journey";
    private const int RelayBatch = 100;
    private const int WarmupJourneys = 200;
    private const int MaxWarmupRounds = 10;
    private const int ConsumedPerJourney = 8;
    private const int Organisations = 20;

    /// <summary>Messages each consumer works on at once (of the prefetch it may hold unacknowledged), each with its own connection.</summary>
    private const ushort ConsumerConcurrency = 16;
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Prepared statements without a reset of the pooled connection on its return, as the services' connections are
    /// tuned since issue 16 (ServiceDatabase.Tuned: No Reset On Close, Max Auto Prepare).
    /// </summary>
    private static NpgsqlDataSource DataSource(string connectionString) => NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 32, AutoPrepareMinUsages = 1, NoResetOnClose = true, MaxPoolSize = 40 });

    private const string OutboxSql = PostgresBaseline.OutboxTableSql + """
        CREATE TABLE inbox_messages (
            message_id uuid NOT NULL, consumer varchar(200) NOT NULL, received_at timestamptz NOT NULL,
            PRIMARY KEY (message_id, consumer));
        """;

    private const string CounsellingSql = OutboxSql + """
        CREATE TABLE cases (
            id uuid PRIMARY KEY, partner_id uuid NOT NULL, reference varchar(40) NOT NULL, details jsonb NOT NULL,
            opened_at timestamptz NOT NULL);
        CREATE TABLE consents (
            id uuid PRIMARY KEY, case_id uuid NOT NULL REFERENCES cases, receiver_id uuid NOT NULL,
            categories text[] NOT NULL, granted_at timestamptz NOT NULL);
        CREATE INDEX ix_consents_case_id ON consents (case_id);
        CREATE TABLE disclosures (
            id uuid PRIMARY KEY, case_id uuid NOT NULL REFERENCES cases, receiver_id uuid NOT NULL,
            disclosed_at timestamptz NOT NULL);
        CREATE INDEX ix_disclosures_case_id ON disclosures (case_id);
        CREATE TABLE handover_views (
            ticket_id uuid PRIMARY KEY, case_id uuid NOT NULL, receiver_id uuid NOT NULL, status varchar(20) NOT NULL,
            version integer NOT NULL, updated_at timestamptz NOT NULL);
        CREATE INDEX ix_handover_views_case_id ON handover_views (case_id);
        """;

    private const string HandoversSql = OutboxSql + """
        CREATE TABLE known_cases (case_id uuid PRIMARY KEY, partner_id uuid NOT NULL, opened_at timestamptz NOT NULL);
        CREATE TABLE known_consents (
            case_id uuid NOT NULL, receiver_id uuid NOT NULL, granted_at timestamptz NOT NULL,
            PRIMARY KEY (case_id, receiver_id));
        CREATE TABLE tickets (
            id uuid PRIMARY KEY, case_id uuid NOT NULL, partner_id uuid NOT NULL, receiver_id uuid NOT NULL,
            status varchar(20) NOT NULL, version integer NOT NULL, note text, requested_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL);
        CREATE INDEX ix_tickets_case_id ON tickets (case_id);
        """;

    private const string PartnersSql = OutboxSql + """
        CREATE TABLE receiver_handovers (
            ticket_id uuid PRIMARY KEY, receiver_id uuid NOT NULL, status varchar(20) NOT NULL, version integer NOT NULL,
            updated_at timestamptz NOT NULL);
        CREATE INDEX ix_receiver_handovers_receiver_id ON receiver_handovers (receiver_id);
        """;

    private const string InsertOutbox = "INSERT INTO outbox_messages (id, message_type, body, created_at) VALUES ($1, $2, $3, $4)";
    private const string InsertInbox = "INSERT INTO inbox_messages (message_id, consumer, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

    private static readonly string[] HandoverEvents = ["HandoverOffered", "HandoverAccepted", "HandoverOutcomeRecorded"];
    private static readonly string[] Categories = ["contact", "situation", "language", "needs"];

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Guid, JourneyWait> _waits = new();
    private readonly Guid[] _partners = [.. Enumerable.Range(0, Organisations).Select(_ => Guid.CreateVersion7())];
    private readonly Guid[] _receivers = [.. Enumerable.Range(0, Organisations).Select(_ => Guid.CreateVersion7())];
    private readonly List<Task> _relays = [];
    private readonly List<IConnection> _connections = [];
    private readonly Service _counselling;
    private readonly Service _handovers;
    private readonly Service _partnersService;
    private long _consumed;
    private long _transactions;
    private long _relayPasses;
    private Exception? _consumerFailure;

    private RawJourneyBaseline(Service counselling, Service handovers, Service partners)
    {
        (_counselling, _handovers, _partnersService) = (counselling, handovers, partners);
    }

    /// <summary>Sets the baseline up on three empty databases (Counselling's, Handovers', Partners') and a virtual host, runs it, and tears it down.</summary>
    public static async Task<RawJourneyResult> RunAsync(
        BenchSettings settings,
        string counsellingDatabase,
        string handoversDatabase,
        string partnersDatabase,
        string virtualHost,
        int journeys,
        int workers,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var baseline = new RawJourneyBaseline(
            new Service("counselling", DataSource(counsellingDatabase)),
            new Service("handovers", DataSource(handoversDatabase)),
            new Service("partners", DataSource(partnersDatabase)));
        await baseline.StartAsync(settings, virtualHost, cancellationToken);

        var warmup = await JitWarmup.UntilSettledAsync(() => baseline.RunJourneysAsync(WarmupJourneys, workers, cancellationToken), MaxWarmupRounds);

        string[] databases = [.. new[] { counsellingDatabase, handoversDatabase, partnersDatabase }.Select(c => new NpgsqlConnectionStringBuilder(c).Database!)];
        var (transactions, passes) = (Interlocked.Read(ref baseline._transactions), Interlocked.Read(ref baseline._relayPasses));
        var postgresBefore = await PostgresCpu.TakeAsync(baseline._counselling.Data, databases, cancellationToken);
        var cpuBefore = CpuSnapshot.Take();
        var start = Stopwatch.GetTimestamp();
        var durations = await baseline.RunJourneysAsync(journeys, workers, cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpu = cpuBefore.Until(CpuSnapshot.Take());
        var postgresAfter = await PostgresCpu.TakeAsync(baseline._counselling.Data, databases, cancellationToken);
        return new RawJourneyResult(
            journeys,
            workers,
            settings.PrefetchCount,
            ConsumerConcurrency,
            seconds,
            journeys / seconds,
            DurationStats.Of(durations),
            warmup,
            (Interlocked.Read(ref baseline._transactions) - transactions) / (double)journeys,
            (Interlocked.Read(ref baseline._relayPasses) - passes) / (double)journeys,
            cpu,
            postgresAfter.Count > 0 ? PostgresCpu.Since(postgresBefore, postgresAfter) : null);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_relays);

        foreach (var connection in _connections)
        {
            await connection.CloseAsync();
            await connection.DisposeAsync();
        }

        foreach (var service in new[] { _counselling, _handovers, _partnersService })
        {
            await service.Data.DisposeAsync();
        }

        _stop.Dispose();
    }

    private async Task StartAsync(BenchSettings settings, string virtualHost, CancellationToken cancellationToken)
    {
        foreach (var (service, schema) in new[] { (_counselling, CounsellingSql), (_handovers, HandoversSql), (_partnersService, PartnersSql) })
        {
            await using var command = service.Data.CreateCommand(schema);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var factory = new ConnectionFactory
        {
            HostName = settings.RabbitMqHost,
            Port = settings.RabbitMqPort,
            VirtualHost = virtualHost,
            UserName = settings.RabbitMqUser,
            Password = settings.RabbitMqPassword,
            ConsumerDispatchConcurrency = ConsumerConcurrency,
        };

        // One connection per service: its relay's channel (publisher confirms) and its consumer's channel.
        foreach (var service in new[] { _counselling, _handovers, _partnersService })
        {
            factory.ClientProvidedName = $"imsa-bench-raw-journey-{service.Name}";
            var connection = await factory.CreateConnectionAsync(cancellationToken);
            _connections.Add(connection);
            service.Publisher = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            service.Consumer = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        }

        var setup = _counselling.Publisher!;
        await setup.ExchangeDeclareAsync(Exchange, ExchangeType.Direct, durable: true, cancellationToken: cancellationToken);
        var bindings = new (Service Service, string[] Events)[]
        {
            (_handovers, ["CaseOpened", "ConsentGranted"]),
            (_counselling, HandoverEvents),
            (_partnersService, HandoverEvents),
        };
        foreach (var (service, events) in bindings)
        {
            var queue = $"raw-journey-{service.Name}";
            await setup.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            foreach (var type in events)
            {
                await setup.QueueBindAsync(queue, Exchange, type, cancellationToken: cancellationToken);
            }

            var channel = service.Consumer!;
            await channel.BasicQosAsync(0, settings.PrefetchCount, global: false, cancellationToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) => ConsumeAsync(service, channel, delivery);
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
        }

        foreach (var service in new[] { _counselling, _handovers, _partnersService })
        {
            _relays.Add(Task.Run(() => RelayAsync(service, _stop.Token), CancellationToken.None));
        }
    }

    /// <summary>Runs journeys from several workers at once, then waits until every message they caused was consumed.</summary>
    private async Task<double[]> RunJourneysAsync(int journeys, int workers, CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _consumed) + ((long)journeys * ConsumedPerJourney);
        var durations = new double[journeys];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(
            async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < journeys; i = Interlocked.Increment(ref next))
                {
                    var started = Stopwatch.GetTimestamp();
                    await JourneyAsync(i, cancellationToken);
                    durations[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
            },
            cancellationToken)));

        var waited = Stopwatch.GetTimestamp();
        while (Interlocked.Read(ref _consumed) < target)
        {
            ThrowIfConsumerFailed();
            if (Stopwatch.GetElapsedTime(waited) > WaitLimit)
            {
                throw new TimeoutException($"raw journey baseline: {target - Interlocked.Read(ref _consumed)} messages not consumed after {WaitLimit.TotalSeconds} s");
            }

            await Task.Delay(1, cancellationToken);
        }

        return durations;
    }

    private async Task JourneyAsync(int index, CancellationToken cancellationToken)
    {
        var partner = _partners[Random.Shared.Next(_partners.Length)];
        var receiver = _receivers[Random.Shared.Next(_receivers.Length)];
        var caseId = Guid.CreateVersion7();
        var ticketId = Guid.CreateVersion7();
        var wait = new JourneyWait();
        _waits[caseId] = wait;
        try
        {
            // POST /cases: the case and CaseOpened.
            var now = DateTimeOffset.UtcNow;
            await WriteAsync(
                _counselling,
                [
                    Sql("INSERT INTO cases (id, partner_id, reference, details, opened_at) VALUES ($1, $2, $3, $4, $5)",
                        caseId, partner, $"C-{index:D7}", Jsonb("""{"language":"ar","city":"Mainz","age":17,"needs":["housing","school"]}"""), now),
                ],
                [new RawEvent(Guid.CreateVersion7(), "CaseOpened", caseId, null, partner, receiver, 1, now)],
                cancellationToken);

            // POST /cases/{id}/consents: the consent and ConsentGranted.
            now = DateTimeOffset.UtcNow;
            await WriteAsync(
                _counselling,
                [
                    Sql("INSERT INTO consents (id, case_id, receiver_id, categories, granted_at) VALUES ($1, $2, $3, $4, $5)",
                        Guid.CreateVersion7(), caseId, receiver, Categories, now),
                ],
                [new RawEvent(Guid.CreateVersion7(), "ConsentGranted", caseId, null, partner, receiver, 1, now)],
                cancellationToken);

            // POST /handovers, once Handovers knows the case and the consent: the ticket offered at once, HandoverOffered.
            await wait.HandoversKnows.Task.WaitAsync(WaitLimit, cancellationToken);
            now = DateTimeOffset.UtcNow;
            await WriteAsync(
                _handovers,
                [
                    Sql("""
                        INSERT INTO tickets (id, case_id, partner_id, receiver_id, status, version, requested_at, updated_at)
                        SELECT $1, $2, $3, $4, 'offered', 2, $5, $5 FROM known_cases k JOIN known_consents c ON c.case_id = k.case_id
                        WHERE k.case_id = $2 AND c.receiver_id = $4
                        """,
                        ticketId, caseId, partner, receiver, now),
                ],
                [new RawEvent(Guid.CreateVersion7(), "HandoverOffered", caseId, ticketId, partner, receiver, 2, now)],
                cancellationToken,
                expectRows: true);

            // POST /handovers/{id}/accept: the ticket accepted, HandoverAccepted.
            now = DateTimeOffset.UtcNow;
            await WriteAsync(
                _handovers,
                [Sql("UPDATE tickets SET status = 'accepted', version = 3, updated_at = $2 WHERE id = $1 AND status = 'offered'", ticketId, now)],
                [new RawEvent(Guid.CreateVersion7(), "HandoverAccepted", caseId, ticketId, partner, receiver, 3, now)],
                cancellationToken,
                expectRows: true);

            // GET /cases/{id}, once Counselling has projected the acceptance.
            await wait.Accepted.Task.WaitAsync(WaitLimit, cancellationToken);
            await using (var connection = await _counselling.Data.OpenConnectionAsync(cancellationToken))
            await using (var read = new NpgsqlCommand(
                "SELECT c.reference, c.details::text, v.status, v.receiver_id FROM cases c LEFT JOIN handover_views v ON v.case_id = c.id WHERE c.id = $1",
                connection))
            {
                read.Parameters.Add(new NpgsqlParameter { Value = caseId });
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken) || reader.GetString(2) != "accepted")
                {
                    throw new InvalidOperationException($"raw journey baseline: case {caseId} does not show the acceptance");
                }

                Interlocked.Increment(ref _transactions);
            }

            // GET /cases/{id}/dossier: the case and consent read, a disclosure recorded; no event.
            await TransactAsync(
                _counselling,
                async connection =>
                {
                    await using (var dossier = new NpgsqlCommand(
                        """
                        SELECT c.details::text, s.categories FROM cases c JOIN consents s ON s.case_id = c.id
                        JOIN handover_views v ON v.case_id = c.id AND v.receiver_id = s.receiver_id
                        WHERE c.id = $1 AND s.receiver_id = $2 AND v.status = 'accepted'
                        """,
                        connection))
                    {
                        dossier.Parameters.Add(new NpgsqlParameter { Value = caseId });
                        dossier.Parameters.Add(new NpgsqlParameter { Value = receiver });
                        await using var reader = await dossier.ExecuteReaderAsync(cancellationToken);
                        if (!await reader.ReadAsync(cancellationToken))
                        {
                            throw new InvalidOperationException($"raw journey baseline: no dossier for case {caseId}");
                        }
                    }

                    await using var disclosure = new NpgsqlCommand(
                        "INSERT INTO disclosures (id, case_id, receiver_id, disclosed_at) VALUES ($1, $2, $3, $4)", connection);
                    foreach (var value in new object[] { Guid.CreateVersion7(), caseId, receiver, DateTimeOffset.UtcNow })
                    {
                        disclosure.Parameters.Add(new NpgsqlParameter { Value = value });
                    }

                    await disclosure.ExecuteNonQueryAsync(cancellationToken);
                },
                cancellationToken);

            // POST /handovers/{id}/outcomes: first contact made, HandoverOutcomeRecorded.
            now = DateTimeOffset.UtcNow;
            await WriteAsync(
                _handovers,
                [Sql("UPDATE tickets SET status = 'contacted', version = 4, note = $3, updated_at = $2 WHERE id = $1 AND status = 'accepted'", ticketId, now, "first contact made")],
                [new RawEvent(Guid.CreateVersion7(), "HandoverOutcomeRecorded", caseId, ticketId, partner, receiver, 4, now)],
                cancellationToken,
                expectRows: true);
        }
        catch (TimeoutException)
        {
            ThrowIfConsumerFailed();
            throw;
        }
        finally
        {
            _waits.TryRemove(caseId, out _);
        }
    }

    /// <summary>One write transaction: its statements and outbox rows in one round trip, then the commit; wakes the service's relay.</summary>
    private async Task WriteAsync(
        Service service, NpgsqlBatchCommand[] statements, RawEvent[] events, CancellationToken cancellationToken, bool expectRows = false)
    {
        await TransactAsync(
            service,
            async connection =>
            {
                await using var batch = new NpgsqlBatch(connection);
                foreach (var statement in statements)
                {
                    batch.BatchCommands.Add(statement);
                }

                foreach (var e in events)
                {
                    batch.BatchCommands.Add(Sql(InsertOutbox, e.MessageId, e.Type, Jsonb(JsonSerializer.Serialize(e, JsonSerializerOptions.Web)), e.OccurredAt));
                }

                await batch.ExecuteNonQueryAsync(cancellationToken);
                if (expectRows && batch.BatchCommands[0].RecordsAffected != 1)
                {
                    throw new InvalidOperationException($"raw journey baseline: {events[0].Type} of case {events[0].CaseId} changed no row");
                }
            },
            cancellationToken);
        service.Wake();
    }

    private async Task TransactAsync(Service service, Func<NpgsqlConnection, Task> work, CancellationToken cancellationToken)
    {
        await using var connection = await service.Data.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await work(connection);
        await transaction.CommitAsync(cancellationToken);
        Interlocked.Increment(ref _transactions);
    }

    /// <summary>The service's outbox relay: batches of rows taken FOR UPDATE SKIP LOCKED, published with confirms, deleted.</summary>
    private async Task RelayAsync(Service service, CancellationToken cancellationToken)
    {
        try
        {
            await RelayBatchesAsync(service, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
#pragma warning disable CA1031 // A failed relay is reported through the journey that waits for its messages.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.CompareExchange(ref _consumerFailure, ex, null);
        }
    }

    private async Task RelayBatchesAsync(Service service, CancellationToken cancellationToken)
    {
        var channel = service.Publisher!;
        var sequences = new List<long>(RelayBatch);
        var messages = new List<(string Type, Guid Id, byte[] Body)>(RelayBatch);
        while (!cancellationToken.IsCancellationRequested)
        {
            sequences.Clear();
            messages.Clear();
            await using (var connection = await service.Data.OpenConnectionAsync(cancellationToken))
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                await using (var select = new NpgsqlCommand(
                    $"SELECT sequence, id, message_type, body::text FROM outbox_messages WHERE quarantined_at IS NULL ORDER BY sequence LIMIT {RelayBatch} FOR UPDATE SKIP LOCKED",
                    connection))
                await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        sequences.Add(reader.GetInt64(0));
                        messages.Add((reader.GetString(2), reader.GetGuid(1), Encoding.UTF8.GetBytes(reader.GetString(3))));
                    }
                }

                if (sequences.Count > 0)
                {
                    await Task.WhenAll(messages.Select(m => channel.BasicPublishAsync(
                        Exchange,
                        m.Type,
                        mandatory: true,
                        new BasicProperties { Persistent = true, ContentType = "application/json", MessageId = m.Id.ToString(), Type = m.Type },
                        m.Body,
                        cancellationToken).AsTask()));
                    await using var delete = new NpgsqlCommand("DELETE FROM outbox_messages WHERE sequence = ANY($1)", connection);
                    delete.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. sequences] });
                    await delete.ExecuteNonQueryAsync(cancellationToken);
                    Interlocked.Increment(ref _relayPasses);
                }

                await transaction.CommitAsync(cancellationToken);
                Interlocked.Increment(ref _transactions);
            }

            if (sequences.Count == 0)
            {
                await service.Woken.Reader.ReadAsync(cancellationToken);
            }
        }
    }

    /// <summary>A consuming service takes one message: inbox insert and effect upsert in one transaction, then the ack.</summary>
    private async Task ConsumeAsync(Service service, IChannel channel, BasicDeliverEventArgs delivery)
    {
        try
        {
            var e = JsonSerializer.Deserialize<RawEvent>(delivery.Body.Span, JsonSerializerOptions.Web)!;
            var first = false;
            await TransactAsync(
                service,
                async connection =>
                {
                    await using (var inbox = new NpgsqlCommand(InsertInbox, connection))
                    {
                        inbox.Parameters.Add(new NpgsqlParameter { Value = e.MessageId });
                        inbox.Parameters.Add(new NpgsqlParameter { Value = $"raw-journey-{service.Name}-{e.Type}" });
                        inbox.Parameters.Add(new NpgsqlParameter { Value = DateTimeOffset.UtcNow });
                        first = await inbox.ExecuteNonQueryAsync(_stop.Token) == 1;
                    }

                    if (first)
                    {
                        await using var effect = Effect(service, e, connection);
                        await effect.ExecuteNonQueryAsync(_stop.Token);
                    }
                },
                _stop.Token);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, _stop.Token);
            Interlocked.Increment(ref _consumed);
            if (first && _waits.TryGetValue(e.CaseId, out var wait))
            {
                if (service == _handovers && Interlocked.Increment(ref wait.Known) == 2)
                {
                    wait.HandoversKnows.TrySetResult();
                }
                else if (service == _counselling && e.Type == "HandoverAccepted")
                {
                    wait.Accepted.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping.
        }
#pragma warning disable CA1031 // A failed message is reported through the journey that waits for it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.CompareExchange(ref _consumerFailure, ex, null);
        }
    }

    /// <summary>The effect of an event on the consuming service's own table.</summary>
    private static NpgsqlCommand Effect(Service service, RawEvent e, NpgsqlConnection connection)
    {
        var status = e.Type switch
        {
            "HandoverOffered" => "offered",
            "HandoverAccepted" => "accepted",
            _ => "contacted",
        };
        var (sql, values) = (service.Name, e.Type) switch
        {
            ("handovers", "CaseOpened") => (
                "INSERT INTO known_cases (case_id, partner_id, opened_at) VALUES ($1, $2, $3) ON CONFLICT (case_id) DO NOTHING",
                new object[] { e.CaseId, e.PartnerId, e.OccurredAt }),
            ("handovers", _) => (
                "INSERT INTO known_consents (case_id, receiver_id, granted_at) VALUES ($1, $2, $3) ON CONFLICT (case_id, receiver_id) DO UPDATE SET granted_at = excluded.granted_at",
                [e.CaseId, e.ReceiverId, e.OccurredAt]),
            ("counselling", _) => (
                """
                INSERT INTO handover_views (ticket_id, case_id, receiver_id, status, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (ticket_id) DO UPDATE SET status = excluded.status, version = excluded.version, updated_at = excluded.updated_at
                WHERE handover_views.version < excluded.version
                """,
                [e.TicketId!.Value, e.CaseId, e.ReceiverId, status, e.Version, e.OccurredAt]),
            _ => (
                """
                INSERT INTO receiver_handovers (ticket_id, receiver_id, status, version, updated_at) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (ticket_id) DO UPDATE SET status = excluded.status, version = excluded.version, updated_at = excluded.updated_at
                WHERE receiver_handovers.version < excluded.version
                """,
                [e.TicketId!.Value, e.ReceiverId, status, e.Version, e.OccurredAt]),
        };
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private void ThrowIfConsumerFailed()
    {
        if (Volatile.Read(ref _consumerFailure) is { } failure)
        {
            throw new InvalidOperationException($"raw journey baseline: a relay or consumer failed: {failure.Message}", failure);
        }
    }

    private static NpgsqlBatchCommand Sql(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private static NpgsqlParameter<string> Jsonb(string json) => new NpgsqlParameter<string> { TypedValue = json, NpgsqlDbType = NpgsqlDbType.Jsonb };

    /// <summary>What every event of the raw journey carries, as JSON.</summary>
    private sealed record RawEvent(Guid MessageId, string Type, Guid CaseId, Guid? TicketId, Guid PartnerId, Guid ReceiverId, int Version, DateTimeOffset OccurredAt);

    /// <summary>What a journey waits for: Handovers has consumed CaseOpened and ConsentGranted; Counselling has projected the acceptance.</summary>
    private sealed class JourneyWait
    {
#pragma warning disable CA1051, SA1401 // Incremented with Interlocked.
        public int Known;
#pragma warning restore CA1051, SA1401

        public TaskCompletionSource HandoversKnows { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One "service": its database, its relay's and its consumer's channels, and the signal that wakes its relay.</summary>
    private sealed class Service(string name, NpgsqlDataSource data)
    {
        public string Name { get; } = name;

        public NpgsqlDataSource Data { get; } = data;

        public IChannel? Publisher { get; set; }

        public IChannel? Consumer { get; set; }

        /// <summary>Holds at most one wake-up: a commit after the relay found the outbox empty is never missed.</summary>
        public System.Threading.Channels.Channel<bool> Woken { get; } = System.Threading.Channels.Channel.CreateBounded<bool>(
            new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });

        public void Wake() => Woken.Writer.TryWrite(true);
    }
}
