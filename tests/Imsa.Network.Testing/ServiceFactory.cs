using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Testing;

/// <summary>
/// Hosts one IMSA service in the test process against its own database and the test class's virtual host, with
/// quick consumer retries and quiet logs. Hosted services (the outbox relay, the bus) run as in production.
/// </summary>
public sealed class ServiceFactory<TProgram>(
    string connectionString, IDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
    : WebApplicationFactory<TProgram>
    where TProgram : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Invitations:Mail:PickupDirectory", TestMail.Directory);
        builder.UseSetting("ConnectionStrings:Database", connectionString);
        // Tests provoke failures on purpose (outages, poison messages); only our own warnings are worth reading.
        // IMSA_TEST_LOGS=1 shows every warning and error instead, when a test needs explaining.
        var quiet = Environment.GetEnvironmentVariable("IMSA_TEST_LOGS") != "1";
        builder.UseSetting("Logging:LogLevel:Default", quiet ? "Critical" : "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", quiet ? "Critical" : "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", quiet ? "Critical" : "Warning");
        builder.UseSetting("Logging:LogLevel:MassTransit", quiet ? "Critical" : "Warning");
        builder.UseSetting("Logging:LogLevel:Imsa", "Warning");
        builder.UseSetting("Messaging:ConsumerRetry:Limit", "2");
        builder.UseSetting("Messaging:ConsumerRetry:MinInterval", "00:00:00.050");
        builder.UseSetting("Messaging:ConsumerRetry:MaxInterval", "00:00:00.200");
        // The Counselling service's master key (only it reads these), and quick timers so tests need not wait.
        builder.UseSetting("Encryption:ActiveKeyId", TestMasterKey.Id);
        builder.UseSetting($"Encryption:MasterKeys:{TestMasterKey.Id}", TestMasterKey.Value);
        // Counselling's and Handovers' key for pseudonymous references to people (only they read it).
        builder.UseSetting("Pseudonyms:Key", TestPseudonymKey.Value);
        builder.UseSetting("People:TokenKey", TestPseudonymKey.PeopleTokenKey);
        builder.UseSetting("Network:PublicUrl", TestNetwork.PublicUrl);
        builder.UseSetting("Counselling:ConsentExpiry:Interval", "00:00:00.200");
        builder.UseSetting("Handovers:Sla:Interval", "00:00:00.200");
        builder.UseSetting("Messaging:Inbox:CleanupInterval", "00:00:00.500");
        // Counselling's way to Handovers for a case's export: nowhere (discard port), unless a test starts both.
        builder.UseSetting("Export:HandoversUrl", "http://127.0.0.1:9/");
        foreach (var (key, value) in TestIdentity.Settings.Concat(TestSignIn.Settings).Concat(settings))
        {
            builder.UseSetting(key, value);
        }

        if (configureServices is not null)
        {
            builder.ConfigureTestServices(configureServices);
        }
    }

    /// <summary>A browser for the sign-in pages: https (the session cookies are Secure), cookies kept, no redirect followed.</summary>
    public TestBrowser Browser() => new(CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"),
        AllowAutoRedirect = false,
        HandleCookies = true,
    }));
}

/// <summary>The test run's master key for personal data in the Counselling service.</summary>
public static class TestMasterKey
{
    public const string Id = "test-2026-1";

    public static string Value { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}

/// <summary>The test run's key for pseudonymous references to people (Pseudonyms:Key), and Partners' key for people's second factors (People:TokenKey).</summary>
public static class TestPseudonymKey
{
    public static string Value { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static string PeopleTokenKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}

/// <summary>Where the network is reached in tests (Network:PublicUrl): receipts and gateway documents name it.</summary>
public static class TestNetwork
{
    public const string PublicUrl = "https://imsa.test/";
}
