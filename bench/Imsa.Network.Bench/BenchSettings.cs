using System.Globalization;
using System.Text.Json.Serialization;

namespace Imsa.Network.Bench;

/// <summary>
/// Where the infrastructure is (environment variables, as bench/run.sh exports them) and how much load to
/// apply (command-line options, with defaults sized for a 2-core machine).
/// </summary>
public sealed record BenchSettings
{
    /// <summary>Npgsql connection string without a database (IMSA_POSTGRES).</summary>
    [JsonIgnore]
    public string Postgres { get; init; } = "Host=127.0.0.1;Port=5432;Username=imsa";

    /// <summary>Connection-string settings added with --npgsql (recorded in the results; no secrets).</summary>
    public string? NpgsqlSettings { get; init; }

    public string RabbitMqHost { get; init; } = "127.0.0.1";

    public ushort RabbitMqPort { get; init; } = 5672;

    public ushort RabbitMqManagementPort { get; init; } = 15672;

    public string RabbitMqUser { get; init; } = "imsa";

    [JsonIgnore]
    public string RabbitMqPassword { get; init; } = "";

    /// <summary>Events written through the backbone in the throughput run.</summary>
    public int Events { get; init; } = 20_000;

    /// <summary>Concurrent writers (throughput run) and most writes in flight (latency run).</summary>
    public int Writers { get; init; } = 8;

    /// <summary>Events per second in the latency run.</summary>
    public int LatencyRate { get; init; } = 200;

    public int LatencySeconds { get; init; } = 15;

    /// <summary>Events per warm-up round (rounds repeat until the JIT has settled).</summary>
    public int WarmupEvents { get; init; } = 1_000;

    /// <summary>RabbitMq:PrefetchCount of the consumer (also the raw RabbitMQ baseline's prefetch).</summary>
    public ushort PrefetchCount { get; init; } = 64;

    /// <summary>Messaging:Outbox:BatchSize of the relay.</summary>
    public int OutboxBatchSize { get; init; } = 200;

    /// <summary>Events per publish pattern (the bus publishing directly, no outbox).</summary>
    public int PatternEvents { get; init; } = 5_000;

    /// <summary>Messages in the raw RabbitMQ baseline; transactions in the raw PostgreSQL baseline.</summary>
    public int BaselineCount { get; init; } = 20_000;

    [JsonIgnore]
    public string ResultsDirectory { get; init; } = DefaultResultsDirectory();

    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Imsa.Network.Bench -- [options]
          --events N           events in the throughput run (20000)
          --writers N          concurrent writers (8)
          --rate N             events/s in the latency run (200)
          --latency-seconds N  length of the latency run (15)
          --warmup N           events per warm-up round (1000)
          --prefetch N         consumer prefetch, RabbitMq:PrefetchCount (64)
          --batch-size N       relay batch, Messaging:Outbox:BatchSize (200)
          --baseline N         messages / transactions per raw baseline (20000)
          --patterns N         events per publish pattern, the bus publishing directly (5000)
          --npgsql SETTINGS    added to every PostgreSQL connection string, e.g. "Max Auto Prepare=20"
          --results DIR        where the result files go (bench/results)
        Environment: IMSA_POSTGRES, IMSA_DB_PASSWORD, IMSA_RABBITMQ_HOST, IMSA_RABBITMQ_PORT,
          IMSA_RABBITMQ_MANAGEMENT_PORT, IMSA_RABBITMQ_USER, IMSA_RABBITMQ_PASSWORD.
        """;

    public static BenchSettings Load(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = FromEnvironment();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"Option {args[i]} needs a value.\n{Usage}");
            }

            var value = args[i + 1];
            settings = args[i] switch
            {
                "--events" => settings with { Events = Positive(args[i], value) },
                "--writers" => settings with { Writers = Positive(args[i], value) },
                "--rate" => settings with { LatencyRate = Positive(args[i], value) },
                "--latency-seconds" => settings with { LatencySeconds = Positive(args[i], value) },
                "--warmup" => settings with { WarmupEvents = Positive(args[i], value) },
                "--prefetch" => settings with { PrefetchCount = checked((ushort)Positive(args[i], value)) },
                "--batch-size" => settings with { OutboxBatchSize = Positive(args[i], value) },
                "--baseline" => settings with { BaselineCount = Positive(args[i], value) },
                "--patterns" => settings with { PatternEvents = Positive(args[i], value) },
                "--npgsql" => settings with { Postgres = $"{settings.Postgres};{value}", NpgsqlSettings = value },
                "--results" => settings with { ResultsDirectory = Path.GetFullPath(value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}"),
            };
        }

        return settings;
    }

    private static BenchSettings FromEnvironment()
    {
        var defaults = new BenchSettings();
        var postgres = Environment.GetEnvironmentVariable("IMSA_POSTGRES");
        if (string.IsNullOrWhiteSpace(postgres))
        {
            var password = Environment.GetEnvironmentVariable("IMSA_DB_PASSWORD");
            postgres = string.IsNullOrEmpty(password) ? defaults.Postgres : $"{defaults.Postgres};Password={password}";
        }

        return defaults with
        {
            Postgres = postgres,
            RabbitMqHost = Env("IMSA_RABBITMQ_HOST") ?? defaults.RabbitMqHost,
            RabbitMqPort = Env("IMSA_RABBITMQ_PORT") is { } port ? ushort.Parse(port, CultureInfo.InvariantCulture) : defaults.RabbitMqPort,
            RabbitMqManagementPort = Env("IMSA_RABBITMQ_MANAGEMENT_PORT") is { } management
                ? ushort.Parse(management, CultureInfo.InvariantCulture)
                : defaults.RabbitMqManagementPort,
            RabbitMqUser = Env("IMSA_RABBITMQ_USER") ?? defaults.RabbitMqUser,
            RabbitMqPassword = Env("IMSA_RABBITMQ_PASSWORD") ?? defaults.RabbitMqPassword,
        };
    }

    private static string? Env(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static int Positive(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"Option {option} needs a positive whole number, not '{value}'.");

    /// <summary>bench/results beside this project, found from the build output; else ./bench/results.</summary>
    private static string DefaultResultsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Imsa.Network.Bench.csproj")) && dir.Parent is { } bench)
            {
                return Path.Combine(bench.FullName, "results");
            }
        }

        return Path.GetFullPath(Path.Combine("bench", "results"));
    }
}
