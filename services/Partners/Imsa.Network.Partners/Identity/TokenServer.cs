using Imsa.Network.Access;
using Imsa.Network.Partners.Data;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;

namespace Imsa.Network.Partners.Identity;

/// <summary>Where the token server's signing key comes from ("Identity:SigningKey": a PEM RSA private key).</summary>
internal sealed class TokenServerOptions
{
    public string SigningKey { get; set; } = "";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a person's authorization code may wait to be exchanged.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// The keys the token server encrypts its authorization codes with: one per master key, derived from it (HKDF-SHA256
/// with a purpose of its own), the active one first. Every instance derives the same, and nothing more needs to be
/// configured or rotated: a master key's rotation rotates them.
/// </summary>
internal static class TokenEncryption
{
    private static readonly byte[] Purpose = System.Text.Encoding.UTF8.GetBytes("imsa-network token encryption");

    public static IEnumerable<EncryptingCredentials> Credentials(EncryptionOptions encryption) =>
        encryption.MasterKeys.Keys
            .OrderBy(id => id == encryption.ActiveKeyId ? 0 : 1)
            .ThenBy(id => id, StringComparer.Ordinal)
            .Select(id => new EncryptingCredentials(
                new SymmetricSecurityKey(System.Security.Cryptography.HKDF.DeriveKey(
                    System.Security.Cryptography.HashAlgorithmName.SHA256, encryption.MasterKey(id), 32, info: Purpose))
                {
                    KeyId = $"codes-{id}",
                },
                SecurityAlgorithms.Aes256KW,
                SecurityAlgorithms.Aes256CbcHmacSha512));
}

internal static class TokenServer
{
    /// <summary>
    /// The network's OAuth 2.0 server (OpenIddict): POST /connect/token for systems (client credentials) and for
    /// applications exchanging a person's code; /connect/authorize where people sign in (authorization code with
    /// PKCE, for registered redirect URIs only). Access tokens are JWTs signed with RS256 and not encrypted, so every
    /// service verifies them with the public key alone; they carry the organisation (org), its kind (org_kind), the
    /// roles and the client id, and for a person their id (sub) and how they signed in (amr).
    /// </summary>
    public static WebApplicationBuilder AddTokenServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenServerOptions>().BindConfiguration("Identity");
        builder.Services.AddOptions<TokenLockoutOptions>().BindConfiguration("Limits:TokenLockout");
        builder.Services.AddScoped<TokenLockout>();
        builder.Services.AddOptions<SignInClientOptions>().BindConfiguration("SignIn");
        builder.Services.AddHostedService<TokenPruning>();
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<PartnersDbContext>())
            .AddServer(server =>
            {
                server.SetTokenEndpointUris("connect/token");
                server.SetAuthorizationEndpointUris("connect/authorize");
                server.SetEndSessionEndpointUris("connect/logout");
                server.AllowClientCredentialsFlow();
                server.AllowAuthorizationCodeFlow();
                server.RequireProofKeyForCodeExchange();
                // S256 only: a "plain" challenge is the verifier itself, readable wherever the request was logged.
                server.Configure(options => options.CodeChallengeMethods.Remove(OpenIddictConstants.CodeChallengeMethods.Plain));
                server.DisableAccessTokenEncryption();
                // Authorization codes are stored, so each is redeemed once (a second use is refused and revokes the
                // authorization). Access tokens are not: they are self-contained and checked locally, and revocation
                // goes through the access projection.
                server.AddEventHandler<OpenIddictServerEvents.GenerateTokenContext>(handler => handler
                    .UseInlineHandler(context =>
                    {
                        if (context.TokenType == OpenIddictConstants.TokenTypeIdentifiers.AccessToken)
                        {
                            context.CreateTokenEntry = false;
                        }

                        return default;
                    })
                    .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order - 1_000));
                // The state ties the answer to the application's own request (RFC 6749 section 10.12): required.
                server.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(handler => handler
                    .UseInlineHandler(context =>
                    {
                        if (string.IsNullOrEmpty(context.Request.State))
                        {
                            context.Reject(OpenIddictConstants.Errors.InvalidRequest, "The state parameter is required.");
                        }

                        return default;
                    })
                    .SetOrder(int.MinValue + 100_000));
                // Access tokens are signed, not encrypted; authorization codes are encrypted, with a key every
                // instance derives from the master keys (below), so a code made by one is redeemed at another.
                // Failed client authentications slow down and then lock out a client id or an address (TokenLockout):
                // checked before the client is authenticated, counted when it could not be.
                server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler
                    .UseScopedHandler<TokenLockout.RefuseWhileLockedOut>()
                    .SetOrder(int.MinValue + 50_000));
                server.AddEventHandler<OpenIddictServerEvents.ApplyTokenResponseContext>(handler => handler
                    .UseScopedHandler<TokenLockout.CountFailure>()
                    .SetOrder(int.MinValue + 50_000));
                // One answer for every failed client authentication: never say whether the id or the secret was wrong.
                server.AddEventHandler<OpenIddictServerEvents.ApplyTokenResponseContext>(handler => handler
                    .UseInlineHandler(context =>
                    {
                        if (context.Response.Error == OpenIddictConstants.Errors.InvalidClient)
                        {
                            context.Response.ErrorDescription = "The client could not be authenticated.";
                            context.Response.ErrorUri = null;
                        }

                        return default;
                    })
                    .SetOrder(int.MinValue + 100_000));
                server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    // TLS terminates at the gateway or ingress in front of the services.
                    .DisableTransportSecurityRequirement();
            });

        // Read when the server first runs, so a test host's configuration applies.
        builder.Services.AddOptions<OpenIddictServerOptions>()
            .Configure<IOptions<TokenServerOptions>, IOptions<NetworkIdentityOptions>, IOptions<EncryptionOptions>>((server, tokens, identity, encryption) =>
            {
                foreach (var credentials in TokenEncryption.Credentials(encryption.Value))
                {
                    server.EncryptionCredentials.Add(credentials);
                }

                var keys = SigningKeys.ReadPem(tokens.Value.SigningKey);
                var signingKey = keys.Count > 0
                    ? keys[0]
                    : throw new InvalidOperationException("Identity:SigningKey (a PEM RSA private key) is not configured.");
                server.SigningCredentials.Add(new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256));
                server.AccessTokenLifetime = tokens.Value.AccessTokenLifetime;
                server.AuthorizationCodeLifetime = tokens.Value.AuthorizationCodeLifetime;
                if (!string.IsNullOrEmpty(identity.Value.Issuer))
                {
                    server.Issuer = new Uri(identity.Value.Issuer);
                }
            });
        return builder;
    }
}
