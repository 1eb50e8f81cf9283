using System.Diagnostics;
using System.Text.Json;
using Imsa.Network.Bench.Backbone;
using Imsa.Network.Bench.Measurement;
using Npgsql;
using NpgsqlTypes;

namespace Imsa.Network.Bench.Baselines;

/// <summary>
/// What PostgreSQL itself commits here, with raw Npgsql and no EF Core: the writer's transaction of the
/// backbone (a state row and an outbox-shaped row) as two prepared inserts, from several connections at once.
/// </summary>
/// <param name="Tls">Whether the connections were TLS-encrypted (Npgsql's default SslMode=Prefer uses TLS when the server offers it).</param>
public sealed record PostgresBaselineResult(int Transactions, int Connections, bool Tls, double Seconds, double TransactionsPerSecond, CpuUsage Cpu);

public static class PostgresBaseline
{
    private const int WarmupTransactions = 2_000;
    private const int MaxWarmupRounds = 10;

    private static readonly string MessageType =
        $"{typeof(BenchOrderPlaced).FullName}, {typeof(BenchOrderPlaced).Assembly.GetName().Name}";

    /// <summary>The outbox table shaped like the backbone's (see MessagingModelBuilderExtensions), index included; the raw journey's too.</summary>
    internal const string OutboxTableSql = """
        CREATE TABLE outbox_messages (
            sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id uuid NOT NULL UNIQUE,
            message_type varchar(500) NOT NULL, body jsonb NOT NULL, trace_parent varchar(100),
            created_at timestamptz NOT NULL, attempts integer NOT NULL DEFAULT 0, next_attempt_at timestamptz,
            last_error varchar(2000), quarantined_at timestamptz);
        CREATE INDEX ix_outbox_messages_pending ON outbox_messages (sequence) WHERE quarantined_at IS NULL;

        """;

    private const string SchemaSql = """
        DROP TABLE IF EXISTS bench_orders, outbox_messages;
        CREATE TABLE bench_orders (
            id uuid PRIMARY KEY, reference varchar(40) NOT NULL, phase integer NOT NULL, "index" integer NOT NULL,
            placed_at timestamptz NOT NULL);

        """ + OutboxTableSql;

    private const string InsertOrderSql =
        """INSERT INTO bench_orders (id, reference, phase, "index", placed_at) VALUES ($1, $2, 0, $3, $4)""";

    private const string InsertOutboxSql =
        "INSERT INTO outbox_messages (id, message_type, body, created_at) VALUES ($1, $2, $3, $4)";

    public static async Task<PostgresBaselineResult> RunAsync(
        string connectionString, int transactions, int connections, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var schema = dataSource.CreateCommand(SchemaSql))
        {
            await schema.ExecuteNonQueryAsync(cancellationToken);
        }

        bool tls;
        await using (var ssl = dataSource.CreateCommand("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
        {
            tls = await ssl.ExecuteScalarAsync(cancellationToken) is true;
        }

        await JitWarmup.UntilSettledAsync(
            () => RunTransactionsAsync(dataSource, WarmupTransactions, connections, cancellationToken), MaxWarmupRounds);

        var cpuBefore = CpuSnapshot.Take();
        var start = Stopwatch.GetTimestamp();
        await RunTransactionsAsync(dataSource, transactions, connections, cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpu = cpuBefore.Until(CpuSnapshot.Take());
        return new PostgresBaselineResult(transactions, connections, tls, seconds, transactions / seconds, cpu);
    }

    private static Task RunTransactionsAsync(NpgsqlDataSource dataSource, int transactions, int connections, CancellationToken cancellationToken)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(
            async () =>
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var insertOrder = new NpgsqlCommand(InsertOrderSql, connection);
                var orderId = Add(insertOrder, new NpgsqlParameter<Guid>());
                var reference = Add(insertOrder, new NpgsqlParameter<string>());
                var index = Add(insertOrder, new NpgsqlParameter<int>());
                var placedAt = Add(insertOrder, new NpgsqlParameter<DateTimeOffset>());
                await using var insertOutbox = new NpgsqlCommand(InsertOutboxSql, connection);
                var messageId = Add(insertOutbox, new NpgsqlParameter<Guid>());
                insertOutbox.Parameters.Add(new NpgsqlParameter<string> { TypedValue = MessageType });
                var body = Add(insertOutbox, new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Jsonb });
                var createdAt = Add(insertOutbox, new NpgsqlParameter<DateTimeOffset>());
                await insertOrder.PrepareAsync(cancellationToken);
                await insertOutbox.PrepareAsync(cancellationToken);

                for (var i = Interlocked.Increment(ref next); i < transactions; i = Interlocked.Increment(ref next))
                {
                    var now = DateTimeOffset.UtcNow;
                    var order = new BenchOrderPlaced(Guid.CreateVersion7(), $"R-{i:D6}", 0, i, Stopwatch.GetTimestamp(), now);
                    orderId.TypedValue = order.OrderId;
                    reference.TypedValue = order.Reference;
                    index.TypedValue = i;
                    placedAt.TypedValue = now;
                    messageId.TypedValue = Guid.CreateVersion7();
                    body.TypedValue = JsonSerializer.Serialize(order, JsonSerializerOptions.Web);
                    createdAt.TypedValue = now;

                    await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                    await insertOrder.ExecuteNonQueryAsync(cancellationToken);
                    await insertOutbox.ExecuteNonQueryAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }
            },
            cancellationToken)));
    }

    private static NpgsqlParameter<T> Add<T>(NpgsqlCommand command, NpgsqlParameter<T> parameter)
    {
        command.Parameters.Add(parameter);
        return parameter;
    }
}
