using System.Globalization;

namespace Imsa.Network.Bench.Matching;

/// <summary>How big a directory to generate and how many queries to run (command-line options after --matching).</summary>
public sealed record MatchingSettings
{
    /// <summary>Synthetic receiving services in the directory.</summary>
    public int Services { get; init; } = 20_000;

    /// <summary>Random case profiles matched (the measured run).</summary>
    public int Queries { get; init; } = 20_000;

    /// <summary>Of those, how many are matched again with the exclusions explained (a second measured run).</summary>
    public int ExplainedQueries { get; init; } = 5_000;

    /// <summary>Random directory searches (a third measured run).</summary>
    public int Searches { get; init; } = 20_000;

    /// <summary>Seed of the generator: the same seed gives the same directory and the same queries.</summary>
    public int Seed { get; init; } = 20_261_123;

    public string ResultsDirectory { get; init; } = new BenchSettings().ResultsDirectory;

    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Imsa.Network.Bench -- --matching [options]
          --services N    synthetic receiving services in the directory (20000)
          --queries N     case profiles matched (20000)
          --explained N   case profiles matched with exclusions explained (5000)
          --searches N    directory searches (20000)
          --seed N        generator seed (20261123)
          --results DIR   where the result files go (bench/results)
        Needs no PostgreSQL or RabbitMQ: the matching engine runs in-process.
        """;

    public static MatchingSettings Load(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = new MatchingSettings();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"Option {args[i]} needs a value.\n{Usage}");
            }

            var value = args[i + 1];
            settings = args[i] switch
            {
                "--services" => settings with { Services = Positive(args[i], value) },
                "--queries" => settings with { Queries = Positive(args[i], value) },
                "--explained" => settings with { ExplainedQueries = Positive(args[i], value) },
                "--searches" => settings with { Searches = Positive(args[i], value) },
                "--seed" => settings with { Seed = Positive(args[i], value) },
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
}
