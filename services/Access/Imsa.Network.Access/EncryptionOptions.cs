using Microsoft.Extensions.Options;

namespace Imsa.Network.Access;

/// <summary>
/// A service's master keys ("Encryption" configuration section): in Counselling they wrap the cases' data keys, in
/// Partners they seal the webhook secrets. Rotation: add a new key, make it active, restart; the service re-seals
/// what the old key sealed; then the old key can go (docs/privacy.md).
/// </summary>
public sealed class EncryptionOptions
{
    /// <summary>The id of the master key new data keys are wrapped with.</summary>
    public string ActiveKeyId { get; set; } = "";

    /// <summary>Master keys by id: 32 random bytes each, base64-encoded.</summary>
    public Dictionary<string, string> MasterKeys { get; set; } = [];

    /// <summary>How often the rotation job looks for what a master key that is no longer active sealed.</summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The master key with this id, decoded; a CryptographicException names the id when it is not configured.</summary>
    public byte[] MasterKey(string id) =>
        MasterKeys.TryGetValue(id, out var value) && SymmetricKeys.TryDecode(value, out var key)
            ? key
            : throw new System.Security.Cryptography.CryptographicException($"The master key '{id}' is not configured (Encryption:MasterKeys).");
}

/// <summary>Refuses to start without a usable active master key, naming what is wrong but never a key.</summary>
public sealed class EncryptionOptionsValidation : IValidateOptions<EncryptionOptions>
{
    public ValidateOptionsResult Validate(string? name, EncryptionOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ActiveKeyId))
        {
            return ValidateOptionsResult.Fail("Encryption:ActiveKeyId is not set: this service needs a master key to protect what it keeps secret.");
        }

        if (!options.MasterKeys.ContainsKey(options.ActiveKeyId))
        {
            return ValidateOptionsResult.Fail($"Encryption:MasterKeys has no key with the active id '{options.ActiveKeyId}'.");
        }

        foreach (var (id, value) in options.MasterKeys)
        {
            if (!SymmetricKeys.TryDecode(value, out _))
            {
                return ValidateOptionsResult.Fail($"Encryption:MasterKeys:{id} is not 32 bytes in base64.");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
