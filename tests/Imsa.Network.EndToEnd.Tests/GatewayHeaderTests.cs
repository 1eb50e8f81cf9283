using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// The gateway's own answers and those it passes on refuse sniffing and framing and name no server; a service's
/// "Cache-Control: no-store" reaches the caller. A stand-in service on Kestrel (which names itself, as any
/// upstream might) is enough: no database, no broker.
/// </summary>
public sealed class GatewayHeaderTests : IAsyncLifetime
{
    private WebApplication _upstream = null!;
    private WebApplicationFactory<Imsa.Network.Gateway.Program> _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _upstream = builder.Build();
        _upstream.MapGet("/cases/{id}", (HttpContext http, string id) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(new { id, name = "personal data" });
        });
        _upstream.MapGet("/reference/topics", () => Results.Json(new[] { "housing" }));
        await _upstream.StartAsync();
        var upstream = _upstream.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        _gateway = new WebApplicationFactory<Imsa.Network.Gateway.Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Logging:LogLevel:Default", "Critical");
            // A port of its own: UseKestrel(0) on a factory made by WithWebHostBuilder leaves Kestrel on its default, 5000.
            web.UseSetting("urls", "http://127.0.0.1:0");
            foreach (var name in new[] { "partners", "counselling", "handovers" })
            {
                web.UseSetting($"Gateway:Services:{name}", upstream);
            }
        });
        // On a real port: the in-memory test server would never write a Server header.
        _gateway.UseKestrel(0);
        _gateway.StartServer();
        _client = new HttpClient
        {
            BaseAddress = new Uri(_gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
        };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Theory]
    [InlineData("/counselling/cases/42")]
    [InlineData("/counselling/reference/topics")]
    [InlineData("/counselling/no-such-route")]
    [InlineData("/swagger/index.html")]
    [InlineData("/swagger/index.js")]
    [InlineData("/health/live")]
    [InlineData("/no-such-route")]
    public async Task EveryAnswer_RefusesSniffingFramingAndReferrers_AndNamesNoServer(string path)
    {
        using var response = await _client.GetAsync(path);

        response.MissingSecurityHeaders().Should().BeNull();
    }

    [Fact]
    public async Task AServicesNoStore_ReachesTheCaller()
    {
        using var response = await _client.GetAsync("/counselling/cases/42");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (response.Headers.CacheControl?.NoStore ?? false).Should().BeTrue();
    }

    [Fact]
    public async Task TheSwaggerUi_RefusesFraming_YetLoadsItsOwnScriptsAndStyles()
    {
        using var response = await _client.GetAsync("/swagger/index.html");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        // Only framing is restricted: a default-src or script-src would stop the page's own scripts and styles.
        response.Header("Content-Security-Policy").Should().Be("frame-ancestors 'none'");
        response.Header("X-Frame-Options").Should().Be("DENY");
    }
}
