using System.Net;
using Imsa.Network.Partners.Domain.Webhooks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Tests;

/// <summary>
/// Where a webhook may connect: every address form, the IPv4 address inside an IPv6 one classified as itself.
/// (Kinds by name: the classifier is internal, a test's parameters public.)
/// </summary>
public sealed class AddressClassifierTests
{
    public static TheoryData<string, string> Addresses => new()
    {
        // Public, in every form that embeds a public IPv4 address.
        { "8.8.8.8", nameof(AddressKind.Public) },
        { "1.1.1.1", nameof(AddressKind.Public) },
        { "9.255.255.255", nameof(AddressKind.Public) },
        { "11.0.0.0", nameof(AddressKind.Public) },
        { "100.63.255.255", nameof(AddressKind.Public) },
        { "100.128.0.0", nameof(AddressKind.Public) },
        { "126.255.255.255", nameof(AddressKind.Public) },
        { "128.0.0.0", nameof(AddressKind.Public) },
        { "169.253.255.255", nameof(AddressKind.Public) },
        { "169.255.0.0", nameof(AddressKind.Public) },
        { "172.15.255.255", nameof(AddressKind.Public) },
        { "172.32.0.0", nameof(AddressKind.Public) },
        { "192.0.1.255", nameof(AddressKind.Public) },
        { "192.0.3.0", nameof(AddressKind.Public) },
        { "192.88.98.255", nameof(AddressKind.Public) },
        { "192.167.255.255", nameof(AddressKind.Public) },
        { "192.169.0.0", nameof(AddressKind.Public) },
        { "198.17.255.255", nameof(AddressKind.Public) },
        { "198.20.0.0", nameof(AddressKind.Public) },
        { "223.255.255.255", nameof(AddressKind.Public) },
        { "2606:4700:4700::1111", nameof(AddressKind.Public) },
        { "2a00:1450:4001:82b::200e", nameof(AddressKind.Public) },
        { "2001:200::1", nameof(AddressKind.Public) },
        { "3ffe::1", nameof(AddressKind.Public) },
        { "::ffff:8.8.8.8", nameof(AddressKind.Public) },
        { "::8.8.8.8", nameof(AddressKind.Public) },
        { "::ffff:0:8.8.8.8", nameof(AddressKind.Public) },
        { "64:ff9b::808:808", nameof(AddressKind.Public) },
        { "2002:808:808::1", nameof(AddressKind.Public) },
        { "2001:0:4136:e378:8000:63bf:f7f7:f7f7", nameof(AddressKind.Public) }, // Teredo: server 65.54.227.120, client 8.8.8.8

        // Unspecified: 0.0.0.0/8 and ::, however written.
        { "0.0.0.0", nameof(AddressKind.Unspecified) },
        { "0.1.2.3", nameof(AddressKind.Unspecified) },
        { "0.255.255.255", nameof(AddressKind.Unspecified) },
        { "::", nameof(AddressKind.Unspecified) },
        { "::ffff:0.0.0.0", nameof(AddressKind.Unspecified) },
        { "::ffff:0:0.0.0.0", nameof(AddressKind.Unspecified) },
        { "::0.0.0.2", nameof(AddressKind.Unspecified) },
        { "64:ff9b::", nameof(AddressKind.Unspecified) },
        { "2002::", nameof(AddressKind.Unspecified) },

        // Loopback.
        { "127.0.0.1", nameof(AddressKind.Loopback) },
        { "127.1.2.3", nameof(AddressKind.Loopback) },
        { "127.255.255.255", nameof(AddressKind.Loopback) },
        { "::1", nameof(AddressKind.Loopback) },
        { "::ffff:127.0.0.1", nameof(AddressKind.Loopback) }, // IPv4-mapped
        { "::ffff:7f00:1", nameof(AddressKind.Loopback) },
        { "::127.0.0.1", nameof(AddressKind.Loopback) }, // IPv4-compatible
        { "::7f00:1", nameof(AddressKind.Loopback) },
        { "::ffff:0:127.0.0.1", nameof(AddressKind.Loopback) }, // IPv4-translated
        { "::ffff:0:7f00:1", nameof(AddressKind.Loopback) },
        { "64:ff9b::7f00:1", nameof(AddressKind.Loopback) }, // NAT64
        { "64:ff9b::127.0.0.1", nameof(AddressKind.Loopback) },
        { "2002:7f00:1::", nameof(AddressKind.Loopback) }, // 6to4
        { "2002:7f00:1:ffff::1", nameof(AddressKind.Loopback) },
        { "2001:0:4136:e378:8000:63bf:80ff:fffe", nameof(AddressKind.Loopback) }, // Teredo, client 127.0.0.1
        { "2001:0:7f00:1:8000:63bf:f7f7:f7f7", nameof(AddressKind.Loopback) }, // Teredo, server 127.0.0.1

        // Private.
        { "10.0.0.1", nameof(AddressKind.Private) },
        { "10.255.255.255", nameof(AddressKind.Private) },
        { "172.16.0.1", nameof(AddressKind.Private) },
        { "172.31.255.255", nameof(AddressKind.Private) },
        { "192.168.0.1", nameof(AddressKind.Private) },
        { "192.168.255.255", nameof(AddressKind.Private) },
        { "::ffff:10.0.0.1", nameof(AddressKind.Private) },
        { "::ffff:192.168.1.1", nameof(AddressKind.Private) },
        { "::a00:1", nameof(AddressKind.Private) },
        { "64:ff9b::c0a8:101", nameof(AddressKind.Private) },
        { "2002:c0a8:101::1", nameof(AddressKind.Private) },
        { "2002:ac10:1::", nameof(AddressKind.Private) },
        { "64:ff9b:1::1", nameof(AddressKind.Private) }, // local-use NAT64: the IPv4 behind it is the local network's
        { "64:ff9b:1:ffff::7f00:1", nameof(AddressKind.Private) },

        // Shared address space (carrier-grade NAT).
        { "100.64.0.1", nameof(AddressKind.SharedAddressSpace) },
        { "100.127.255.255", nameof(AddressKind.SharedAddressSpace) },
        { "::ffff:100.64.0.1", nameof(AddressKind.SharedAddressSpace) },

        // Link-local, cloud metadata included.
        { "169.254.169.254", nameof(AddressKind.LinkLocal) },
        { "169.254.0.1", nameof(AddressKind.LinkLocal) },
        { "::ffff:169.254.169.254", nameof(AddressKind.LinkLocal) },
        { "64:ff9b::a9fe:a9fe", nameof(AddressKind.LinkLocal) },
        { "2002:a9fe:a9fe::", nameof(AddressKind.LinkLocal) },
        { "fe80::1", nameof(AddressKind.LinkLocal) },
        { "fe80::1%2", nameof(AddressKind.LinkLocal) },
        { "febf:ffff::1", nameof(AddressKind.LinkLocal) },

        // Unique local and the deprecated site-local.
        { "fc00::1", nameof(AddressKind.UniqueLocal) },
        { "fd00::1", nameof(AddressKind.UniqueLocal) },
        { "fd12:3456:789a::1", nameof(AddressKind.UniqueLocal) },
        { "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", nameof(AddressKind.UniqueLocal) },
        { "fec0::1", nameof(AddressKind.SiteLocal) },
        { "feff::1", nameof(AddressKind.SiteLocal) },

        // Multicast and broadcast.
        { "224.0.0.1", nameof(AddressKind.Multicast) },
        { "239.255.255.250", nameof(AddressKind.Multicast) },
        { "::ffff:224.0.0.251", nameof(AddressKind.Multicast) },
        { "ff02::1", nameof(AddressKind.Multicast) },
        { "ff05::1:3", nameof(AddressKind.Multicast) },
        { "ff0e::1", nameof(AddressKind.Multicast) },
        { "255.255.255.255", nameof(AddressKind.Broadcast) },
        { "::ffff:255.255.255.255", nameof(AddressKind.Broadcast) },

        // Documentation and benchmarking.
        { "192.0.2.1", nameof(AddressKind.Documentation) },
        { "198.51.100.7", nameof(AddressKind.Documentation) },
        { "203.0.113.9", nameof(AddressKind.Documentation) },
        { "::ffff:192.0.2.1", nameof(AddressKind.Documentation) },
        { "2001:db8::1", nameof(AddressKind.Documentation) },
        { "2001:db8:ffff:ffff::1", nameof(AddressKind.Documentation) },
        { "3fff::1", nameof(AddressKind.Documentation) },
        { "3fff:fff::1", nameof(AddressKind.Documentation) },
        { "198.18.0.1", nameof(AddressKind.Benchmarking) },
        { "198.19.255.255", nameof(AddressKind.Benchmarking) },
        { "2001:2::1", nameof(AddressKind.Benchmarking) },

        // Reserved, or special-purpose and never a webhook server.
        { "192.0.0.8", nameof(AddressKind.Reserved) },
        { "192.0.0.170", nameof(AddressKind.Reserved) },
        { "192.88.99.1", nameof(AddressKind.Reserved) },
        { "240.0.0.1", nameof(AddressKind.Reserved) },
        { "255.255.255.254", nameof(AddressKind.Reserved) },
        { "100::1", nameof(AddressKind.Reserved) }, // discard-only
        { "2001:10::1", nameof(AddressKind.Reserved) }, // ORCHID
        { "2001:20::1", nameof(AddressKind.Reserved) }, // ORCHIDv2
        { "2001:1ff::1", nameof(AddressKind.Reserved) },
        { "5f00::1", nameof(AddressKind.Reserved) }, // SRv6 SIDs
        { "::1:0:0:1", nameof(AddressKind.Reserved) },
        { "64:ff9b:0:1::1", nameof(AddressKind.Reserved) },
        { "1::1", nameof(AddressKind.Reserved) },
        { "4000::1", nameof(AddressKind.Reserved) },
        { "e000::1", nameof(AddressKind.Reserved) },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void EveryAddressForm_IsClassifiedAsTheAddressItReaches(string address, string expected) =>
        AddressClassifier.Classify(IPAddress.Parse(address)).ToString().Should().Be(expected);

    [Theory]
    [InlineData("8.8.8.8", true, true)]
    [InlineData("2606:4700:4700::1111", true, true)]
    [InlineData("127.0.0.1", false, true)]
    [InlineData("::ffff:127.0.0.1", false, true)]
    [InlineData("::1", false, true)]
    [InlineData("10.0.0.1", false, true)]
    [InlineData("fd00::1", false, true)]
    [InlineData("169.254.169.254", false, true)]
    [InlineData("0.0.0.0", false, false)]
    [InlineData("::", false, false)]
    [InlineData("224.0.0.1", false, false)]
    [InlineData("255.255.255.255", false, false)]
    public void OnlyPublicAddresses_AreAllowed_AndInsecureTargetsAddLocalOnes_ButNeverAnUnspecifiedOrGroupAddress(string address, bool allowed, bool allowedInsecure)
    {
        var ip = IPAddress.Parse(address);

        Targets(insecure: false, Environments.Development).IsAllowed(ip).Should().Be(allowed);
        Targets(insecure: true, Environments.Development).IsAllowed(ip).Should().Be(allowedInsecure);
        Targets(insecure: true, Environments.Production).IsAllowed(ip).Should().Be(allowed, "production ignores the setting");
    }

    private static WebhookTargets Targets(bool insecure, string environment) =>
        new(Options.Create(new WebhookOptions { AllowInsecureTargets = insecure }), new HostingEnvironment { EnvironmentName = environment });
}
