using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Imsa.Network.Messaging.Access;

public static class NetworkAuthentication
{
    /// <summary>
    /// Every request must carry an access token from the network's token endpoint (Partners): RS256-signed by a
    /// key in "Identity:ValidationKeys", for "Identity:Issuer" and "Identity:Audience", unexpired, and its
    /// organisation or client not suspended, retired or revoked in this service's access projection.
    /// Policies of the role names (<see cref="NetworkRoles"/>) guard the role-specific endpoints.
    /// </summary>
    public static IHostApplicationBuilder AddNetworkAuthentication<TDbContext>(this IHostApplicationBuilder builder)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddMemoryCache();
        services.AddOptions<NetworkIdentityOptions>().BindConfiguration("Identity");
        services.AddScoped<AccessCheck<TDbContext>>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<NetworkIdentityOptions>>((jwt, identity) =>
            {
                var settings = identity.Value;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    // "http://host:5101" and "http://host:5101/" name the same issuer.
                    ValidIssuers = [settings.Issuer.TrimEnd('/'), settings.Issuer.TrimEnd('/') + "/"],
                    ValidAudience = settings.Audience,
                    IssuerSigningKeys = SigningKeys.ReadPem(settings.ValidationKeys),
                    ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = NetworkClaims.Organisation,
                    RoleClaimType = NetworkClaims.Role,
                };
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = async context =>
                    {
                        var principal = context.Principal!;
                        if (!Guid.TryParse(principal.FindFirstValue(NetworkClaims.Organisation), out var organisation))
                        {
                            context.Fail("The token names no organisation.");
                            return;
                        }

                        var access = context.HttpContext.RequestServices.GetRequiredService<AccessCheck<TDbContext>>();
                        if (await access.IsDeniedAsync(organisation, principal.FindFirstValue(NetworkClaims.ClientId), context.HttpContext.RequestAborted))
                        {
                            context.Fail("The organisation or client no longer has access.");
                        }
                    },
                };
            });

        services.AddAuthorizationBuilder()
            // Every endpoint needs a token unless it says otherwise; requests that reach no endpoint (Swagger's
            // middleware, unknown routes) are left to answer for themselves.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder()
                .RequireAssertion(context =>
                    context.User.Identity?.IsAuthenticated == true
                    || (context.Resource is HttpContext http && http.GetEndpoint() is null))
                .Build())
            .AddPolicy(NetworkRoles.Coordinator, policy => policy.RequireRole(NetworkRoles.Coordinator))
            .AddPolicy(NetworkRoles.Partner, policy => policy.RequireRole(NetworkRoles.Partner))
            .AddPolicy(NetworkRoles.ReceivingService, policy => policy.RequireRole(NetworkRoles.ReceivingService));
        return builder;
    }
}
