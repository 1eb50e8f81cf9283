namespace Imsa.Network.Contracts.Partners;

// The organisation lifecycle: pending-verification → active ⇄ suspended; retired. Each change carries the
// organisation's status version (it grows by one with every status change), so a consumer that receives the
// events out of order keeps the newest status.

/// <summary>A coordinator verified the organisation; it is active.</summary>
public sealed record OrganisationVerified(Guid OrganisationId, long StatusVersion, DateTimeOffset At);

/// <summary>A coordinator suspended the organisation: its tokens are refused network-wide.</summary>
public sealed record OrganisationSuspended(Guid OrganisationId, long StatusVersion, DateTimeOffset At);

/// <summary>A coordinator reinstated a suspended organisation; it is active again.</summary>
public sealed record OrganisationReinstated(Guid OrganisationId, long StatusVersion, DateTimeOffset At);

/// <summary>A coordinator retired the organisation for good: its tokens are refused network-wide.</summary>
public sealed record OrganisationRetired(Guid OrganisationId, long StatusVersion, DateTimeOffset At);

/// <summary>An API client of the organisation was revoked: tokens issued to it are refused network-wide.</summary>
public sealed record ApiClientRevoked(Guid OrganisationId, string ClientId, DateTimeOffset At);
