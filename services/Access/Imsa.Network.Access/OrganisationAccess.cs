using System.Linq.Expressions;
using Imsa.Network.Contracts.Partners;

namespace Imsa.Network.Access;

/// <summary>
/// What a service knows of an organisation's standing, projected from the Partners lifecycle events; a suspended
/// or retired organisation's tokens are refused.
/// </summary>
public sealed class OrganisationAccess
{
    /// <summary>Suspended or retired: its tokens are refused, and it is offered nothing.</summary>
    public static readonly Expression<Func<OrganisationAccess, bool>> Barred =
        a => a.Status == OrganisationStatuses.Suspended || a.Status == OrganisationStatuses.Retired;

    public Guid OrganisationId { get; set; }

    /// <summary>active, suspended or retired (<see cref="OrganisationStatuses"/>).</summary>
    public required string Status { get; set; }

    /// <summary>The newest status version seen; an older event arriving late changes nothing.</summary>
    public long StatusVersion { get; set; }

    public DateTimeOffset ChangedAt { get; set; }

    public bool IsActive => Status == OrganisationStatuses.Active;
}

/// <summary>An API client whose tokens are refused.</summary>
public sealed class RevokedClient
{
    public required string ClientId { get; set; }

    public Guid OrganisationId { get; set; }

    public DateTimeOffset RevokedAt { get; set; }
}

/// <summary>A person whose tokens are refused: deactivated by their organisation's admin, or gone.</summary>
public sealed class DeactivatedPerson
{
    public Guid PersonId { get; set; }

    public Guid OrganisationId { get; set; }

    public DateTimeOffset DeactivatedAt { get; set; }
}
