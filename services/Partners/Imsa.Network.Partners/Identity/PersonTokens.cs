using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Imsa.Network.Partners.Identity;

/// <summary>What a person's access token says: who (sub), for which organisation, in which roles, and how they signed in.</summary>
internal static class PersonTokens
{
    /// <summary>RFC 8176 methods: a password, then an authenticator's one-time code or a recovery code; or a passkey.</summary>
    public const string Password = "pwd";

    public const string OneTimeCode = "otp";

    public const string MultiFactor = "mfa";

    /// <summary>A passkey: proof of possession of a key (hardware or synced, RFC 8176 does not tell them apart), unlocked by the person.</summary>
    public const string ProofOfPossession = "pop";

    /// <summary>When the person last typed their password and code (seconds since 1970), in the sign-in session: max_age is measured from it.</summary>
    public const string AuthenticationTime = "auth_time";

    /// <summary>The sign-in session's claim (and the token's) that lists the methods.</summary>
    public const string MethodsClaim = NetworkClaims.AuthenticationMethods;

    /// <summary>
    /// The person, if they may have a token now: enrolled, not deactivated, and their organisation neither suspended
    /// nor retired. Checked when the code is issued and again when it is exchanged.
    /// </summary>
    public static async Task<(Person Person, Organisation Organisation)?> ActiveAsync(PartnersDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var person = await db.Users.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, cancellationToken);
        if (person is not { ActivatedAt: not null, DeactivatedAt: null })
        {
            return null;
        }

        var organisation = await db.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == person.OrganisationId, cancellationToken);
        return organisation is { MayAuthenticate: true } ? (person, organisation) : null;
    }

    /// <summary>
    /// Whether the application may sign this person in: the network's applications (SignIn:Clients) sign in anyone's
    /// people; an organisation's own system only that organisation's, and only while it is not revoked.
    /// </summary>
    public static async Task<bool> MayUseAsync(PartnersDbContext db, Person person, string? clientId, CancellationToken cancellationToken) =>
        await db.ApiClients.AsNoTracking().FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken) is not { } system
        || (system.OrganisationId == person.OrganisationId && system.RevokedAt is null);

    /// <summary>
    /// The claims of a person's access token: sub = the person, org and org_kind = their organisation, role = the
    /// organisation kind's role and the person's own, amr = how they signed in, client_id = the application they
    /// signed in to. Never their name or address: tokens travel to every service and into logs of proxies.
    /// </summary>
    public static ClaimsPrincipal Principal(Person person, Organisation organisation, IEnumerable<string> methods, string clientId, string audience)
    {
        var kind = EnumCodes.Of(organisation.Kind);
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, Claims.Role);
        identity.SetClaim(Claims.Subject, person.Id.ToString());
        identity.SetClaim(NetworkClaims.Organisation, organisation.Id.ToString());
        identity.SetClaim(NetworkClaims.OrganisationKind, kind);
        identity.SetClaims(Claims.Role, [.. new[] { NetworkRoles.ForKind(kind), person.Role }.Distinct(StringComparer.Ordinal)]);
        identity.SetClaims(NetworkClaims.AuthenticationMethods, [.. methods.Distinct(StringComparer.Ordinal)]);
        identity.SetClaim(Claims.ClientId, clientId);
        identity.SetResources(audience);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return new ClaimsPrincipal(identity);
    }
}
