using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Access;

/// <summary>
/// Whether a token's organisation, client or person has been suspended, retired, revoked or deactivated, from this
/// service's own projection; answers are reused for a second or two so a busy service does not ask its database each request.
/// </summary>
public sealed class AccessCheck(DbContext db, IMemoryCache cache, IOptions<NetworkIdentityOptions> options)
{
    public async Task<bool> IsDeniedAsync(Guid organisationId, string? clientId, Guid? personId, CancellationToken cancellationToken)
    {
        var denied = await cache.GetOrCreateAsync((typeof(AccessCheck), organisationId, clientId, personId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = options.Value.RevocationCacheDuration;
            var organisationDenied = await db.Set<OrganisationAccess>()
                .Where(a => a.OrganisationId == organisationId)
                .AnyAsync(OrganisationAccess.Barred, cancellationToken);
            return organisationDenied
                || (clientId is not null && await db.Set<RevokedClient>().AnyAsync(c => c.ClientId == clientId, cancellationToken))
                || (personId is not null && await db.Set<DeactivatedPerson>().AnyAsync(p => p.PersonId == personId, cancellationToken));
        });
        return denied;
    }
}
