using System.Security.Claims;
using Imsa.Network.Access;

namespace Imsa.Network.Partners.Endpoints;

/// <summary>
/// The organisation's administration — its people, API clients, credentials, profile, capacity and webhooks — is for
/// its systems (API clients act for the whole organisation) and its organisation-admins; a counsellor's token is
/// refused there (403). Coordinators keep what the endpoints allow them.
/// </summary>
internal static class Administration
{
    public static TBuilder ForAdministrators<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(PersonPolicies.Administration);

    /// <summary>What <see cref="PersonPolicies.Administration"/> lets through: an API client, an organisation-admin or a coordinator.</summary>
    public static bool MayAdminister(this ClaimsPrincipal user) =>
        user.PersonIdOrNull() is null || user.IsInRole(NetworkPersonRoles.OrganisationAdmin) || user.IsInRole(NetworkRoles.Coordinator);
}
