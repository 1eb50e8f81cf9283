using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Imsa.Network.Counselling.Protection;

/// <summary>Receipts:SigningKeyLifetime: how long one signing key signs before a new one takes over.</summary>
internal sealed class ReceiptOptions
{
    public TimeSpan SigningKeyLifetime { get; set; } = TimeSpan.FromDays(180);
}

/// <summary>
/// A key that signs consent receipts (ES256, P-256). The public half is published for ever at
/// <c>/.well-known/jwks.json</c>, so receipts signed with a retired key stay verifiable; the private half is kept only
/// sealed under a master key (<see cref="MasterKeyRing.SealSecret"/>).
/// </summary>
internal sealed class ReceiptSigningKey
{
    /// <summary>The key id: the RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key.</summary>
    public required string Kid { get; init; }

    /// <summary>The public point's coordinates, base64url, as a JWK writes them.</summary>
    public required string X { get; init; }

    public required string Y { get; init; }

    /// <summary>The PKCS#8 private key, sealed under <see cref="MasterKeyId"/>.</summary>
    public required byte[] SealedPrivateKey { get; init; }

    public required string MasterKeyId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>It signs until then; a new key is made at the first receipt after. Set earlier when its master key is gone.</summary>
    public DateTimeOffset SignsUntil { get; set; }
}

/// <summary>A public key as RFC 7517 publishes it.</summary>
public sealed record JsonWebKey(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);

public sealed record JsonWebKeySet(IReadOnlyList<JsonWebKey> Keys);

/// <summary>
/// Signs consent receipts: a JWS (RFC 7515) with detached payload, compact form <c>header..signature</c>, ES256,
/// header <c>{"alg":"ES256","kid":…}</c>. The payload is the receipt as served, without its <c>signature</c> member,
/// canonicalised by RFC 8785 (JCS). Makes a key when none signs (any instance; one wins under an advisory lock), and
/// a new one when the active key's lifetime ended.
/// </summary>
internal sealed class ReceiptSigner(
    IServiceScopeFactory scopes, MasterKeyRing masterKeys, TimeProvider time, IOptions<ReceiptOptions> options,
    IOptions<HttpJsonOptions> json, ILogger<ReceiptSigner> logger) : IDisposable
{
    // Any number, the same on every instance: pg_advisory_xact_lock serialises the making of a key.
    private const long KeyCreationLock = 0x1C0_5E17_2EC1;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Kid, ECDsa Key, DateTimeOffset SignsUntil)? _active;

    /// <summary>The receipt with its signature.</summary>
    public async Task<ConsentReceipt> SignAsync(ConsentReceipt receipt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var (kid, key) = await ActiveKeyAsync(cancellationToken);
        var header = Base64Url(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"{{kid}}"}"""));
        var payload = Base64Url(SignedBytes(receipt, json.Value.SerializerOptions));
        var signature = key.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return receipt with { Signature = $"{header}..{Base64Url(signature)}" };
    }

    /// <summary>The bytes a receipt's signature covers: the receipt as served, without <c>signature</c>, in RFC 8785 form.</summary>
    public static byte[] SignedBytes(ConsentReceipt receipt, JsonSerializerOptions serializerOptions)
    {
        var node = JsonSerializer.SerializeToNode(receipt with { Signature = null }, serializerOptions)!.AsObject();
        node.Remove("signature");
        return CanonicalJson.Serialize(node);
    }

    /// <summary>Every key that ever signed, the active one included (made now if there is none).</summary>
    public async Task<JsonWebKeySet> PublicKeysAsync(CancellationToken cancellationToken)
    {
        await ActiveKeyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CounsellingDbContext>();
        var keys = await db.ReceiptSigningKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt)
            .Select(k => new { k.Kid, k.X, k.Y }).ToListAsync(cancellationToken);
        return new JsonWebKeySet([.. keys.Select(k => new JsonWebKey("EC", "P-256", k.X, k.Y, k.Kid, "sig", "ES256"))]);
    }

    public void Dispose()
    {
        _active?.Key.Dispose();
        _gate.Dispose();
    }

    private async Task<(string Kid, ECDsa Key)> ActiveKeyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (_active is { } cached && cached.SignsUntil > now)
            {
                return (cached.Kid, cached.Key);
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CounsellingDbContext>();
            var (key, ecdsa) = await UsableKeyAsync(db, now, cancellationToken) ?? await CreateKeyAsync(db, now, cancellationToken);
            _active?.Key.Dispose();
            _active = (key.Kid, ecdsa, key.SignsUntil);
            return (key.Kid, ecdsa);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(ReceiptSigningKey, ECDsa)?> UsableKeyAsync(CounsellingDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = await db.ReceiptSigningKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt)
            .FirstOrDefaultAsync(k => k.SignsUntil > now, cancellationToken);
        if (key is null)
        {
            return null;
        }

        try
        {
            return (key, Open(key));
        }
        catch (CryptographicException)
        {
            // Its master key was removed (docs/privacy.md, receipt signing keys): it cannot sign any more; its
            // public half stays published, and a new key takes over.
            ReceiptSigningLog.CannotOpen(logger, key.Kid, key.MasterKeyId);
            await db.ReceiptSigningKeys.Where(k => k.Kid == key.Kid)
                .ExecuteUpdateAsync(k => k.SetProperty(x => x.SignsUntil, now), cancellationToken);
            return null;
        }
    }

    private async Task<(ReceiptSigningKey, ECDsa)> CreateKeyAsync(CounsellingDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({KeyCreationLock})", cancellationToken);
        // Another instance may have made one while this one waited.
        if (await UsableKeyAsync(db, now, cancellationToken) is { } made)
        {
            await transaction.CommitAsync(cancellationToken);
            return made;
        }

        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var point = ecdsa.ExportParameters(includePrivateParameters: false).Q;
        var x = Base64Url(point.X!);
        var y = Base64Url(point.Y!);
        var kid = Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""")));
        var privateKey = ecdsa.ExportPkcs8PrivateKey();
        try
        {
            var (masterKeyId, sealedKey) = masterKeys.SealSecret(Purpose(kid), privateKey);
            var key = new ReceiptSigningKey
            {
                Kid = kid,
                X = x,
                Y = y,
                SealedPrivateKey = sealedKey,
                MasterKeyId = masterKeyId,
                CreatedAt = now,
                SignsUntil = now + options.Value.SigningKeyLifetime,
            };
            // Not through SaveChanges: the key is the service's own, not the work of the person whose request made it
            // (the activity log records a request's saves).
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO receipt_signing_keys (kid, x, y, sealed_private_key, master_key_id, created_at, signs_until)
                VALUES ({key.Kid}, {key.X}, {key.Y}, {key.SealedPrivateKey}, {key.MasterKeyId}, {key.CreatedAt}, {key.SignsUntil})
                """,
                cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            ReceiptSigningLog.Made(logger, kid, key.SignsUntil);
            return (key, ecdsa);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    private ECDsa Open(ReceiptSigningKey key)
    {
        var privateKey = masterKeys.OpenSecret(Purpose(key.Kid), key.MasterKeyId, key.SealedPrivateKey);
        try
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(privateKey, out _);
            return ecdsa;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    private static string Purpose(string kid) => $"receipt-signing-key|{kid}";

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal static partial class ReceiptSigningLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Receipt signing key {Kid} cannot be opened (master key {MasterKeyId}); a new key takes over")]
    public static partial void CannotOpen(ILogger logger, string kid, string masterKeyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Made receipt signing key {Kid}; it signs until {SignsUntil}")]
    public static partial void Made(ILogger logger, string kid, DateTimeOffset signsUntil);
}

/// <summary>
/// RFC 8785, the JSON Canonicalization Scheme: members sorted by their names' UTF-16 code units, no white space,
/// strings escaped as ECMAScript's JSON.stringify does, numbers in ECMAScript's shortest form. A receipt holds only
/// integers as numbers.
/// </summary>
internal static class CanonicalJson
{
    public static byte[] Serialize(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(node, builder);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static void Write(JsonNode? node, StringBuilder builder)
    {
        switch (node)
        {
            case null:
                builder.Append("null");
                break;
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (name, member) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    builder.Append(first ? "" : ",");
                    first = false;
                    WriteString(name, builder);
                    builder.Append(':');
                    Write(member, builder);
                }

                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    builder.Append(i == 0 ? "" : ",");
                    Write(array[i], builder);
                }

                builder.Append(']');
                break;
            default:
                var value = node.AsValue();
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        WriteString(value.GetValue<string>(), builder);
                        break;
                    case JsonValueKind.Number:
                        WriteNumber(value.ToJsonString(), builder);
                        break;
                    case JsonValueKind.True:
                        builder.Append("true");
                        break;
                    case JsonValueKind.False:
                        builder.Append("false");
                        break;
                    default:
                        builder.Append("null");
                        break;
                }

                break;
        }
    }

    private static void WriteNumber(string raw, StringBuilder builder)
    {
        var number = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInteger(number) && Math.Abs(number) < 1e21)
        {
            builder.Append(number == 0 ? "0" : number.ToString("F0", CultureInfo.InvariantCulture));
            return;
        }

        throw new NotSupportedException("A receipt holds integers only: a fraction would need ECMAScript's number formatting.");
    }

    private static void WriteString(string text, StringBuilder builder)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case < ' ':
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        builder.Append('"');
    }
}
