using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Imsa.Network.EndToEnd.Tests;

public sealed class GatewayReadinessTests
{
    [Fact]
    public async Task AServiceThatHangs_OrIsGone_MakesTheGatewayUnready_AndItSaysWhich_WithoutHangingItself()
    {
        // One "service" accepts connections and never answers; the other's port has nobody listening.
        using var hanging = new TcpListener(IPAddress.Loopback, 0);
        hanging.Start();
        var accepted = new System.Collections.Concurrent.ConcurrentBag<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await hanging.AcceptTcpClientAsync());
            }
        });
        var gone = new TcpListener(IPAddress.Loopback, 0);
        gone.Start();
        var gonePort = ((IPEndPoint)gone.LocalEndpoint).Port;
        gone.Stop();
        var hangingAddress = $"http://127.0.0.1:{((IPEndPoint)hanging.LocalEndpoint).Port}";

        await using var gateway = new WebApplicationFactory<Imsa.Network.Gateway.Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Logging:LogLevel:Default", "Critical");
            builder.UseSetting("Gateway:Services:partners", hangingAddress);
            builder.UseSetting("Gateway:Services:counselling", $"http://127.0.0.1:{gonePort}");
            builder.UseSetting("Gateway:Services:handovers", hangingAddress);
        });
        // Far longer than the gateway's own timeout: an answer at all shows it does not wait for a hanging service.
        using var client = gateway.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(20);

        var response = await client.GetAsync("/health/ready");

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var services = (await response.Content.ReadFromJsonAsync<JsonObject>())!["services"]!;
        ((string?)services["partners"]).Should().Be("no answer in time");
        ((string?)services["handovers"]).Should().Be("no answer in time");
        ((string?)services["counselling"]).Should().Be("unreachable");
        foreach (var connection in accepted)
        {
            connection.Dispose();
        }
    }

    [Fact]
    public async Task SeveralInstances_ShareTheRequests_AndOneThatIsGone_IsTakenOut_WhileTheServiceStaysReady()
    {
        await using var first = await InstanceAsync("first");
        var second = await InstanceAsync("second");
        try
        {
            await using var gateway = new WebApplicationFactory<Imsa.Network.Gateway.Program>().WithWebHostBuilder(builder =>
            {
                builder.UseSetting("Logging:LogLevel:Default", "Critical");
                // Active checks far apart: what takes the instance out here is its first failed connection.
                builder.UseSetting("Gateway:HealthInterval", "00:00:05");
                builder.UseSetting("Gateway:Services:partners", $"{first.Urls.Single()}, {second.Urls.Single()}");
                builder.UseSetting("Gateway:Services:counselling", first.Urls.Single());
                builder.UseSetting("Gateway:Services:handovers", first.Urls.Single());
            });
            using var client = gateway.CreateClient();

            var answers = await Eventually.Until(
                () => AskAsync(client, 10),
                names => names.Distinct().Count() == 2,
                "both instances answering through the gateway");
            answers.Should().OnlyContain(name => name == "first" || name == "second");

            await second.DisposeAsync();
            second = null;

            // Taken out at its first refused connection: at most one request of ten fails, not every other one.
            var afterwards = await AskAsync(client, 10);
            afterwards.Count(name => name == "502").Should().BeLessThanOrEqualTo(1, "the instance that is gone is taken out at its first failure ({0})", string.Join(", ", afterwards));

            var ready = await client.GetAsync("/health/ready");
            ready.StatusCode.Should().Be(HttpStatusCode.OK);
            ((string?)(await ready.Content.ReadFromJsonAsync<JsonObject>())!["services"]!["partners"]).Should().Be("1 of 2 ready");
            // Taken out within seconds: then every request reaches the instance that is left.
            (await AskAsync(client, 10)).Should().OnlyContain(name => name == "first", "every request is answered by the instance left");
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }

    /// <summary>The names of the instances that answered <paramref name="count"/> requests in a row ("502" for a failed one).</summary>
    private static async Task<List<string>> AskAsync(HttpClient client, int count)
    {
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync("/partners/who");
            names.Add(response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return names;
    }

    /// <summary>A stand-in instance on a port of its own: ready, and answering every request with its name.</summary>
    private static async Task<WebApplication> InstanceAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/health/ready", () => "ready");
        app.MapGet("/who", () => name);
        await app.StartAsync();
        return app;
    }
}
