using Microsoft.Extensions.Options;

namespace Imsa.Network.Counselling.Protection;

/// <summary>
/// The master keys that wrap the cases' data keys ("Encryption" configuration section). Rotation: add a new key,
/// make it active, restart; the key rotation job re-wraps every data key under it; then the old key can go
/// (docs/privacy.md).
/// </summary>
internal sealed class EncryptionOptions
{
    /// <summary>The id of the master key new data keys are wrapped with.</summary>
    public string ActiveKeyId { get; set; } = "";

    /// <summary>Master keys by id: 32 random bytes each, base64-encoded.</summary>
    public Dictionary<string, string> MasterKeys { get; set; } = [];

    /// <summary>How often the rotation job looks for data keys wrapped by a master key that is no longer active.</summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Refuses to start without a usable active master key, naming what is wrong but never a key.</summary>
internal sealed class EncryptionOptionsValidation : IValidateOptions<EncryptionOptions>
{
    public ValidateOptionsResult Validate(string? name, EncryptionOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ActiveKeyId))
        {
            return ValidateOptionsResult.Fail("Encryption:ActiveKeyId is not set: the Counselling service needs a master key to protect personal data.");
        }

        if (!options.MasterKeys.ContainsKey(options.ActiveKeyId))
        {
            return ValidateOptionsResult.Fail($"Encryption:MasterKeys has no key with the active id '{options.ActiveKeyId}'.");
        }

        foreach (var (id, value) in options.MasterKeys)
        {
            if (!MasterKeyRing.TryDecode(value, out _))
            {
                return ValidateOptionsResult.Fail($"Encryption:MasterKeys:{id} is not 32 bytes in base64.");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
