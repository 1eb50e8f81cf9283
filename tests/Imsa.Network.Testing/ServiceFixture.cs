using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Imsa.Network.Testing;

/// <summary>
/// One IMSA service hosted for a test class, with a database and a virtual host of its own; ready (database
/// migrated, bus connected) before the first test runs.
/// </summary>
public class ServiceFixture<TProgram> : IAsyncLifetime
    where TProgram : class
{
    private readonly string _name;

    public ServiceFixture()
        : this(typeof(TProgram).Namespace!.Split('.')[^1])
    {
    }

    protected ServiceFixture(string name) => _name = name;

    public PostgresDatabase Database { get; private set; } = null!;

    public RabbitMqVirtualHost VirtualHost { get; private set; } = null!;

    public ServiceFactory<TProgram> Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync(_name);
        VirtualHost = await RabbitMqVirtualHost.CreateAsync(_name);
        // The service's name: Imsa.Network.Partners → partners.
        var settings = VirtualHost.Settings(service: typeof(TProgram).Namespace!.Split('.')[^1].ToLowerInvariant());
        // The metrics port (TestMetrics; the test server has no sockets, so every fixture can name the same one), and
        // gauges read from the database kept only briefly. Hosts on real Kestrel (end-to-end, browser) go without.
        settings["Metrics:Port"] = TestMetrics.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Metrics:GaugeCacheDuration"] = "00:00:00.100";
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        Factory = new ServiceFactory<TProgram>(Database.ConnectionString, settings, ConfigureServices);
        Client = Factory.CreateClient();
        await Client.WaitUntilReadyAsync();
    }

    /// <summary>Configuration a test class needs beyond the defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    /// <summary>Replaces services for a test class, e.g. the <see cref="TimeProvider"/>.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>Reading health and RFC 9457 problem responses in tests.</summary>
public static class HttpTestExtensions
{
    public static Task WaitUntilReadyAsync(this HttpClient client) =>
        Eventually.Until(
            async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode,
            ready => ready,
            "the service to report ready");

    public static async Task<JsonObject> ReadProblemAsync(this HttpResponseMessage response)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType != "application/problem+json")
        {
            throw new JsonException($"Expected an application/problem+json response, got {mediaType ?? "no content type"}.");
        }

        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>The field names a validation problem's "errors" object names.</summary>
    public static IReadOnlyCollection<string> ErrorFields(this JsonObject problem) =>
        problem["errors"] is JsonObject errors ? errors.Select(e => e.Key).ToList() : [];
}
