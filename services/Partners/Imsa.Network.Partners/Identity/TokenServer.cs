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
}

internal static class TokenServer
{
    /// <summary>
    /// The network's OAuth 2.0 token endpoint (OpenIddict, client-credentials flow only) at POST /connect/token.
    /// Access tokens are JWTs signed with RS256 and not encrypted, so every service verifies them with the public
    /// key alone; they carry the organisation id (sub), its kind (org_kind), its role and the client id.
    /// </summary>
    public static WebApplicationBuilder AddTokenServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenServerOptions>().BindConfiguration("Identity");
        builder.Services.AddOptions<TokenLockoutOptions>().BindConfiguration("Limits:TokenLockout");
        builder.Services.AddScoped<TokenLockout>();
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<PartnersDbContext>())
            .AddServer(server =>
            {
                server.SetTokenEndpointUris("connect/token");
                server.AllowClientCredentialsFlow();
                server.DisableAccessTokenEncryption();
                // Tokens are self-contained and checked locally; revocation goes through the access projection.
                server.DisableTokenStorage();
                // Only access tokens are issued, and they are signed, not encrypted; OpenIddict still wants a key.
                server.AddEphemeralEncryptionKey();
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
                    // TLS terminates at the gateway or ingress in front of the services.
                    .DisableTransportSecurityRequirement();
            });

        // Read when the server first runs, so a test host's configuration applies.
        builder.Services.AddOptions<OpenIddictServerOptions>()
            .Configure<IOptions<TokenServerOptions>, IOptions<NetworkIdentityOptions>>((server, tokens, identity) =>
            {
                var keys = SigningKeys.ReadPem(tokens.Value.SigningKey);
                var signingKey = keys.Count > 0
                    ? keys[0]
                    : throw new InvalidOperationException("Identity:SigningKey (a PEM RSA private key) is not configured.");
                server.SigningCredentials.Add(new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256));
                server.AccessTokenLifetime = tokens.Value.AccessTokenLifetime;
                if (!string.IsNullOrEmpty(identity.Value.Issuer))
                {
                    server.Issuer = new Uri(identity.Value.Issuer);
                }
            });
        return builder;
    }
}
