using System.Security.Cryptography;
using System.Text;
using Imsa.Network.Access;
using Imsa.Network.Counselling.Domain;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Counselling.Protection;

/// <summary>
/// Envelope encryption of personal data: every case has a random 256-bit data key; the key is stored only
/// wrapped (AES-GCM) by a master key from configuration. Destroying a case's key makes its data unreadable in
/// the database and every replica at once, and in every backup taken after the erasure (crypto-shredding); a
/// backup taken before still holds the wrapped key, so backups must expire (docs/privacy.md).
/// </summary>
internal sealed class MasterKeyRing(IOptions<EncryptionOptions> options)
{
    public string ActiveKeyId => options.Value.ActiveKeyId;

    /// <summary>A new case's data key, and the cipher that uses it.</summary>
    public (CaseKey Key, CaseCipher Cipher) CreateKey(Guid caseId, DateTimeOffset now)
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var key = new CaseKey { CaseId = caseId, MasterKeyId = ActiveKeyId, WrappedKey = Wrap(caseId, ActiveKeyId, dataKey), CreatedAt = now };
        return (key, new CaseCipher(caseId, dataKey));
    }

    public CaseCipher Open(CaseKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new CaseCipher(key.CaseId, Unwrap(key.CaseId, key.MasterKeyId, key.WrappedKey));
    }

    /// <summary>Wraps the key again under the active master key (rotation); false when it already is.</summary>
    public bool Rewrap(CaseKey key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.MasterKeyId == ActiveKeyId)
        {
            return false;
        }

        var dataKey = Unwrap(key.CaseId, key.MasterKeyId, key.WrappedKey);
        try
        {
            key.WrappedKey = Wrap(key.CaseId, ActiveKeyId, dataKey);
            key.MasterKeyId = ActiveKeyId;
            key.RewrappedAt = now;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>Seals a secret of the service itself (a receipt signing key) under the active master key, bound to <paramref name="purpose"/>.</summary>
    public (string MasterKeyId, byte[] Sealed) SealSecret(string purpose, ReadOnlySpan<byte> secret)
    {
        var id = ActiveKeyId;
        return (id, Sealing.Seal(MasterKey(id), secret, SecretContext(purpose, id)));
    }

    /// <summary>Opens a secret sealed by <see cref="SealSecret"/>; throws when its master key is not configured or it was changed.</summary>
    public byte[] OpenSecret(string purpose, string masterKeyId, byte[] sealedSecret) =>
        Sealing.Open(MasterKey(masterKeyId), sealedSecret, SecretContext(purpose, masterKeyId));

    private byte[] Wrap(Guid caseId, string masterKeyId, byte[] dataKey) =>
        Sealing.Seal(MasterKey(masterKeyId), dataKey, WrapContext(caseId, masterKeyId));

    private byte[] Unwrap(Guid caseId, string masterKeyId, byte[] wrapped) =>
        Sealing.Open(MasterKey(masterKeyId), wrapped, WrapContext(caseId, masterKeyId));

    private byte[] MasterKey(string id) => options.Value.MasterKey(id);

    private static byte[] SecretContext(string purpose, string masterKeyId) =>
        Encoding.UTF8.GetBytes($"imsa-secret|{purpose}|{masterKeyId}");

    // The wrapped key is bound to its case and master key: a key row copied onto another case does not open.
    private static byte[] WrapContext(Guid caseId, string masterKeyId) =>
        Encoding.UTF8.GetBytes($"imsa-case-key|{caseId:N}|{masterKeyId}");
}

/// <summary>Seals and opens personal data of one case with its data key; the key is wiped on dispose.</summary>
internal sealed class CaseCipher(Guid caseId, byte[] dataKey) : IDisposable
{
    public Guid CaseId => caseId;

    /// <summary>Encrypts <paramref name="plaintext"/>, bound to this case and to <paramref name="field"/> (a sealed value moved elsewhere does not open).</summary>
    public byte[] Seal(string field, ReadOnlySpan<byte> plaintext) => Sealing.Seal(dataKey, plaintext, Context(field));

    public byte[] Open(string field, byte[] sealedValue) => Sealing.Open(dataKey, sealedValue, Context(field));

    public void Dispose() => CryptographicOperations.ZeroMemory(dataKey);

    private byte[] Context(string field) => Encoding.UTF8.GetBytes($"imsa-case|{caseId:N}|{field}");
}
