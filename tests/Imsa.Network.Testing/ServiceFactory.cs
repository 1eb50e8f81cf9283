using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Imsa.Network.Testing;

/// <summary>
/// Hosts one IMSA service in the test process against its own database and the test class's virtual host, with
/// quick consumer retries and quiet logs. Hosted services (the outbox relay, the bus) run as in production.
/// </summary>
public sealed class ServiceFactory<TProgram>(string connectionString, IDictionary<string, string?> settings)
    : WebApplicationFactory<TProgram>
    where TProgram : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Database", connectionString);
        // Tests provoke failures on purpose (outages, poison messages); only our own warnings are worth reading.
        builder.UseSetting("Logging:LogLevel:Default", "Critical");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Critical");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Critical");
        builder.UseSetting("Logging:LogLevel:MassTransit", "Critical");
        builder.UseSetting("Logging:LogLevel:Imsa", "Warning");
        builder.UseSetting("Messaging:ConsumerRetry:Limit", "2");
        builder.UseSetting("Messaging:ConsumerRetry:MinInterval", "00:00:00.050");
        builder.UseSetting("Messaging:ConsumerRetry:MaxInterval", "00:00:00.200");
        foreach (var (key, value) in TestIdentity.Settings.Concat(settings))
        {
            builder.UseSetting(key, value);
        }
    }
}
