using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Imsa.Network.ServiceDefaults;

/// <summary>
/// "ForwardedHeaders" configuration: the proxies in front of the service (the gateway, an ingress) whose
/// X-Forwarded-For, -Proto and -Prefix it believes. From anyone else those headers are ignored: the connection's own
/// address is the caller's (rate limits), and addresses the service writes come from configuration
/// (<see cref="NetworkOptions"/>), never from a request's Host or X-Forwarded-Host.
/// </summary>
public sealed class TrustedProxyOptions
{
    /// <summary>Networks ("10.0.0.0/8") or single addresses ("127.0.0.1") of the proxies; empty: none is trusted.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>The middleware's options: exactly these proxies, none of the framework's defaults (loopback).</summary>
    public ForwardedHeadersOptions ToForwardedHeadersOptions()
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedPrefix,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in KnownNetworks)
        {
            options.KnownIPNetworks.Add(Parse(network));
        }

        return options;
    }

    private static IPNetwork Parse(string network)
    {
        if (IPNetwork.TryParse(network, out var parsed))
        {
            return parsed;
        }

        if (IPAddress.TryParse(network, out var address))
        {
            return new IPNetwork(address, address.GetAddressBytes().Length * 8);
        }

        throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: \"{network}\" is neither a network (10.0.0.0/8) nor an address.");
    }
}

/// <summary>"Network" configuration: where callers reach the network.</summary>
public sealed class NetworkOptions
{
    /// <summary>
    /// The gateway's public address, ending in "/" (run.sh: http://127.0.0.1:5100/); a service's public address is it
    /// plus the service's name ("…/counselling/"). Written into consent receipts and, for a document requested
    /// through the gateway, into the OpenAPI document's servers.
    /// </summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>The public address of <paramref name="service"/>, without a trailing "/": https://api.example/counselling.</summary>
    public string ServiceUrl(string service) =>
        PublicUrl is { IsAbsoluteUri: true } url
            ? $"{url.GetLeftPart(UriPartial.Authority)}{url.AbsolutePath.TrimEnd('/')}/{service}"
            : throw new InvalidOperationException("Network:PublicUrl is not set: the public address of the gateway, e.g. https://api.example.org/.");
}
