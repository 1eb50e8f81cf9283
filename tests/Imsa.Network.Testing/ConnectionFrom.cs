using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Testing;

/// <summary>
/// The test server has no real connections: this gives each request the peer address a test names in the
/// <see cref="Header"/> header (default <see cref="DefaultAddress"/>), ahead of the service's own pipeline, so tests
/// can be a direct caller, a trusted proxy, or someone else.
/// </summary>
public static class ConnectionFrom
{
    public const string Header = "X-Test-Connection-From";

    /// <summary>A caller on the same host as the service: what the framework would trust by default.</summary>
    public static readonly IPAddress DefaultAddress = IPAddress.Loopback;

    public static void AddTo(IServiceCollection services) => services.AddSingleton<IStartupFilter, Filter>();

    private sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = context.Request.Headers.TryGetValue(Header, out var from) && IPAddress.TryParse(from, out var address)
                    ? address
                    : DefaultAddress;
                context.Request.Headers.Remove(Header);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
