using Microsoft.AspNetCore.Authorization;

namespace Imsa.Network.Access;

/// <summary>
/// The role a person holds within their organisation: the second "role" of a person's token, beside the role of the
/// organisation's kind (<see cref="NetworkRoles"/>). API clients have none: they act for the whole organisation.
/// </summary>
public static class NetworkPersonRoles
{
    /// <summary>Cases, consent, handovers, dossiers: the counselling work of a partner or a receiving service.</summary>
    public const string Counsellor = "counsellor";

    /// <summary>The organisation's people, API clients, profile, capacity and webhooks, and its activity.</summary>
    public const string OrganisationAdmin = "organisation-admin";

    /// <summary>A person of the coordination office.</summary>
    public const string Coordinator = "coordinator";

    public static readonly IReadOnlyList<string> All = [Counsellor, OrganisationAdmin, Coordinator];
}

/// <summary>
/// Policies on what a person's role within the organisation lets them do. Each passes every API client (it has no
/// person role) and a person with one of the roles it names; the organisation-kind policies (<see cref="NetworkRoles"/>)
/// still apply beside them.
/// </summary>
public static class PersonPolicies
{
    /// <summary>Cases, consent, handovers and dossiers: API clients and counsellors (an organisation-admin gets 403).</summary>
    public const string CaseWork = "person:case-work";

    /// <summary>
    /// The organisation's administration — its people, API clients, credentials, profile, capacity, webhooks and its
    /// activity: API clients, its organisation-admins, and coordinators (as far as the endpoint lets them).
    /// </summary>
    public const string Administration = "person:administration";

    /// <summary>What is a person's own (their notifications, their settings): a person's token only; an API client gets 403.</summary>
    public const string SignedInPerson = "signed-in-person";
}

/// <summary>Met by an API client's token, or by a person's token that carries one of <see cref="Roles"/>.</summary>
public sealed class PersonRoleRequirement(params string[] roles) : AuthorizationHandler<PersonRoleRequirement>, IAuthorizationRequirement
{
    public IReadOnlyList<string> Roles { get; } = roles;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PersonRoleRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true && (user.PersonIdOrNull() is null || requirement.Roles.Any(user.IsInRole)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
