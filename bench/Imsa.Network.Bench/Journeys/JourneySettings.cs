using System.Globalization;
using System.Text.Json.Serialization;

namespace Imsa.Network.Bench.Journeys;

/// <summary>How much load the journeys mode applies (bench --journeys), with defaults for a 2-core machine.</summary>
public sealed record JourneySettings
{
    /// <summary>Origin partners abroad, each with its own API client and token.</summary>
    public int Partners { get; init; } = 20;

    /// <summary>Receiving services in Germany, each with its own API client and token.</summary>
    public int Receivers { get; init; } = 20;

    /// <summary>The receivers' declared capacity (maxOpenHandovers): the most a profile may declare, far above what a run opens, so the check passes but still runs.</summary>
    public int ReceiverCapacity { get; init; } = 10_000;

    /// <summary>Concurrent journeys of the closed-loop runs, one measured run per value; the best is the peak.</summary>
    public IReadOnlyList<int> Workers { get; init; } = [16, 32, 64];

    /// <summary>Length of each measured closed-loop run.</summary>
    public int Seconds { get; init; } = 30;

    /// <summary>Length of each warm-up round (closed loop, the highest worker count).</summary>
    public int WarmupSeconds { get; init; } = 10;

    /// <summary>Most warm-up rounds; warming up stops earlier once journeys/s settles.</summary>
    public int WarmupRounds { get; init; } = 8;

    /// <summary>The paced run's rate as a share of the measured peak (0.5: half load).</summary>
    public double PacedShare { get; init; } = 0.5;

    /// <summary>Length of the paced (open-loop) run.</summary>
    public int PacedSeconds { get; init; } = 30;

    /// <summary>Most journeys in flight in the paced run; a journey due while this many run waits for a slot.</summary>
    public int PacedInFlight { get; init; } = 256;

    /// <summary>Pause between two reads of the origin's case while waiting for the acceptance to show, ms (after 100 ms: a tenth of the time waited).</summary>
    public int PollMilliseconds { get; init; } = 2;

    /// <summary>First pause before a step waiting for events is tried again (doubling, at most 100 ms), ms.</summary>
    public int RetryMilliseconds { get; init; } = 5;

    /// <summary>Events of the backbone baseline's throughput run (BenchSettings.Events); 0 skips the baseline.</summary>
    public int BackboneEvents { get; init; } = 20_000;

    /// <summary>Messages of the raw RabbitMQ baseline and transactions of the raw Npgsql baseline (BenchSettings.BaselineCount); 0 skips both.</summary>
    public int BaselineCount { get; init; } = 20_000;

    /// <summary>Journeys of the raw journey baseline's measured run (Baselines/RawJourneyBaseline.cs); 0 skips it.</summary>
    public int RawJourneys { get; init; } = 3_000;

    /// <summary>Concurrent journeys of the raw journey baseline.</summary>
    public int RawWorkers { get; init; } = 32;

    /// <summary>Only the baselines (backbone, raw RabbitMQ, raw Npgsql, raw journey): no services are started.</summary>
    public bool BaselinesOnly { get; init; }

    /// <summary>The services' Release build folders are found under this folder (services/).</summary>
    public string ServicesDirectory { get; init; } = DefaultServicesDirectory();

    /// <summary>Extra environment variables for all three services (--service-env), e.g. RabbitMq__PrefetchCount=64.</summary>
    public IReadOnlyList<string> ServiceEnvironment { get; init; } = [];

    /// <summary>Added to the services' connection strings (--npgsql), e.g. "Max Auto Prepare=20".</summary>
    public string? NpgsqlSettings { get; init; }

    [JsonIgnore]
    public string ResultsDirectory { get; init; } = new BenchSettings().ResultsDirectory;

    public const string Usage = """
        Usage: bench/run.sh --journeys [options]
               (or: dotnet bench/Imsa.Network.Bench/bin/Release/net10.0/Imsa.Network.Bench.dll --journeys [options])
          --partners N            origin partners (20)
          --receivers N           receiving services (20)
          --capacity N            the receivers' maxOpenHandovers (10000, the most a profile may declare)
          --workers N,N,...       concurrent journeys, one measured closed-loop run each; the best is the peak (16,32,64)
          --seconds N             length of each measured closed-loop run (30)
          --warmup-seconds N      length of a warm-up round (10)
          --warmup-rounds N       most warm-up rounds; at least 4 run unless fewer are allowed here (8)
          --paced-percent N       the paced run's rate, in percent of the peak (50)
          --paced-seconds N       length of the paced (open-loop) run; 0 skips it (30)
          --paced-in-flight N     most journeys in flight in the paced run (256)
          --poll-ms N             pause between reads of the origin's case while waiting for the acceptance, for its first 100 ms (2)
          --retry-ms N            first pause before retrying a step that waits for events, doubling up to 100 (5)
          --backbone-events N     events of the backbone baseline's throughput run; 0 skips it (20000)
          --baseline N            messages of the raw RabbitMQ and transactions of the raw Npgsql baseline; 0 skips both (20000)
          --raw-journeys N        journeys of the raw journey baseline (raw Npgsql and RabbitMQ.Client); 0 skips it (3000)
          --raw-workers N         concurrent journeys of the raw journey baseline (32)
          --baselines-only        run the baselines only and report them; no services are started
          --services DIR          folder holding the services' projects (services/ of this checkout)
          --service-env K=V       an extra environment variable for all three services; repeatable
          --npgsql SETTINGS       added to the services' connection strings, e.g. "Max Auto Prepare=20"
          --results DIR           where the result files go (bench/results)
        Environment: IMSA_POSTGRES, IMSA_DB_PASSWORD, IMSA_RABBITMQ_HOST, IMSA_RABBITMQ_PORT,
          IMSA_RABBITMQ_MANAGEMENT_PORT, IMSA_RABBITMQ_USER, IMSA_RABBITMQ_PASSWORD (as bench/run.sh exports them).
        """;

    public static JourneySettings Load(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = new JourneySettings();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (args[i] is "--help" or "-h")
            {
                throw new ArgumentException(Usage);
            }

            if (args[i] is "--baselines-only")
            {
                settings = settings with { BaselinesOnly = true };
                i--;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"Option {args[i]} needs a value.\n{Usage}");
            }

            var (option, value) = (args[i], args[i + 1]);
            settings = option switch
            {
                "--partners" => settings with { Partners = Positive(option, value) },
                "--receivers" => settings with { Receivers = Positive(option, value) },
                "--capacity" => settings with { ReceiverCapacity = Positive(option, value) },
                "--workers" => settings with
                {
                    Workers = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(w => Positive(option, w))],
                },
                "--seconds" => settings with { Seconds = Positive(option, value) },
                "--warmup-seconds" => settings with { WarmupSeconds = Positive(option, value) },
                "--warmup-rounds" => settings with { WarmupRounds = ZeroOrMore(option, value) },
                "--paced-percent" => settings with { PacedShare = Positive(option, value) / 100.0 },
                "--paced-seconds" => settings with { PacedSeconds = ZeroOrMore(option, value) },
                "--paced-in-flight" => settings with { PacedInFlight = Positive(option, value) },
                "--poll-ms" => settings with { PollMilliseconds = ZeroOrMore(option, value) },
                "--retry-ms" => settings with { RetryMilliseconds = Positive(option, value) },
                "--backbone-events" => settings with { BackboneEvents = ZeroOrMore(option, value) },
                "--baseline" => settings with { BaselineCount = ZeroOrMore(option, value) },
                "--raw-journeys" => settings with { RawJourneys = ZeroOrMore(option, value) },
                "--raw-workers" => settings with { RawWorkers = Positive(option, value) },
                "--services" => settings with { ServicesDirectory = Path.GetFullPath(value) },
                "--service-env" => value.Contains('=', StringComparison.Ordinal)
                    ? settings with { ServiceEnvironment = [.. settings.ServiceEnvironment, value] }
                    : throw new ArgumentException($"Option --service-env needs NAME=VALUE, not '{value}'."),
                "--npgsql" => settings with { NpgsqlSettings = value },
                "--results" => settings with { ResultsDirectory = Path.GetFullPath(value) },
                _ => throw new ArgumentException($"Unknown option {option}.\n{Usage}"),
            };
        }

        return settings.Workers.Count > 0 ? settings : throw new ArgumentException("Option --workers needs at least one number.");
    }

    /// <summary>A service's Release build folder: services/{name}/Imsa.Network.{name}/bin/Release/net10.0.</summary>
    public string BuildDirectory(string service) =>
        Path.Combine(ServicesDirectory, service, $"Imsa.Network.{service}", "bin", "Release", "net10.0");

    private static int Positive(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"Option {option} needs a positive whole number, not '{value}'.");

    private static int ZeroOrMore(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"Option {option} needs a whole number, not '{value}'.");

    /// <summary>services/ of the checkout the bench was built in.</summary>
    private static string DefaultServicesDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "services");
            if (Directory.Exists(Path.Combine(candidate, "Handovers")))
            {
                return candidate;
            }
        }

        return Path.GetFullPath("services");
    }
}
