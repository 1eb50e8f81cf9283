using System.Security.Cryptography;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Contracts.Partners;
using Imsa.Network.Messaging.Outbox;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Imsa.Network.Partners.Identity;

/// <summary>A client id and the secret that goes with it: shown once, stored only as a hash.</summary>
public sealed record ClientCredentials(string ClientId, string ClientSecret);

/// <summary>Creating, rotating and revoking an organisation's API clients; each is a credential event the organisation can list.</summary>
internal sealed class ApiClients(PartnersDbContext db, IOpenIddictApplicationManager applications, TimeProvider time)
{
    public async Task<ClientCredentials> CreateAsync(
        Guid organisationId, string name, CredentialActor actor, CancellationToken cancellationToken, string? clientId = null, string? secret = null,
        Guid? invitationId = null, IReadOnlyList<Uri>? redirectUris = null)
    {
        var credentials = new ClientCredentials(clientId ?? $"imsa-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10))}", secret ?? NewSecret());
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        db.ApiClients.Add(new ApiClient
        {
            ClientId = credentials.ClientId,
            OrganisationId = organisationId,
            Name = name,
            CreatedAt = now,
            SecretRotatedAt = now,
            RedirectUris = [.. (redirectUris ?? []).Select(u => u.OriginalString)],
        });
        db.CredentialEvents.Add(CredentialEvent.Of(
            organisationId, "client-created", now, actor, credentials.ClientId, invitationId));
        await db.SaveChangesAsync(cancellationToken);
        // The application store hashes the secret (PBKDF2) and saves through the same DbContext and transaction.
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = credentials.ClientId,
            ClientSecret = credentials.ClientSecret,
            ClientType = ClientTypes.Confidential,
            DisplayName = name,
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
        };
        if (redirectUris is { Count: > 0 })
        {
            // A system that signs the organisation's people in, as the web application does (AuthorizationEndpoint
            // lets it sign in no one else).
            descriptor.Permissions.UnionWith(
            [
                Permissions.Endpoints.Authorization, Permissions.Endpoints.EndSession, Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
            ]);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
            descriptor.RedirectUris.UnionWith(redirectUris);
        }

        await applications.CreateAsync(descriptor, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return credentials;
    }

    /// <summary>Replaces the secret; the old one stops working at once. Null if the client is unknown or revoked.</summary>
    public async Task<ClientCredentials?> RotateAsync(ApiClient client, CredentialActor actor, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(client.ClientId, cancellationToken);
        if (application is null || client.RevokedAt is not null)
        {
            return null;
        }

        var secret = NewSecret();
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        client.SecretRotatedAt = time.GetUtcNow();
        db.CredentialEvents.Add(CredentialEvent.Of(
            client.OrganisationId, "client-rotated", client.SecretRotatedAt, actor, client.ClientId));
        await db.SaveChangesAsync(cancellationToken);
        await applications.UpdateAsync(application, secret, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ClientCredentials(client.ClientId, secret);
    }

    /// <summary>Revokes the client: no new tokens, and its current tokens are refused network-wide within seconds.</summary>
    public async Task RevokeAsync(ApiClient client, CredentialActor actor, string? reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        client.RevokedAt = now;
        db.CredentialEvents.Add(CredentialEvent.Of(
            client.OrganisationId, "client-revoked", now, actor, client.ClientId, reason: reason));
        db.AddEvent(new ApiClientRevoked(client.OrganisationId, client.ClientId, now), time);
        await db.SaveChangesAsync(cancellationToken);
        if (await applications.FindByClientIdAsync(client.ClientId, cancellationToken) is { } application)
        {
            await applications.DeleteAsync(application, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .Replace('+', '-').Replace('/', '_').TrimEnd('=');
}
