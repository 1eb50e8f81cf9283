using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Imsa.Network.Access;

/// <summary>The service's key for pseudonymous references to people ("Pseudonyms" configuration section).</summary>
public sealed class PseudonymOptions
{
    /// <summary>32 random bytes, base64-encoded; secret. Changing it changes every reference the service shows.</summary>
    public string Key { get; set; } = "";
}

/// <summary>A secret key from configuration: 32 random bytes in base64 (openssl rand -base64 32).</summary>
public static class SymmetricKeys
{
    public static bool TryDecode(string? key, out byte[] bytes)
    {
        bytes = [];
        try
        {
            bytes = Convert.FromBase64String(key ?? "");
        }
        catch (FormatException)
        {
            return false;
        }

        return bytes.Length == 32;
    }
}

/// <summary>
/// A stable reference to a person for those who may know that the same person acted again, but not who: another
/// organisation reading a disclosure log or a handover's timeline. HMAC-SHA256 of the person's id and the viewing
/// organisation's id under the service's secret key, its first 12 bytes in base64url ("reader-…"): the same person
/// always gets the same reference for the same viewer in this service; two viewers get two, so organisations cannot
/// put their references together to follow one person across them; without the key no one can tell whose it is.
/// </summary>
public sealed class Pseudonyms(IOptions<PseudonymOptions> options)
{
    public const string Prefix = "reader-";

    private readonly byte[] _key = SymmetricKeys.TryDecode(options.Value.Key, out var key)
        ? key
        : throw new InvalidOperationException("Pseudonyms:Key is not 32 bytes in base64.");

    public string Of(Guid personId, Guid viewerOrganisationId) =>
        Prefix + Base64UrlEncoder.Encode(HMACSHA256.HashData(_key, (byte[])[.. personId.ToByteArray(), .. viewerOrganisationId.ToByteArray()])[..12]);

    public string? OfOrNull(Guid? personId, Guid viewerOrganisationId) => personId is { } id ? Of(id, viewerOrganisationId) : null;
}

public static class PseudonymExtensions
{
    /// <summary>
    /// <see cref="Pseudonyms"/> under the key in "Pseudonyms:Key"; the service does not start without a usable one.
    /// </summary>
    public static IHostApplicationBuilder AddPseudonyms(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PseudonymOptions>().BindConfiguration("Pseudonyms")
            .Validate(
                options => SymmetricKeys.TryDecode(options.Key, out _),
                "Pseudonyms:Key, 32 random bytes in base64 (openssl rand -base64 32), is required: it makes the pseudonymous references to "
                + "people that other organisations see.")
            .ValidateOnStart();
        builder.Services.AddSingleton<Pseudonyms>();
        return builder;
    }
}
