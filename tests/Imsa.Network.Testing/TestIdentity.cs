using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Imsa.Network.Testing;

/// <summary>
/// The test run's token signing key, issuer and first coordinator client, configured into every hosted service
/// under the keys the run script uses (only Partners reads the private key and the bootstrap client). Tests may
/// also mint tokens of their own with it, or with another key, to prove what the services refuse.
/// </summary>
public static class TestIdentity
{
    public const string Issuer = "http://partners.test/";
    public const string Audience = "imsa-network";
    public const string CoordinatorClientId = "imsa-test-coordinator";

    private static readonly RSA Key = RSA.Create(2048);

    private static readonly string[] PasswordAndOtp = ["pwd", "otp"];

    public static string CoordinatorClientSecret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    public static RsaSecurityKey SigningKey { get; } = SigningKeyFor(Key);

    public static Dictionary<string, string?> Settings => new()
    {
        ["Identity:Issuer"] = Issuer,
        ["Identity:Audience"] = Audience,
        ["Identity:SigningKey"] = Key.ExportPkcs8PrivateKeyPem(),
        ["Identity:ValidationKeys"] = Key.ExportSubjectPublicKeyInfoPem(),
        ["Identity:Bootstrap:ClientId"] = CoordinatorClientId,
        ["Identity:Bootstrap:ClientSecret"] = CoordinatorClientSecret,
    };

    public static RsaSecurityKey SigningKeyFor(RSA rsa) =>
        Imsa.Network.Access.SigningKeys.ReadPem(rsa.ExportSubjectPublicKeyInfoPem())[0] is { } publicKey
            ? new RsaSecurityKey(rsa) { KeyId = publicKey.KeyId }
            : throw new InvalidOperationException();

    /// <summary>
    /// A token as the token endpoint would issue it, with any part changed for a negative test: <paramref name="subject"/>
    /// another "sub" than the organisation (as a person's token will have), or no "org" claim (a token issued before it).
    /// </summary>
    public static string MintToken(
        Guid organisationId,
        string kind = "origin-partner",
        string role = "partner",
        string clientId = "imsa-test-client",
        string audience = Audience,
        string issuer = Issuer,
        DateTime? expires = null,
        SecurityKey? key = null,
        Guid? subject = null,
        bool organisationClaim = true)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = (subject ?? organisationId).ToString(),
            ["org_kind"] = kind,
            ["role"] = role,
            ["client_id"] = clientId,
        };
        if (organisationClaim)
        {
            claims["org"] = organisationId.ToString();
        }

        return Sign(claims, expires, key, audience, issuer);
    }

    /// <summary>
    /// A person's token as the token endpoint issues it after a sign-in: "sub" the person, "org" their organisation,
    /// "role" the organisation kind's role and the person's role within it, "client_id" the application they signed
    /// in through, "amr" how they authenticated.
    /// </summary>
    public static string MintPersonToken(
        Guid organisationId,
        Guid personId,
        string kind = "origin-partner",
        string personRole = "counsellor",
        string clientId = "imsa-web",
        DateTime? expires = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = personId.ToString(),
            ["org"] = organisationId.ToString(),
            ["org_kind"] = kind,
            ["role"] = new[] { Imsa.Network.Access.NetworkRoles.ForKind(kind), personRole },
            ["client_id"] = clientId,
            ["amr"] = PasswordAndOtp,
        };
        return Sign(claims, expires);
    }

    private static string Sign(
        Dictionary<string, object> claims, DateTime? expires, SecurityKey? key = null, string audience = Audience, string issuer = Issuer)
    {
        var now = DateTime.UtcNow;
        var notBefore = expires is { } e && e < now ? e.AddMinutes(-10) : now;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires ?? now.AddMinutes(10),
            Claims = claims,
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>Asks the Partners token endpoint for an access token (client credentials).</summary>
    public static async Task<HttpResponseMessage> RequestTokenAsync(this HttpClient partners, string clientId, string clientSecret)
    {
        ArgumentNullException.ThrowIfNull(partners);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        });
        return await partners.PostAsync("/connect/token", form);
    }

    public static async Task<string> GetTokenAsync(this HttpClient partners, string clientId, string clientSecret)
    {
        var response = await partners.RequestTokenAsync(clientId, clientSecret);
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!;
    }

    public static Task<string> GetCoordinatorTokenAsync(this HttpClient partners) =>
        partners.GetTokenAsync(CoordinatorClientId, CoordinatorClientSecret);

    /// <summary>Sends a request with a bearer token (the client's default headers stay untouched).</summary>
    /// <param name="idempotencyKey">Sent as the Idempotency-Key header, when given.</param>
    public static async Task<HttpResponseMessage> SendAsAsync(
        this HttpClient client, string token, HttpMethod method, string uri, object? body = null, string? idempotencyKey = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await client.SendAsync(request);
    }
}
