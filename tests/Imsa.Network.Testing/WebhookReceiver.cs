using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Testing;

/// <summary>A partner system's webhook endpoint, on a real port: it records what arrives and can be made to fail.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<(DateTime At, int Status, string? EventId, string? Timestamp, string? Signature, string Body)> Requests { get; } = new();

    /// <summary>While true, every request is answered 503.</summary>
    public bool Down { get; set; }

    /// <summary>While true, every request is answered 200 with a body that never ends.</summary>
    public bool EndlessBody { get; set; }

    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var status = receiver.Down ? 503 : 200;
            receiver.Requests.Enqueue((DateTime.UtcNow, status, http.Request.Headers["X-Imsa-Event-Id"], http.Request.Headers["X-Imsa-Timestamp"], http.Request.Headers["X-Imsa-Signature"], body));
            http.Response.StatusCode = status;
            if (receiver.EndlessBody && status == 200)
            {
                var chunk = new byte[64 * 1024];
                try
                {
                    while (true)
                    {
                        await http.Response.Body.WriteAsync(chunk, http.RequestAborted);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The caller hung up: the only way this answer ends.
                }
            }
        });
        await app.StartAsync();
        receiver.Url = new Uri(new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), "/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
