using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Imsa.Network.Web.SignIn;

/// <summary>A signed-in person: their access token, kept here and never given to the browser.</summary>
internal sealed record WebSession(string AccessToken, DateTimeOffset TokenExpiresAt, ClaimsPrincipal Person);

/// <summary>
/// The sessions of this instance, in memory: the browser's cookie holds only a random 32-byte id. A session ends
/// after 30 minutes without a request or 8 hours after sign-in, whichever comes first; a restart signs everyone out
/// (Partners' own session then signs them in again without pages).
/// </summary>
internal sealed class WebSessions(IMemoryCache cache, TimeProvider time)
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    public static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromHours(8);

    /// <summary>Keeps the token; returns the id for the cookie.</summary>
    public string Start(string accessToken)
    {
        // The token came straight from the token server over its own connection, so its claims are read, not
        // verified: they only choose what to show; every API checks the token itself.
        var (person, expiresAt) = ReadClaims(accessToken);
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        cache.Set(Key(id), new WebSession(accessToken, expiresAt, person), new MemoryCacheEntryOptions
        {
            SlidingExpiration = IdleTimeout,
            AbsoluteExpirationRelativeToNow = AbsoluteTimeout,
        });
        return id;
    }

    /// <summary>The session, if it is still alive and its token still valid; an expired token ends it.</summary>
    public WebSession? Find(string id)
    {
        if (!cache.TryGetValue(Key(id), out WebSession? session) || session is null)
        {
            return null;
        }

        if (session.TokenExpiresAt <= time.GetUtcNow().AddSeconds(30))
        {
            End(id);
            return null;
        }

        return session;
    }

    public void End(string id) => cache.Remove(Key(id));

    /// <summary>The JWT's payload: its claims (an array claim becomes one claim per value) and when it expires.</summary>
    private static (ClaimsPrincipal Person, DateTimeOffset ExpiresAt) ReadClaims(string accessToken)
    {
        var parts = accessToken.Split('.');
        if (parts.Length != 3)
        {
            throw new InvalidOperationException("The token server answered with an access token that is not a JWT.");
        }

        using var payload = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[1]));
        var claims = new List<Claim>();
        var expiresAt = DateTimeOffset.MinValue;
        foreach (var property in payload.RootElement.EnumerateObject())
        {
            if (property.Name == "exp" && property.Value.TryGetInt64(out var exp))
            {
                expiresAt = DateTimeOffset.FromUnixTimeSeconds(exp);
            }
            else if (property.Value.ValueKind == JsonValueKind.Array)
            {
                claims.AddRange(property.Value.EnumerateArray().Select(value => new Claim(property.Name, value.ToString())));
            }
            else
            {
                claims.Add(new Claim(property.Name, property.Value.ToString()));
            }
        }

        return (new ClaimsPrincipal(new ClaimsIdentity(claims, "partners", "sub", "role")), expiresAt);
    }

    private static string Key(string id) => "session:" + id;
}
