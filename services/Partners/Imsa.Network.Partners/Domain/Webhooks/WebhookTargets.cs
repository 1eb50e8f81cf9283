using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Domain.Webhooks;

/// <summary>"Webhooks" configuration.</summary>
internal sealed class WebhookOptions
{
    /// <summary>Development and tests only: allow http:// and loopback, private and link-local addresses.</summary>
    public bool AllowInsecureTargets { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>After a rotation of a subscription's secret, how long the previous one still signs beside the new one.</summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Quick retries within one attempt (exponential with jitter).</summary>
    public int RetryAttempts { get; set; } = 2;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an endpoint's circuit stays open after it kept failing.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts (each with its quick retries) before a delivery is marked failed; redeliver on request then.</summary>
    public int MaxAttempts { get; set; } = 8;

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(30);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Keeps webhooks from reaching inside the network (SSRF): an endpoint must be HTTPS and resolve only to public
/// addresses (<see cref="AddressClassifier"/>, which sees through every IPv6 form of an IPv4 address); the check is
/// made when it is registered and again on every connection (a name can be re-pointed).
/// </summary>
internal sealed class WebhookTargets(IOptions<WebhookOptions> options, IHostEnvironment environment)
{
    // Never in production, whatever the configuration says.
    private bool Insecure => options.Value.AllowInsecureTargets && !environment.IsProduction();

    /// <summary>Why the URL is refused, or null when it is acceptable.</summary>
    public async Task<string?> RefusalAsync(string? url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || url!.Length > 500)
        {
            return "An absolute https:// URL of at most 500 characters is required.";
        }

        if (uri.Scheme != "https" && !Insecure)
        {
            return "Webhooks are delivered over HTTPS only.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "No credentials in the URL: deliveries are signed instead.";
        }

        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(uri.IdnHost, cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            // ArgumentException: a name the resolver will not look up (too long, say).
            return "The host name does not resolve.";
        }

        return addresses.Length == 0 ? "The host name does not resolve."
            : addresses.Any(a => !IsAllowed(a)) ? "The URL resolves to a loopback, private, link-local or otherwise internal address."
            : null;
    }

    /// <summary>Connects only to allowed addresses (for <see cref="SocketsHttpHandler.ConnectCallback"/>).</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await ResolveAsync(host, cancellationToken);
        if (addresses.Length == 0 || !addresses.All(IsAllowed))
        {
            throw new HttpRequestException($"Refused to connect to {host}: it resolves to an internal address.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Public addresses; with insecure targets allowed (development, tests) also loopback, private, link-local and
    /// the like — but never an unspecified, multicast or broadcast address, which names no one server.
    /// </summary>
    public bool IsAllowed(IPAddress address) => AddressClassifier.Classify(address) switch
    {
        AddressKind.Public => true,
        AddressKind.Unspecified or AddressKind.Multicast or AddressKind.Broadcast => false,
        _ => Insecure,
    };

    /// <summary>
    /// An address literal (however written: "0", "127.1", "[::7f00:1]") as itself, a name by DNS. The resolver would
    /// throw on an unspecified literal instead of returning it.
    /// </summary>
    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.AsSpan().Trim("[]"), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
}
