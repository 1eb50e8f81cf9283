using Imsa.Network.Access;
using System.Security.Cryptography;
using System.Text;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Identity;

/// <summary>
/// The key that encrypts people's authenticator keys and recovery codes ("People:TokenKey": 32 random bytes in
/// base64; secret, from the environment or a secret store). Losing it means every person enrols their authenticator
/// again; nothing else is lost.
/// </summary>
internal sealed class PeopleTokenKeyOptions
{
    public string TokenKey { get; set; } = "";
}

/// <summary>
/// Identity's store, with the second factor's secrets — the authenticator key and the recovery codes, which Identity
/// keeps as user tokens — encrypted (AES-256-GCM, the person's id as associated data, so a value copied to another
/// person's row does not open) before they reach `identity.person_tokens`. A database copy alone no longer passes
/// anyone's second factor. A value that does not open counts as none: that person cannot sign in until they enrol
/// again. Values written before this store existed are read as they are and encrypted at their next change.
/// </summary>
internal sealed class ProtectedPeopleStore(PartnersDbContext db, IOptions<PeopleTokenKeyOptions> options, IdentityErrorDescriber? describer = null)
    : UserOnlyStore<Person, PartnersDbContext, Guid>(db, describer)
{
    private const string Prefix = "v1:";

    private readonly byte[] _key = SymmetricKeys.TryDecode(options.Value.TokenKey, out var key)
        ? key
        : throw new InvalidOperationException("People:TokenKey is not 32 bytes in base64.");

    public override Task SetTokenAsync(Person user, string loginProvider, string name, string? value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return base.SetTokenAsync(user, loginProvider, name, value is null ? null : Seal(user.Id, value), cancellationToken);
    }

    public override async Task<string?> GetTokenAsync(Person user, string loginProvider, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var stored = await base.GetTokenAsync(user, loginProvider, name, cancellationToken);
        return stored is not null && stored.StartsWith(Prefix, StringComparison.Ordinal) ? Open(user.Id, stored) : stored;
    }

    private string Seal(Guid personId, string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedValue = new byte[12 + plain.Length + 16];
        var nonce = sealedValue.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, plain, sealedValue.AsSpan(12, plain.Length), sealedValue.AsSpan(12 + plain.Length), personId.ToByteArray());
        return Prefix + Convert.ToBase64String(sealedValue);
    }

    /// <summary>The value, or null when it does not open (another key, another person's row, altered): as if there were none.</summary>
    private string? Open(Guid personId, string stored)
    {
        try
        {
            var sealedValue = Convert.FromBase64String(stored[Prefix.Length..]);
            var plain = new byte[sealedValue.Length - 12 - 16];
            using var aes = new AesGcm(_key, 16);
            aes.Decrypt(sealedValue.AsSpan(0, 12), sealedValue.AsSpan(12, plain.Length), sealedValue.AsSpan(12 + plain.Length), plain, personId.ToByteArray());
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or OverflowException)
        {
            return null;
        }
    }
}
