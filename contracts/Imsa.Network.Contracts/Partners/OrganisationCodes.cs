namespace Imsa.Network.Contracts.Partners;

/// <summary>The kinds of organisation, as events and APIs spell them.</summary>
public static class OrganisationKinds
{
    public const string OriginPartner = "origin-partner";
    public const string TransitPartner = "transit-partner";
    public const string ReceivingService = "receiving-service";
    public const string Coordinator = "coordinator";

    public static readonly IReadOnlyList<string> All = [OriginPartner, TransitPartner, ReceivingService, Coordinator];
}

/// <summary>An organisation's lifecycle statuses, as events and APIs spell them.</summary>
public static class OrganisationStatuses
{
    public const string PendingVerification = "pending-verification";
    public const string Active = "active";
    public const string Suspended = "suspended";
    public const string Retired = "retired";

    public static readonly IReadOnlyList<string> All = [PendingVerification, Active, Suspended, Retired];
}
