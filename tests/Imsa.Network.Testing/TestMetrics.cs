using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Imsa.Network.Testing;

/// <summary>
/// The metrics port of a hosted service (Metrics:Port, set by <see cref="ServiceFixture{TProgram}"/>) and reading what
/// it serves. The test server has no sockets: a request "on a port" is one whose connection has that local port,
/// which is what the service looks at (the Host header is the caller's to choose).
/// </summary>
public static partial class TestMetrics
{
    public const int Port = 9464;

    /// <summary>A port the API could be on: anything but the metrics port.</summary>
    public const int ApiPort = 8080;

    /// <summary>GET <paramref name="path"/> on a connection to <paramref name="localPort"/>: the status and the body.</summary>
    public static async Task<(int Status, string Body)> GetOnPortAsync<TProgram>(this WebApplicationFactory<TProgram> factory, string path, int localPort, string? host = null)
        where TProgram : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        var context = await factory.Server.SendAsync(http =>
        {
            http.Request.Method = HttpMethods.Get;
            http.Request.Scheme = "http";
            http.Request.Host = new HostString(host ?? "localhost");
            http.Request.Path = path;
            http.Connection.LocalPort = localPort;
        });
        using var reader = new StreamReader(context.Response.Body);
        return (context.Response.StatusCode, await reader.ReadToEndAsync());
    }

    /// <summary>Scrapes the metrics port once.</summary>
    public static async Task<Scrape> ScrapeAsync<TProgram>(this WebApplicationFactory<TProgram> factory)
        where TProgram : class
    {
        var (status, body) = await factory.GetOnPortAsync("/metrics", Port);
        if (status != StatusCodes.Status200OK)
        {
            throw new InvalidOperationException($"The metrics port answered {status}.");
        }

        return Scrape.Parse(body);
    }

    /// <summary>Scrapes until <paramref name="condition"/> holds of the scrape (a counter after its event, a cached gauge).</summary>
    public static Task<Scrape> ScrapeUntilAsync<TProgram>(this WebApplicationFactory<TProgram> factory, Func<Scrape, bool> condition, string what)
        where TProgram : class =>
        Eventually.Until(factory.ScrapeAsync, condition, what);
}

/// <summary>One sample of the Prometheus text format: a metric name, its labels and its value.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>What one scrape returned, parsed.</summary>
public sealed partial class Scrape(IReadOnlyList<Sample> samples, string text)
{
    public IReadOnlyList<Sample> Samples { get; } = samples;

    public string Text { get; } = text;

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include <paramref name="labels"/>; 0 when none.</summary>
    public double Value(string name, params (string Label, string Value)[] labels) =>
        Of(name, labels).Sum(sample => sample.Value);

    public bool Has(string name, params (string Label, string Value)[] labels) => Of(name, labels).Any();

    public IEnumerable<Sample> Of(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value));

    public static Scrape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"Not a Prometheus sample: {line}");
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups["name"].Value, m => Regex.Unescape(m.Groups["value"].Value));
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var number => double.Parse(number, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(match.Groups["name"].Value, labels, value));
        }

        return new Scrape(samples, text);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\S+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)",?""")]
    private static partial Regex LabelPair();
}

/// <summary>
/// Records the measurements of one host's meters (those its <see cref="IMeterFactory"/> created), for tests of a
/// library hosted without the scrape endpoint. Other hosts in the test process have meters of the same names.
/// </summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MeterRecorder(IMeterFactory factory, string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>The sum of what counters named <paramref name="instrument"/> recorded with these tags.</summary>
    public double Sum(string instrument, params (string Tag, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && Matches(m.Tags, tags)).Sum(m => m.Value);

    /// <summary>What the observable instrument reports now (null when it reports nothing).</summary>
    public double? Observe(string instrument, params (string Tag, string Value)[] tags)
    {
        var before = _measurements.Count;
        _listener.RecordObservableInstruments();
        var observed = _measurements.Skip(before).Where(m => m.Instrument == instrument && Matches(m.Tags, tags)).ToList();
        return observed.Count == 0 ? null : observed.Sum(m => m.Value);
    }

    public void Dispose() => _listener.Dispose();

    private static bool Matches(KeyValuePair<string, object?>[] recorded, (string Tag, string Value)[] wanted) =>
        wanted.All(w => recorded.Any(r => r.Key == w.Tag && Equals(r.Value?.ToString(), w.Value)));
}

/// <summary>What a metric's label value must not look like.</summary>
public static partial class MetricLabelRules
{
    /// <summary>A GUID, with dashes or without (32 hex digits in a row).</summary>
    public static bool LooksLikeAnId(string value) => IdLike().IsMatch(value ?? "");

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32}")]
    private static partial Regex IdLike();
}
