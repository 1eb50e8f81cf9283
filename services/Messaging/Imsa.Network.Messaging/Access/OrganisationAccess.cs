namespace Imsa.Network.Messaging.Access;

/// <summary>
/// What a service knows of an organisation's standing, projected from the Partners lifecycle events; a suspended
/// or retired organisation's tokens are refused.
/// </summary>
public sealed class OrganisationAccess
{
    public Guid OrganisationId { get; set; }

    public required string Status { get; set; }

    /// <summary>The newest status version seen; an older event arriving late changes nothing.</summary>
    public long StatusVersion { get; set; }

    public DateTimeOffset ChangedAt { get; set; }
}

/// <summary>An API client whose tokens are refused.</summary>
public sealed class RevokedClient
{
    public required string ClientId { get; set; }

    public Guid OrganisationId { get; set; }

    public DateTimeOffset RevokedAt { get; set; }
}
