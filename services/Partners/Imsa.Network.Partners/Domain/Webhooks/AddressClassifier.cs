using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Imsa.Network.Partners.Domain.Webhooks;

/// <summary>What an IP address reaches; only <see cref="Public"/> is outside the network.</summary>
internal enum AddressKind
{
    Public,

    /// <summary>0.0.0.0/8 and ::: "this host" — a connection to 0.0.0.0 reaches the local machine.</summary>
    Unspecified,

    Loopback,

    /// <summary>10/8, 172.16/12, 192.168/16, and the local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215).</summary>
    Private,

    /// <summary>100.64/10, carrier-grade NAT (RFC 6598).</summary>
    SharedAddressSpace,

    /// <summary>169.254/16 (cloud metadata included), fe80::/10.</summary>
    LinkLocal,

    /// <summary>fc00::/7 (RFC 4193).</summary>
    UniqueLocal,

    /// <summary>fec0::/10, deprecated but still routed inside some networks.</summary>
    SiteLocal,

    Multicast,

    Broadcast,

    /// <summary>192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.</summary>
    Documentation,

    /// <summary>198.18/15, 2001:2::/48.</summary>
    Benchmarking,

    /// <summary>Special-purpose or unallocated: 192.0.0/24, 192.88.99/24, 240/4, 100::/64, 2001::/23, 5f00::/16, outside 2000::/3.</summary>
    Reserved,
}

/// <summary>
/// Classifies an IP address by where a connection to it would go (IANA's special-purpose address registries). An
/// IPv6 address that carries an IPv4 address — IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d),
/// IPv4-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:aabb:ccdd::) and Teredo (2001:0::/32,
/// server and client) — is classified as that IPv4 address, since that is what the stack, a translator or a relay
/// may connect to: "::7f00:1" is loopback, however it is written.
/// </summary>
internal static class AddressClassifier
{
    public static AddressKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var length))
        {
            return AddressKind.Reserved;
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork when length == 4 => ClassifyV4(BinaryPrimitives.ReadUInt32BigEndian(bytes)),
            AddressFamily.InterNetworkV6 when length == 16 => ClassifyV6(bytes),
            _ => AddressKind.Reserved,
        };
    }

    private static AddressKind ClassifyV4(uint a) => a switch
    {
        _ when In(a, 0x00000000, 8) => AddressKind.Unspecified,
        _ when In(a, 0x0A000000, 8) => AddressKind.Private,
        _ when In(a, 0x64400000, 10) => AddressKind.SharedAddressSpace,
        _ when In(a, 0x7F000000, 8) => AddressKind.Loopback,
        _ when In(a, 0xA9FE0000, 16) => AddressKind.LinkLocal,
        _ when In(a, 0xAC100000, 12) => AddressKind.Private,
        _ when In(a, 0xC0000000, 24) => AddressKind.Reserved, // IETF protocol assignments (NAT64 discovery, DS-Lite, …)
        _ when In(a, 0xC0000200, 24) => AddressKind.Documentation,
        _ when In(a, 0xC0586300, 24) => AddressKind.Reserved, // 6to4 relay anycast, deprecated
        _ when In(a, 0xC0A80000, 16) => AddressKind.Private,
        _ when In(a, 0xC6120000, 15) => AddressKind.Benchmarking,
        _ when In(a, 0xC6336400, 24) => AddressKind.Documentation,
        _ when In(a, 0xCB007100, 24) => AddressKind.Documentation,
        _ when In(a, 0xE0000000, 4) => AddressKind.Multicast,
        0xFFFFFFFF => AddressKind.Broadcast,
        _ when In(a, 0xF0000000, 4) => AddressKind.Reserved,
        _ => AddressKind.Public,
    };

    private static AddressKind ClassifyV6(ReadOnlySpan<byte> b)
    {
        var high = BinaryPrimitives.ReadUInt64BigEndian(b);
        var low = BinaryPrimitives.ReadUInt64BigEndian(b[8..]);
        var last32 = (uint)low;

        if (high == 0)
        {
            return (low >> 32) switch
            {
                0 when last32 == 0 => AddressKind.Unspecified,
                0 when last32 == 1 => AddressKind.Loopback,
                0 => ClassifyV4(last32), // ::a.b.c.d, IPv4-compatible (deprecated)
                0x0000FFFF => ClassifyV4(last32), // ::ffff:a.b.c.d, IPv4-mapped
                0xFFFF0000 => ClassifyV4(last32), // ::ffff:0:a.b.c.d, IPv4-translated (RFC 2765)
                _ => AddressKind.Reserved,
            };
        }

        // 64:ff9b::/96, NAT64 (RFC 6052): the translator connects to the IPv4 address.
        if (high == 0x0064FF9B00000000 && low >> 32 == 0)
        {
            return ClassifyV4(last32);
        }

        if (In(high, 0x0064FF9B00010000, 48))
        {
            return AddressKind.Private;
        }

        // 2002::/16, 6to4: the IPv4 address of the relay's far end is bits 16–47.
        if (In(high, 0x2002000000000000, 16))
        {
            return ClassifyV4((uint)(high >> 16));
        }

        // 2001:0::/32, Teredo: the server's IPv4 address, then the client's, its bits inverted, at the end.
        if (In(high, 0x2001000000000000, 32))
        {
            var client = ClassifyV4(~last32);
            return client != AddressKind.Public ? client : ClassifyV4((uint)high);
        }

        return high switch
        {
            _ when In(high, 0x20010DB800000000, 32) => AddressKind.Documentation,
            _ when In(high, 0x3FFF000000000000, 20) => AddressKind.Documentation,
            _ when In(high, 0x2001000200000000, 48) => AddressKind.Benchmarking,
            _ when In(high, 0x2001000000000000, 23) => AddressKind.Reserved, // IETF protocol assignments (ORCHID, …)
            _ when In(high, 0x5F00000000000000, 16) => AddressKind.Reserved, // SRv6 segment identifiers
            _ when In(high, 0xFC00000000000000, 7) => AddressKind.UniqueLocal,
            _ when In(high, 0xFE80000000000000, 10) => AddressKind.LinkLocal,
            _ when In(high, 0xFEC0000000000000, 10) => AddressKind.SiteLocal,
            _ when In(high, 0xFF00000000000000, 8) => AddressKind.Multicast,
            // Only 2000::/3 is global unicast; the rest (100::/64 discard-only among it) is not allocated for hosts.
            _ when In(high, 0x2000000000000000, 3) => AddressKind.Public,
            _ => AddressKind.Reserved,
        };
    }

    private static bool In(uint address, uint prefix, int bits) => (address ^ prefix) >> (32 - bits) == 0;

    private static bool In(ulong address, ulong prefix, int bits) => (address ^ prefix) >> (64 - bits) == 0;
}
