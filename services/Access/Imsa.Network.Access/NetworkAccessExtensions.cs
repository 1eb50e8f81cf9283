using System.Security.Claims;
using MassTransit;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Microsoft.OpenApi;

namespace Imsa.Network.Access;

/// <param name="OrganisationId">The caller's organisation.</param>
/// <param name="Kind">origin-partner, transit-partner, receiving-service or coordinator.</param>
/// <param name="Roles">The roles the token grants.</param>
/// <param name="ClientId">The API client the token was issued to, or the application a person signed in to.</param>
/// <param name="PersonId">The person, for a person's token; null for an API client's.</param>
/// <param name="AuthenticationMethods">How the person signed in (RFC 8176: pwd, otp, mfa); empty for an API client.</param>
public sealed record CallerResponse(
    Guid OrganisationId, string Kind, IReadOnlyList<string> Roles, string? ClientId, Guid? PersonId, IReadOnlyList<string> AuthenticationMethods);

public static class NetworkAccessExtensions
{
    /// <summary>
    /// Every request must carry an access token from the network's token endpoint (Partners): RS256-signed by a
    /// key in "Identity:ValidationKeys", for "Identity:Issuer" and "Identity:Audience", unexpired, and its
    /// organisation, client or person not suspended, retired, revoked or deactivated in this service's access projection (read from the
    /// service's <see cref="DbContext"/>, whose model maps it with <see cref="AddNetworkAccess(ModelBuilder)"/>).
    /// Policies of the role names (<see cref="NetworkRoles"/>) guard the role-specific endpoints, and those of
    /// <see cref="PersonPolicies"/> what a person's role within the organisation allows; the OpenAPI
    /// document says how to obtain a token.
    /// </summary>
    public static IHostApplicationBuilder AddNetworkAccess(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddMemoryCache();
        services.AddOptions<NetworkIdentityOptions>().BindConfiguration("Identity");
        services.AddSingleton<AccessCheck>();

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
                    NameClaimType = NetworkClaims.Subject,
                    RoleClaimType = NetworkClaims.Role,
                };
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = async context =>
                    {
                        var principal = context.Principal!;
                        if (principal.OrganisationIdOrNull() is not { } organisation)
                        {
                            context.Fail("The token names no organisation.");
                            return;
                        }

                        var access = context.HttpContext.RequestServices.GetRequiredService<AccessCheck>();
                        if (await access.IsDeniedAsync(
                                organisation, principal.FindFirstValue(NetworkClaims.ClientId), principal.PersonIdOrNull(), context.HttpContext.RequestAborted))
                        {
                            context.Fail("The organisation, client or person no longer has access.");
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
            .AddPolicy(NetworkRoles.ReceivingService, policy => policy.RequireRole(NetworkRoles.ReceivingService))
            .AddPolicy(PersonPolicies.CaseWork, policy => policy.AddRequirements(new PersonRoleRequirement(NetworkPersonRoles.Counsellor)))
            .AddPolicy(PersonPolicies.Administration, policy => policy.AddRequirements(
                new PersonRoleRequirement(NetworkPersonRoles.OrganisationAdmin, NetworkPersonRoles.Coordinator)))
            .AddPolicy(PersonPolicies.SignedInPerson, policy => policy.RequireAssertion(context => context.User.PersonIdOrNull() is not null));

        // Try it out: get a token from the Partners token endpoint with a client id and secret.
        var issuer = builder.Configuration["Identity:Issuer"] ?? "";
        services.ConfigureSwaggerGen(options =>
        {
            options.AddSecurityDefinition("oauth2", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "OAuth 2.0 client credentials: the organisation's API client id and secret.",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow { TokenUrl = new Uri(new Uri(issuer.Length > 0 ? issuer : "http://localhost/"), "connect/token") },
                },
            });
            options.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token from POST /connect/token on the Partners service.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("oauth2", document)] = [],
                [new OpenApiSecuritySchemeReference("bearer", document)] = [],
            });
        });
        return builder;
    }

    /// <summary>The consumer that keeps the access projection, on the service's "&lt;service&gt;-organisation-access" queue.</summary>
    public static IBusRegistrationConfigurator AddAccessProjection(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<OrganisationAccessConsumer>();
        return bus;
    }

    /// <summary>Maps the access projection's tables (schema "access") into a service's model, so its migrations create them.</summary>
    public static ModelBuilder AddNetworkAccess(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<OrganisationAccess>(access =>
        {
            access.ToTable("organisation_access", "access");
            access.HasKey(a => a.OrganisationId);
            access.Property(a => a.OrganisationId).HasColumnName("organisation_id").ValueGeneratedNever();
            access.Property(a => a.Status).HasColumnName("status").HasMaxLength(40);
            access.Property(a => a.StatusVersion).HasColumnName("status_version");
            access.Property(a => a.ChangedAt).HasColumnName("changed_at");
            access.Ignore(a => a.IsActive);
        });

        modelBuilder.Entity<RevokedClient>(revoked =>
        {
            revoked.ToTable("revoked_clients", "access");
            revoked.HasKey(c => c.ClientId);
            revoked.Property(c => c.ClientId).HasColumnName("client_id").HasMaxLength(100);
            revoked.Property(c => c.OrganisationId).HasColumnName("organisation_id");
            revoked.Property(c => c.RevokedAt).HasColumnName("revoked_at");
        });

        modelBuilder.Entity<DeactivatedPerson>(person =>
        {
            person.ToTable("deactivated_people", "access");
            person.HasKey(p => p.PersonId);
            person.Property(p => p.PersonId).HasColumnName("person_id").ValueGeneratedNever();
            person.Property(p => p.OrganisationId).HasColumnName("organisation_id");
            person.Property(p => p.DeactivatedAt).HasColumnName("deactivated_at");
        });
        return modelBuilder;
    }

    /// <summary>GET /me: what this service makes of the caller's token.</summary>
    public static IEndpointRouteBuilder MapNetworkAccess(this IEndpointRouteBuilder app)
    {
        app.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new CallerResponse(
                user.OrganisationId(),
                user.FindFirstValue(NetworkClaims.OrganisationKind) ?? "",
                user.FindAll(NetworkClaims.Role).Select(c => c.Value).ToList(),
                user.FindFirstValue(NetworkClaims.ClientId),
                user.PersonIdOrNull(),
                user.FindAll(NetworkClaims.AuthenticationMethods).Select(c => c.Value).ToList())))
            .WithTags("Caller")
            .WithSummary("Who am I")
            .WithDescription("The organisation, kind, roles and client this service sees in the caller's access token, and for a person their id and how they signed in.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }
}
