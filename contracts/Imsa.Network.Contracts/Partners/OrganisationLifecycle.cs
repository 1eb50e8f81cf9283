namespace Imsa.Network.Contracts.Partners;

// The organisation lifecycle: pending-verification → active ⇄ suspended; retired. Each change carries the
// organisation's status version (it grows by one with every status change), so a consumer that receives the
// events out of order keeps the newest status.

/// <summary>What every change of an organisation's lifecycle status says, whichever change it is.</summary>
public interface IOrganisationLifecycleEvent
{
    Guid OrganisationId { get; }

    /// <summary>The organisation's status after the change (<see cref="OrganisationStatuses"/>).</summary>
    string Status { get; }

    /// <summary>Grows by one with every status change: the newest version wins, whatever the arrival order.</summary>
    long StatusVersion { get; }

    DateTimeOffset At { get; }
}

/// <summary>A coordinator verified the organisation; it is active.</summary>
public sealed record OrganisationVerified(Guid OrganisationId, long StatusVersion, DateTimeOffset At) : IOrganisationLifecycleEvent
{
    public string Status => OrganisationStatuses.Active;
}

/// <summary>A coordinator suspended the organisation: its tokens are refused network-wide.</summary>
public sealed record OrganisationSuspended(Guid OrganisationId, long StatusVersion, DateTimeOffset At) : IOrganisationLifecycleEvent
{
    public string Status => OrganisationStatuses.Suspended;
}

/// <summary>A coordinator reinstated a suspended organisation; it is active again.</summary>
public sealed record OrganisationReinstated(Guid OrganisationId, long StatusVersion, DateTimeOffset At) : IOrganisationLifecycleEvent
{
    public string Status => OrganisationStatuses.Active;
}

/// <summary>A coordinator retired the organisation for good: its tokens are refused network-wide.</summary>
public sealed record OrganisationRetired(Guid OrganisationId, long StatusVersion, DateTimeOffset At) : IOrganisationLifecycleEvent
{
    public string Status => OrganisationStatuses.Retired;
}

/// <summary>An API client of the organisation was revoked: tokens issued to it are refused network-wide.</summary>
public sealed record ApiClientRevoked(Guid OrganisationId, string ClientId, DateTimeOffset At);

/// <summary>
/// A person (a counsellor, an organisation admin or a coordinator) was deactivated by their organisation, or left:
/// tokens naming them are refused network-wide. Ids only: a person's name and address never leave Partners.
/// </summary>
public sealed record PersonDeactivated(Guid OrganisationId, Guid PersonId, DateTimeOffset At);
