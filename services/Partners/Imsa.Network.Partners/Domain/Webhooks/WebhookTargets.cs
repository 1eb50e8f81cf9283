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
/// addresses; the check is made when it is registered and again on every connection (a name can be re-pointed).
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
            addresses = await Dns.GetHostAddressesAsync(uri.DnsSafeHost, cancellationToken);
        }
        catch (SocketException)
        {
            return "The host name does not resolve.";
        }

        return addresses.Length == 0 ? "The host name does not resolve."
            : addresses.Any(a => !IsAllowed(a)) ? "The URL resolves to a loopback, private, link-local or otherwise internal address."
            : null;
    }

    /// <summary>Connects only to allowed addresses (for <see cref="SocketsHttpHandler.ConnectCallback"/>).</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        var allowed = addresses.Where(IsAllowed).ToArray();
        if (allowed.Length == 0 || allowed.Length != addresses.Length)
        {
            throw new HttpRequestException($"Refused to connect to {context.DnsEndPoint.Host}: it resolves to an internal address.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public bool IsAllowed(IPAddress address)
    {
        if (Insecure)
        {
            return true;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var v6 = address.GetAddressBytes();
            // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) can reach IPv4 addresses behind them: refused as a whole.
            var translated = (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b) || (v6[0] == 0x20 && v6[1] == 0x02);
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal || translated);
        }

        var b = address.GetAddressBytes();
        return !(b[0] == 10
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
            || (b[0] == 198 && b[1] is 18 or 19)
            || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
            || (b[0] == 198 && b[1] == 51 && b[2] == 100)
            || (b[0] == 203 && b[1] == 0 && b[2] == 113)
            || b[0] == 0
            || b[0] >= 224);
    }
}
