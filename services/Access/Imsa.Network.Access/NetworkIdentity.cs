using System.Security.Claims;
using System.Security.Cryptography;
using Imsa.Network.Contracts.Partners;
using Microsoft.IdentityModel.Tokens;

namespace Imsa.Network.Access;

/// <summary>The claims an IMSA access token carries, and the roles they grant.</summary>
public static class NetworkClaims
{
    /// <summary>The organisation's id: whom the caller acts for.</summary>
    public const string Organisation = "org";

    /// <summary>
    /// Who the caller is: an API client's organisation, as <see cref="Organisation"/> (and, with people, a person). Tokens
    /// issued before <see cref="Organisation"/> existed name the organisation here only.
    /// </summary>
    public const string Subject = "sub";

    /// <summary>origin-partner, transit-partner, receiving-service or coordinator (<see cref="OrganisationKinds"/>).</summary>
    public const string OrganisationKind = "org_kind";

    public const string ClientId = "client_id";

    public const string Role = "role";

    /// <summary>How a person authenticated (RFC 8176): "pwd", "otp" and "mfa" for a password and an authenticator code; "pop" and "mfa" for a passkey. Absent for API clients.</summary>
    public const string AuthenticationMethods = "amr";

    /// <summary>
    /// The person a token names in <see cref="Subject"/>, or null for an API client (whose subject is its organisation).
    /// People's tokens always carry <see cref="Organisation"/> as well, and a person's id is never an organisation's.
    /// </summary>
    public static Guid? PersonIdOrNull(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.TryParse(user.FindFirstValue(Subject), out var subject)
               && Guid.TryParse(user.FindFirstValue(Organisation), out var organisation)
               && subject != organisation
            ? subject
            : null;
    }

    public static Guid OrganisationId(this ClaimsPrincipal user) =>
        user.OrganisationIdOrNull() ?? throw new InvalidOperationException("The caller is not an authenticated organisation.");

    /// <summary>The organisation the token names in <see cref="Organisation"/>, or (a token issued before that claim) in <see cref="Subject"/>.</summary>
    public static Guid? OrganisationIdOrNull(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.TryParse(user.FindFirstValue(Organisation) ?? user.FindFirstValue(Subject), out var id) ? id : null;
    }
}

/// <summary>
/// Who acts in a request, as every service records it: the organisation, the person when a person signed in (null
/// for an API client), and the client the token was issued to (an organisation's system, or the app a person used).
/// </summary>
public sealed record NetworkActor(Guid OrganisationId, Guid? PersonId = null, string? ClientId = null)
{
    /// <summary>The actor a token names.</summary>
    public static NetworkActor Of(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new NetworkActor(user.OrganisationId(), user.PersonIdOrNull(), user.FindFirstValue(NetworkClaims.ClientId));
    }
}

/// <summary>Roles, and the authorization policies of the same names.</summary>
public static class NetworkRoles
{
    /// <summary>The network coordinators (Netzwerkstelle): they administer, never see case content.</summary>
    public const string Coordinator = "coordinator";

    /// <summary>Partner organisations abroad, in origin or transit countries.</summary>
    public const string Partner = "partner";

    /// <summary>Receiving migration services in Germany.</summary>
    public const string ReceivingService = "receiving-service";

    /// <summary>The role an organisation kind code grants.</summary>
    public static string ForKind(string kind) => kind switch
    {
        OrganisationKinds.Coordinator => Coordinator,
        OrganisationKinds.ReceivingService => ReceivingService,
        _ => Partner,
    };
}

/// <summary>How tokens are issued and checked ("Identity" configuration section).</summary>
public sealed class NetworkIdentityOptions
{
    /// <summary>The token issuer (the Partners service's public address), e.g. "http://127.0.0.1:5101/".</summary>
    public string Issuer { get; set; } = "";

    public string Audience { get; set; } = "imsa-network";

    /// <summary>PEM public key(s) that verify token signatures; several during a key rotation.</summary>
    public string ValidationKeys { get; set; } = "";

    /// <summary>How long a revocation check result is reused; a suspension takes effect within this time.</summary>
    public TimeSpan RevocationCacheDuration { get; set; } = TimeSpan.FromSeconds(2);
}

public static class SigningKeys
{
    /// <summary>Reads every RSA public or private key in a PEM text; the key id is derived from the public key.</summary>
    public static IReadOnlyList<RsaSecurityKey> ReadPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        const string begin = "-----BEGIN ";
        var keys = new List<RsaSecurityKey>();
        var start = pem.IndexOf(begin, StringComparison.Ordinal);
        while (start >= 0)
        {
            var next = pem.IndexOf(begin, start + begin.Length, StringComparison.Ordinal);
            var block = next < 0 ? pem[start..] : pem[start..next];
            var rsa = RSA.Create();
            rsa.ImportFromPem(block);
            keys.Add(new RsaSecurityKey(rsa) { KeyId = KeyIdOf(rsa) });
            start = next;
        }

        return keys;
    }

    private static string KeyIdOf(RSA rsa) =>
        Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
}
