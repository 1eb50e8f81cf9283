using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Access;

/// <summary>
/// One ASP.NET Core Data Protection key ring for every instance of a service (antiforgery tokens, sign-in cookies,
/// whatever one instance protects and another must read): kept in the service's own database, each key sealed with
/// the service's active master key (<see cref="EncryptionOptions"/>), so a copy of the database alone opens nothing.
/// </summary>
public static class SharedKeyRing
{
    /// <summary>
    /// Locks <see cref="EnsureKeyRingAsync{TContext}"/> across instances; the number is an arbitrary one of this key ring.
    /// </summary>
    private const long CreationLock = 0x494D5341_4B455953;

    public static IServiceCollection AddSharedKeyRing<TContext>(this IServiceCollection services, string applicationName)
        where TContext : DbContext, IDataProtectionKeyContext
    {
        services.AddDataProtection().SetApplicationName(applicationName).PersistKeysToDbContext<TContext>();
        services.AddOptions<KeyManagementOptions>()
            .Configure<IOptions<EncryptionOptions>>((keys, encryption) => keys.XmlEncryptor = new MasterKeyXmlEncryptor(encryption));
        return services;
    }

    /// <summary>
    /// Makes sure the ring has a key in use before the instance serves anything. Without it, instances starting
    /// together on an empty ring would each make a key at once and, until they read the ring again, not understand
    /// each other (dotnet/aspnetcore#52678): one makes it, under a database lock, the others find it.
    /// </summary>
    public static async Task EnsureKeyRingAsync<TContext>(this IServiceProvider services, TimeProvider time)
        where TContext : DbContext, IDataProtectionKeyContext
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TContext>().Database.ExclusivelyAsync(CreationLock, () =>
        {
            var keys = scope.ServiceProvider.GetRequiredService<IKeyManager>();
            var now = time.GetUtcNow();
            if (!keys.GetAllKeys().Any(key => !key.IsRevoked && key.ActivationDate <= now && key.ExpirationDate > now.AddDays(2)))
            {
                keys.CreateNewKey(now, now.AddDays(90));
            }

            return Task.CompletedTask;
        });
    }
}

/// <summary>Seals a Data Protection key's XML with the active master key (AES-256-GCM, <see cref="Sealing"/>).</summary>
internal sealed class MasterKeyXmlEncryptor(IOptions<EncryptionOptions> options) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var encryption = options.Value;
        var id = encryption.ActiveKeyId;
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedKey = Sealing.Seal(encryption.MasterKey(id), plaintext, MasterKeyXmlDecryptor.Context(id));
        CryptographicOperations.ZeroMemory(plaintext);
        return new EncryptedXmlInfo(
            new XElement("sealedKey", new XAttribute("masterKeyId", id), Convert.ToBase64String(sealedKey)),
            typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>
/// Opens what <see cref="MasterKeyXmlEncryptor"/> sealed, with the master key it names. A key sealed with a master
/// key no longer configured cannot be read: Data Protection leaves it out, and what it protected (a sign-in cookie,
/// a form) must be made again.
/// </summary>
public sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    internal static byte[] Context(string masterKeyId) => Encoding.UTF8.GetBytes($"imsa-network data-protection-key {masterKeyId}");

    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var id = (string?)encryptedElement.Attribute("masterKeyId") ?? throw new CryptographicException("A sealed key does not name its master key.");
        var encryption = services.GetRequiredService<IOptions<EncryptionOptions>>().Value;
        var plaintext = Sealing.Open(encryption.MasterKey(id), Convert.FromBase64String(encryptedElement.Value), Context(id));
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
