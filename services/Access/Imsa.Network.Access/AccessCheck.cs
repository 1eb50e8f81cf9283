using System.Collections.Concurrent;
using Imsa.Network.Contracts.Partners;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Access;

/// <summary>
/// Whether a token's organisation, client or person has been suspended, retired, revoked or deactivated, from this
/// service's own projection. Answers are reused for <see cref="NetworkIdentityOptions.RevocationCacheDuration"/>, so
/// a busy service does not ask its database on each request; a request answered from there leases no DbContext, and
/// concurrent requests that miss the same answer share one query.
/// </summary>
public sealed class AccessCheck(IServiceScopeFactory scopes, IMemoryCache cache, IOptions<NetworkIdentityOptions> options)
{
    private readonly ConcurrentDictionary<Caller, Lazy<Task<bool>>> _reading = new();

    public ValueTask<bool> IsDeniedAsync(Guid organisationId, string? clientId, Guid? personId, CancellationToken cancellationToken)
    {
        var caller = new Caller(organisationId, clientId, personId);
        return cache.TryGetValue(caller, out bool denied)
            ? ValueTask.FromResult(denied)
            : new ValueTask<bool>(ReadSharedAsync(caller, cancellationToken));
    }

    private Task<bool> ReadSharedAsync(Caller caller, CancellationToken cancellationToken)
    {
        // The query is not the first caller's to cancel: the others wait for the same answer.
        var reading = _reading.GetOrAdd(caller, key => new Lazy<Task<bool>>(() => ReadAsync(key)));
        return reading.Value.WaitAsync(cancellationToken);
    }

    private async Task<bool> ReadAsync(Caller caller)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DbContext>();
            // One statement for the three questions.
            var denied = await db.Database.SqlQuery<bool>($"""
                SELECT EXISTS (SELECT 1 FROM access.organisation_access
                               WHERE organisation_id = {caller.OrganisationId}
                                 AND status IN ({OrganisationStatuses.Suspended}, {OrganisationStatuses.Retired}))
                    OR EXISTS (SELECT 1 FROM access.revoked_clients WHERE client_id = {caller.ClientId ?? ""})
                    OR EXISTS (SELECT 1 FROM access.deactivated_people WHERE person_id = {caller.PersonId ?? Guid.Empty}) AS "Value"
                """).SingleAsync();
            cache.Set(caller, denied, options.Value.RevocationCacheDuration);
            return denied;
        }
        finally
        {
            _reading.TryRemove(caller, out _);
        }
    }

    /// <summary>The cache's key: private, so no other entry of the shared memory cache can collide with it.</summary>
    private readonly record struct Caller(Guid OrganisationId, string? ClientId, Guid? PersonId);
}
