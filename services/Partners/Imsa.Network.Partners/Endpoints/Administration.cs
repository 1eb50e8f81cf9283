using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.Partners.Domain;

namespace Imsa.Network.Partners.Endpoints;

/// <summary>
/// The organisation's administration — its people, API clients, credentials, profile, capacity and webhooks — is for
/// its systems (API clients act for the whole organisation) and its organisation-admins; a counsellor's token is
/// refused there (403). Coordinators keep what the endpoints allow them.
/// </summary>
internal static class Administration
{
    public static TBuilder ForAdministrators<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.User.MayAdminister()
                ? await next(context)
                : TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "This is for the organisation's admins.",
                    detail: "The organisation's people, API clients, profile, capacity and webhooks are managed by its organisation-admins."));
        return builder;
    }

    /// <summary>An API client, an organisation-admin or a coordinator; not a counsellor.</summary>
    public static bool MayAdminister(this ClaimsPrincipal user) =>
        user.PersonIdOrNull() is null || user.IsInRole(PersonRoles.OrganisationAdmin) || user.IsInRole(NetworkRoles.Coordinator);
}
