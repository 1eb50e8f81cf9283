using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Partners;

namespace Imsa.Network.Counselling.Tests;

/// <summary>
/// A receipt's signature verified as a third party would: the key from /.well-known/jwks.json, the receipt canonicalised
/// by RFC 8785 with code of this test's own, ES256 checked by System.Security.Cryptography — nothing of the product's.
/// </summary>
public sealed class ReceiptSignatureTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Fact]
    public async Task Receipt_SignatureVerifies_WithThePublishedKey()
    {
        var receipt = (JsonObject)(await RecordAsync())["receipt"]!;

        var (header, verified) = await VerifyAsync(receipt);

        verified.Should().BeTrue();
        ((string?)header["alg"]).Should().Be("ES256");
        ((string?)header["kid"]).Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Receipt_ReadAgain_IsSignedToo()
    {
        var recorded = await RecordAsync();
        var caseId = (string)recorded["consent"]!["caseId"]!;
        var consentId = (string)recorded["consent"]!["id"]!;
        var owner = Owners[caseId];

        var again = (await (await service.SendAsync(owner, HttpMethod.Get, $"/cases/{caseId}/consents/{consentId}/receipt"))
            .Content.ReadFromJsonAsync<JsonObject>())!;

        again["withdrawal"]!["code"].Should().BeNull();
        (await VerifyAsync(again)).Verified.Should().BeTrue();
    }

    [Fact]
    public async Task Receipt_ChangedInAnySingleField_NoLongerVerifies()
    {
        var receipt = (JsonObject)(await RecordAsync())["receipt"]!;
        var paths = ReceiptScenes.Leaves(receipt, "").Where(path => path != "signature").ToList();
        paths.Should().Contain(["consentReceiptID", "piiControllers[0].email", "consentText.translationChecked", "withdrawal.code", "validUntil"]);

        foreach (var path in paths)
        {
            var altered = (JsonObject)receipt.DeepClone();
            ReceiptScenes.Change(altered, path);

            (await VerifyAsync(altered)).Verified.Should().BeFalse($"the receipt was changed at {path}");
        }

        var added = (JsonObject)receipt.DeepClone();
        added["note"] = "added later";
        (await VerifyAsync(added)).Verified.Should().BeFalse("a member was added");
        var removed = (JsonObject)receipt.DeepClone();
        removed.Remove("sensitive");
        (await VerifyAsync(removed)).Verified.Should().BeFalse("a member was removed");
    }

    [Fact]
    public async Task Receipt_NamesTheControllersContact_FromItsProfile()
    {
        var recorded = await RecordAsync();

        var controller = recorded["receipt"]!["piiControllers"]![0]!;
        var owner = Owners[(string)recorded["consent"]!["caseId"]!];
        ((string?)controller["piiController"]).Should().Be($"Beratungsstelle {owner.Id:N}");
        ((string?)controller["piiControllerId"]).Should().Be($"urn:imsa:organisation:{owner.Id}");
        ((string?)controller["contact"]).Should().Be("Datenschutz");
        ((string?)controller["email"]).Should().Be("datenschutz@beratung.example.org");
        ((string?)controller["phone"]).Should().Be("+212 522 000000");
        ((string?)controller["address"]!["streetAddress"]).Should().Be("1 Rue de la Liberté");
        ((string?)controller["address"]!["addressLocality"]).Should().Be("Casablanca");
        ((string?)controller["address"]!["addressCountry"]).Should().Be("MA");
    }

    [Fact]
    public async Task Receipt_OfAnOwnerWithoutProfile_NamesItById()
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        var caseId = (string)(await service.OpenCaseAsync(owner))["id"]!;

        var receipt = (JsonObject)(await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id)))["receipt"]!;

        ((string?)receipt["piiControllers"]![0]!["piiController"]).Should().Be($"urn:imsa:organisation:{owner.Id}");
        (await VerifyAsync(receipt)).Verified.Should().BeTrue();
    }

    [Fact]
    public async Task Jwks_IsServedWithoutAToken_AndKeepsEveryKey()
    {
        var response = await service.Client.GetAsync("/.well-known/jwks.json");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var keys = (await response.Content.ReadFromJsonAsync<JsonObject>())!["keys"]!.AsArray();
        keys.Should().NotBeEmpty();
        keys.Should().OnlyContain(k => (string?)k!["kty"] == "EC" && (string?)k["crv"] == "P-256" && (string?)k["alg"] == "ES256" && (string?)k["use"] == "sig");
        keys.ToJsonString().Should().NotContain("\"d\"", "only public keys are published");
        (await service.Database.CountAsync("SELECT count(*) FROM receipt_signing_keys WHERE octet_length(sealed_private_key) > 0"))
            .Should().Be(keys.Count);
    }

    private Dictionary<string, Organisation> Owners { get; } = [];

    private Task<JsonObject> RecordAsync() => ReceiptScenes.RecordAsync(service, Owners);

    private Task<(JsonObject Header, bool Verified)> VerifyAsync(JsonObject receipt) => ReceiptScenes.VerifyAsync(service, receipt);

    private static JsonObject Header(JsonObject receipt) => ReceiptScenes.Header(receipt);
}

/// <summary>A receipt recorded for an owner with a profile, and its verification as a third party does it.</summary>
internal static class ReceiptScenes
{

    public static async Task<JsonObject> RecordAsync(CounsellingService service, Dictionary<string, Organisation> owners)
    {
        var owner = await service.RegisterAsync("origin-partner");
        var receiver = await service.RegisterAsync("receiving-service");
        await service.PublishAsync(new OrganisationContactChanged(
            owner.Id,
            $"Beratungsstelle {owner.Id:N}",
            new OrganisationPostalAddress("1 Rue de la Liberté", "20000", "Casablanca", "MA"),
            [new OrganisationContactPoint("Datenschutz", "datenschutz@beratung.example.org", "+212 522 000000"), new OrganisationContactPoint("Sekretariat", "info@beratung.example.org", null)],
            DateTimeOffset.UtcNow));
        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM controller_contacts WHERE organisation_id = '{owner.Id}'"), 1, "the owner's contact to be known");
        var now = service.Time.GetUtcNow();
        var caseId = (string)(await service.OpenCaseAsync(owner, CaseSamples.Content(DateOnly.FromDateTime(now.AddMonths(6).UtcDateTime))))["id"]!;
        owners[caseId] = owner;
        return await service.RecordConsentAsync(owner, caseId, CaseSamples.Consent(receiver.Id, obtainedAt: now.AddMinutes(-10), validUntil: now.AddYears(1)));
    }

    public static async Task<(JsonObject Header, bool Verified)> VerifyAsync(CounsellingService service, JsonObject receipt)
    {
        var parts = ((string)receipt["signature"]!).Split('.');
        parts.Should().HaveCount(3);
        parts[1].Should().BeEmpty("the payload is detached");
        var header = Header(receipt);
        var keys = (await service.Client.GetFromJsonAsync<JsonObject>("/.well-known/jwks.json"))!["keys"]!.AsArray();
        var jwk = keys.Single(k => (string?)k!["kid"] == (string?)header["kid"])!;

        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = FromBase64Url((string)jwk["x"]!), Y = FromBase64Url((string)jwk["y"]!) },
        });
        var content = (JsonObject)receipt.DeepClone();
        content.Remove("signature");
        var signingInput = Encoding.ASCII.GetBytes($"{parts[0]}.{ToBase64Url(Jcs(content))}");
        return (header, key.VerifyData(signingInput, FromBase64Url(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    public static JsonObject Header(JsonObject receipt) =>
        JsonNode.Parse(FromBase64Url(((string)receipt["signature"]!).Split('.')[0]))!.AsObject();

    // RFC 8785, as far as a receipt needs it: sorted members, no white space, JSON.stringify's string escapes, integers.
    private static byte[] Jcs(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(node);
        return Encoding.UTF8.GetBytes(text.ToString());

        void Write(JsonNode? n)
        {
            switch (n)
            {
                case null:
                    text.Append("null");
                    break;
                case JsonObject o:
                    text.Append('{').AppendJoin(',', o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => Member(p.Key, p.Value))).Append('}');
                    break;
                case JsonArray a:
                    text.Append('[');
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (i > 0)
                        {
                            text.Append(',');
                        }

                        Write(a[i]);
                    }

                    text.Append(']');
                    break;
                default:
                    text.Append(n.GetValueKind() switch
                    {
                        JsonValueKind.String => Quote(n.GetValue<string>()),
                        JsonValueKind.Number => n.GetValue<long>().ToString(CultureInfo.InvariantCulture),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => "null",
                    });
                    break;
            }
        }

        string Member(string name, JsonNode? value)
        {
            var start = text.Length;
            text.Append(Quote(name)).Append(':');
            Write(value);
            var member = text.ToString(start, text.Length - start);
            text.Length = start;
            return member;
        }
    }

    private static string Quote(string s)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in s)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    public static IEnumerable<string> Leaves(JsonNode? node, string path) => node switch
    {
        JsonObject o => o.SelectMany(p => Leaves(p.Value, path.Length == 0 ? p.Key : $"{path}.{p.Key}")),
        JsonArray a => a.SelectMany((item, i) => Leaves(item, $"{path}[{i}]")),
        _ => [path],
    };

    public static void Change(JsonObject receipt, string path)
    {
        JsonNode current = receipt;
        var steps = path.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        for (var i = 0; i < steps.Length - 1; i++)
        {
            current = steps[i].StartsWith('[') ? current[int.Parse(steps[i][1..^1], CultureInfo.InvariantCulture)]! : current[steps[i]]!;
        }

        var last = steps[^1];
        var old = last.StartsWith('[') ? current[int.Parse(last[1..^1], CultureInfo.InvariantCulture)] : current[last];
        JsonNode? changed = old?.GetValueKind() switch
        {
            JsonValueKind.String => (string)old! + "x",
            JsonValueKind.Number => (long)old! + 1,
            JsonValueKind.True => false,
            JsonValueKind.False => true,
            _ => "was null",
        };
        if (last.StartsWith('['))
        {
            current[int.Parse(last[1..^1], CultureInfo.InvariantCulture)] = changed;
        }
        else
        {
            current[last] = changed;
        }
    }

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }

    private static string ToBase64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Its own service: it moves the clock half a year on.</summary>
public sealed class ReceiptKeyRotationTests(CounsellingService service) : IClassFixture<CounsellingService>
{
    [Fact]
    public async Task SigningKey_RotatesAfterItsLifetime_AndOldReceiptsStillVerify()
    {
        var before = (JsonObject)(await ReceiptScenes.RecordAsync(service, []))["receipt"]!;
        var oldKid = (string)ReceiptScenes.Header(before)["kid"]!;

        service.Time.Advance(TimeSpan.FromDays(181));
        var after = (JsonObject)(await ReceiptScenes.RecordAsync(service, []))["receipt"]!;

        ((string?)ReceiptScenes.Header(after)["kid"]).Should().NotBe(oldKid, "the key's lifetime (180 days by default) has passed");
        (await ReceiptScenes.VerifyAsync(service, after)).Verified.Should().BeTrue();
        (await ReceiptScenes.VerifyAsync(service, before)).Verified.Should().BeTrue("a retired key stays in the key set");
    }

}
