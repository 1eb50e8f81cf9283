using System.Globalization;
using System.Text.Json.Serialization;

namespace Imsa.Network.Bench.MatchingHttp;

/// <summary>How much load the HTTP matching mode applies (bench --matching-http), with defaults for a 2-core machine.</summary>
public sealed record MatchingHttpSettings
{
    /// <summary>Active receiving services inserted into the service's database.</summary>
    public int Services { get; init; } = 20_000;

    /// <summary>Concurrent workers of the measured matching runs, one run per value.</summary>
    public IReadOnlyList<int> Workers { get; init; } = [8, 16, 32];

    /// <summary>Length of each measured matching run.</summary>
    public int Seconds { get; init; } = 20;

    /// <summary>Length of each run against the simpler endpoints that split the cost of a request (0: none).</summary>
    public int BreakdownSeconds { get; init; } = 10;

    /// <summary>Workers of the breakdown runs and of the explained-exclusions run.</summary>
    public int BreakdownWorkers { get; init; } = 16;

    /// <summary>Length of the run with exclusions explained (0: none).</summary>
    public int ExplainedSeconds { get; init; } = 10;

    /// <summary>Offered rates (queries/s, open loop) for latency at a fixed load; empty: none.</summary>
    public IReadOnlyList<int> Rates { get; init; } = [500, 1_000];

    /// <summary>Length of each fixed-rate run.</summary>
    public int RateSeconds { get; init; } = 15;

    /// <summary>Most queries in flight during a fixed-rate run (a query due while this many are open waits).</summary>
    public int RateInFlight { get; init; } = 64;

    /// <summary>Case profiles whose HTTP answer is compared with the in-process engine's.</summary>
    public int Checked { get; init; } = 200;

    /// <summary>Seed of the directory and case generator.</summary>
    public int Seed { get; init; } = 20_261_123;

    /// <summary>The Partners service's Release build folder (its dll is run with dotnet; the folder is its content root).</summary>
    public string PartnersDirectory { get; init; } = DefaultPartnersDirectory();

    /// <summary>Extra environment variables for the service (--service-env), e.g. DOTNET_PerfMapEnabled=1.</summary>
    public IReadOnlyList<string> ServiceEnvironment { get; init; } = [];

    /// <summary>Added to the service's connection string (--npgsql), e.g. "Max Auto Prepare=20".</summary>
    public string? NpgsqlSettings { get; init; }

    [JsonIgnore]
    public string ResultsDirectory { get; init; } = new BenchSettings().ResultsDirectory;

    public const string Usage = """
        Usage: bench/run.sh --matching-http [options]
               (or: dotnet bench/Imsa.Network.Bench/bin/Release/net10.0/Imsa.Network.Bench.dll --matching-http [options])
          --services N            active receiving services in the directory (20000)
          --workers N,N,...       concurrent workers, one measured matching run each (8,16,32)
          --seconds N             length of each measured matching run (20)
          --breakdown-seconds N   length of each run against /health/live, /me and a search, which split a request's cost; 0 skips (10)
          --breakdown-workers N   workers of those runs and of the explained run (16)
          --explained-seconds N   length of the run with exclusions explained; 0 skips (10)
          --rates N,N,...         offered queries/s of fixed-rate (open-loop) runs; 0 skips (500,1000)
          --rate-seconds N        length of each fixed-rate run (15)
          --rate-in-flight N      most queries in flight in a fixed-rate run (64)
          --check N               case profiles whose answer is compared with the in-process engine (200)
          --seed N                generator seed (20261123)
          --partners DIR          the Partners Release build folder (services/Partners/Imsa.Network.Partners/bin/Release/net10.0)
          --service-env K=V       an extra environment variable for the service; repeatable (e.g. DOTNET_PerfMapEnabled=1)
          --npgsql SETTINGS       added to the service's connection string, e.g. "Max Auto Prepare=20"
          --results DIR           where the result files go (bench/results)
        Environment: IMSA_POSTGRES, IMSA_DB_PASSWORD, IMSA_RABBITMQ_HOST, IMSA_RABBITMQ_PORT,
          IMSA_RABBITMQ_MANAGEMENT_PORT, IMSA_RABBITMQ_USER, IMSA_RABBITMQ_PASSWORD (as bench/run.sh exports them).
        """;

    public static MatchingHttpSettings Load(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = new MatchingHttpSettings();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (args[i] is "--help" or "-h")
            {
                throw new ArgumentException(Usage);
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"Option {args[i]} needs a value.\n{Usage}");
            }

            var value = args[i + 1];
            settings = args[i] switch
            {
                "--services" => settings with { Services = Positive(args[i], value) },
                "--workers" => settings with { Workers = List(args[i], value, allowZero: false) },
                "--seconds" => settings with { Seconds = Positive(args[i], value) },
                "--breakdown-seconds" => settings with { BreakdownSeconds = ZeroOrMore(args[i], value) },
                "--breakdown-workers" => settings with { BreakdownWorkers = Positive(args[i], value) },
                "--explained-seconds" => settings with { ExplainedSeconds = ZeroOrMore(args[i], value) },
                "--rates" => settings with { Rates = [.. List(args[i], value, allowZero: true).Where(r => r > 0)] },
                "--rate-seconds" => settings with { RateSeconds = Positive(args[i], value) },
                "--rate-in-flight" => settings with { RateInFlight = Positive(args[i], value) },
                "--check" => settings with { Checked = ZeroOrMore(args[i], value) },
                "--seed" => settings with { Seed = Positive(args[i], value) },
                "--partners" => settings with { PartnersDirectory = Path.GetFullPath(value) },
                "--service-env" => value.Contains('=', StringComparison.Ordinal)
                    ? settings with { ServiceEnvironment = [.. settings.ServiceEnvironment, value] }
                    : throw new ArgumentException($"Option --service-env needs NAME=VALUE, not '{value}'."),
                "--npgsql" => settings with { NpgsqlSettings = value },
                "--results" => settings with { ResultsDirectory = Path.GetFullPath(value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}"),
            };
        }

        return settings;
    }

    private static int Positive(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"Option {option} needs a positive whole number, not '{value}'.");

    private static int ZeroOrMore(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"Option {option} needs a whole number, not '{value}'.");

    private static int[] List(string option, string value, bool allowZero) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(item => allowZero ? ZeroOrMore(option, item) : Positive(option, item))];

    /// <summary>services/Partners/Imsa.Network.Partners/bin/Release/net10.0 of the checkout the bench was built in.</summary>
    private static string DefaultPartnersDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "services", "Partners", "Imsa.Network.Partners");
            if (Directory.Exists(candidate))
            {
                return Path.Combine(candidate, "bin", "Release", "net10.0");
            }
        }

        return Path.GetFullPath(Path.Combine("services", "Partners", "Imsa.Network.Partners", "bin", "Release", "net10.0"));
    }
}
