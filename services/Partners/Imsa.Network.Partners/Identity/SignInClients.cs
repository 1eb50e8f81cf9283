using Imsa.Network.ServiceDefaults;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Imsa.Network.Partners.Identity;

/// <summary>
/// The network's own applications that sign people in ("SignIn:Clients", e.g. the web application): confidential
/// clients with a secret (from the environment or a secret store, never the repository) and exact redirect URIs.
/// </summary>
internal sealed class SignInClientOptions
{
    public List<SignInClient> Clients { get; set; } = [];
}

internal sealed class SignInClient
{
    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    public string DisplayName { get; set; } = "";

    /// <summary>Where the code may be sent: compared exactly, character for character.</summary>
    public List<Uri> RedirectUris { get; set; } = [];

    public List<Uri> PostLogoutRedirectUris { get; set; } = [];
}

internal static class SignInClients
{
    /// <summary>Creates or updates each configured application at start, so configuration stays the source of truth.</summary>
    public static async Task RegisterSignInClientsAsync(this WebApplication app)
    {
        var clients = app.Services.GetRequiredService<IOptions<SignInClientOptions>>().Value.Clients;
        await using var scope = app.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        foreach (var client in clients)
        {
            if (string.IsNullOrWhiteSpace(client.ClientId) || client.ClientSecret.Length < 32 || client.RedirectUris.Count == 0)
            {
                throw new InvalidOperationException(
                    $"SignIn:Clients: '{client.ClientId}' needs a client id, a secret of at least 32 characters and at least one redirect URI.");
            }

            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = client.ClientId,
                ClientSecret = client.ClientSecret,
                ClientType = ClientTypes.Confidential,
                ConsentType = ConsentTypes.Implicit,
                DisplayName = client.DisplayName.Length > 0 ? client.DisplayName : client.ClientId,
                Permissions =
                {
                    Permissions.Endpoints.Authorization,
                    Permissions.Endpoints.Token,
                    Permissions.Endpoints.EndSession,
                    Permissions.GrantTypes.AuthorizationCode,
                    Permissions.ResponseTypes.Code,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            descriptor.RedirectUris.UnionWith(client.RedirectUris);
            descriptor.PostLogoutRedirectUris.UnionWith(client.PostLogoutRedirectUris);
            if (await applications.FindByClientIdAsync(client.ClientId) is { } existing)
            {
                await applications.UpdateAsync(existing, descriptor);
            }
            else
            {
                await applications.CreateAsync(descriptor);
            }
        }
    }
}

/// <summary>Removes authorization codes and authorizations a day after they expired or were used (OpenIddict's prune).</summary>
internal sealed class TokenPruning(IServiceScopeFactory scopes, TimeProvider time, ILogger<TokenPruning> logger) : PeriodicJob(logger)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override async Task<bool> RunPassAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var threshold = time.GetUtcNow().AddDays(-1);
        await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(threshold, cancellationToken);
        return false;
    }
}
