using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;

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
}
