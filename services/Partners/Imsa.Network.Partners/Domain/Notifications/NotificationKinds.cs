namespace Imsa.Network.Partners.Domain.Notifications;

/// <summary>How a person wants a kind of notification: not at all, in a daily digest mail, or by mail at once.</summary>
/// <remarks>Ordered: an organisation's minimum is a lower bound on a person's choice. Both add the in-app list entry.</remarks>
public enum NotificationChoice
{
    Off = 0,
    Digest = 1,
    Immediate = 2,
}

/// <summary>
/// One kind of notification: whom it is for (a role, in organisations of some kinds) and what a person gets unless
/// they chose otherwise.
/// </summary>
/// <param name="Code">As the API and the settings name it.</param>
/// <param name="Role">The people of the concerned organisation who receive it (<see cref="PersonRoles"/>).</param>
/// <param name="OrganisationKinds">The organisations whose people it can concern.</param>
internal sealed record NotificationKind(string Code, string Role, IReadOnlyList<OrganisationKind> OrganisationKinds, NotificationChoice Default)
{
    /// <summary>Whether a person with <paramref name="role"/> in an organisation of <paramref name="kind"/> can receive it.</summary>
    public bool IsFor(string role, OrganisationKind kind) => OrganisationKinds.Contains(kind) && (Role == role || IsAdministration && role == PersonRoles.Coordinator && kind == OrganisationKind.Coordinator);

    /// <summary>About the organisation's own people: for its admins, and in the coordination office (which has no admins) for its coordinators.</summary>
    public bool IsAdministration => Role == PersonRoles.OrganisationAdmin;
}

/// <summary>
/// The kinds of notification (docs/api.md#notifications): those that ask someone to act or that they wait for. Each
/// goes to the people of the organisation concerned who have the kind's role.
/// </summary>
internal static class NotificationKinds
{
    private static readonly OrganisationKind[] Partners = [OrganisationKind.OriginPartner, OrganisationKind.TransitPartner];
    private static readonly OrganisationKind[] Receivers = [OrganisationKind.ReceivingService];
    private static readonly OrganisationKind[] Coordination = [OrganisationKind.Coordinator];

    private static readonly OrganisationKind[] Everyone =
        [OrganisationKind.OriginPartner, OrganisationKind.TransitPartner, OrganisationKind.ReceivingService, OrganisationKind.Coordinator];

    /// <summary>A receiving service has a new offer (or a reassigned one): HandoverOffered, HandoverReassigned.</summary>
    public static readonly NotificationKind OfferReceived = new("offer-received", PersonRoles.Counsellor, Receivers, NotificationChoice.Immediate);

    /// <summary>An offer is still unanswered a working day before it escalates: HandoverAnswerDueSoon.</summary>
    public static readonly NotificationKind OfferDueSoon = new("offer-due-soon", PersonRoles.Counsellor, Receivers, NotificationChoice.Immediate);

    /// <summary>The origin's handover was accepted: HandoverAccepted.</summary>
    public static readonly NotificationKind HandoverAccepted = new("handover-accepted", PersonRoles.Counsellor, Partners, NotificationChoice.Immediate);

    /// <summary>The origin's handover was declined, with the coded reason: HandoverDeclined.</summary>
    public static readonly NotificationKind HandoverDeclined = new("handover-declined", PersonRoles.Counsellor, Partners, NotificationChoice.Immediate);

    /// <summary>The origin withdrew a handover the receiver had: HandoverWithdrawn.</summary>
    public static readonly NotificationKind HandoverWithdrawn = new("handover-withdrawn", PersonRoles.Counsellor, Receivers, NotificationChoice.Immediate);

    /// <summary>A handover ended because its legal ground did (consent, erasure): HandoverRevoked, to both sides.</summary>
    public static readonly NotificationKind HandoverRevoked = new("handover-revoked", PersonRoles.Counsellor, [.. Partners, .. Receivers], NotificationChoice.Immediate);

    /// <summary>The receiver reported what happened after arrival (first contact, did not arrive, …): HandoverOutcomeRecorded.</summary>
    public static readonly NotificationKind HandoverOutcome = new("handover-outcome", PersonRoles.Counsellor, Partners, NotificationChoice.Digest);

    /// <summary>No first contact some weeks after arrival: HandoverFollowUpDue, to both sides.</summary>
    public static readonly NotificationKind FollowUpDue = new("follow-up-due", PersonRoles.Counsellor, [.. Partners, .. Receivers], NotificationChoice.Digest);

    /// <summary>A consent of the organisation's case was withdrawn by the person or at a receiving service: ConsentWithdrawn.</summary>
    public static readonly NotificationKind ConsentWithdrawn = new("consent-withdrawn", PersonRoles.Counsellor, Partners, NotificationChoice.Immediate);

    /// <summary>A consent of the organisation's case ends by time soon: ConsentExpiring.</summary>
    public static readonly NotificationKind ConsentExpiring = new("consent-expiring", PersonRoles.Counsellor, Partners, NotificationChoice.Digest);

    /// <summary>An offer was not answered in time: HandoverEscalated, to the coordinators.</summary>
    public static readonly NotificationKind HandoverEscalated = new("handover-escalated", PersonRoles.Coordinator, Coordination, NotificationChoice.Immediate);

    /// <summary>An organisation registered and waits for verification: OrganisationRegistered, to the coordinators.</summary>
    public static readonly NotificationKind VerificationWaiting = new("verification-waiting", PersonRoles.Coordinator, Coordination, NotificationChoice.Digest);

    /// <summary>Someone invited a person to the organisation (its admins, except whoever invited).</summary>
    public static readonly NotificationKind PersonInvited = new("person-invited", PersonRoles.OrganisationAdmin, Everyone, NotificationChoice.Digest);

    /// <summary>Someone deactivated a person of the organisation (its admins, except whoever did it).</summary>
    public static readonly NotificationKind PersonDeactivated = new("person-deactivated", PersonRoles.OrganisationAdmin, Everyone, NotificationChoice.Immediate);

    public static readonly IReadOnlyList<NotificationKind> All =
    [
        OfferReceived, OfferDueSoon, HandoverAccepted, HandoverDeclined, HandoverWithdrawn, HandoverRevoked, HandoverOutcome, FollowUpDue,
        ConsentWithdrawn, ConsentExpiring, HandoverEscalated, VerificationWaiting, PersonInvited, PersonDeactivated,
    ];

    public static NotificationKind? Named(string? code) => All.FirstOrDefault(kind => kind.Code == code);

    /// <summary>The kinds a person with <paramref name="role"/> in an organisation of <paramref name="kind"/> can receive.</summary>
    public static IReadOnlyList<NotificationKind> For(string role, OrganisationKind kind) => [.. All.Where(k => k.IsFor(role, kind))];

    /// <summary>The kinds any of an organisation's people can receive: those its minimums apply to.</summary>
    public static IReadOnlyList<NotificationKind> For(OrganisationKind kind) => [.. All.Where(k => PersonRoles.All.Any(role => PersonRoles.FitsKind(role, kind) && k.IsFor(role, kind)))];

    /// <summary>The roles of an organisation of <paramref name="kind"/> that receive <paramref name="notification"/>.</summary>
    public static IReadOnlyList<string> RolesFor(NotificationKind notification, OrganisationKind kind) =>
        [.. PersonRoles.All.Where(role => PersonRoles.FitsKind(role, kind) && notification.IsFor(role, kind))];

    public static string Code(NotificationChoice choice) => choice switch
    {
        NotificationChoice.Immediate => "immediate",
        NotificationChoice.Digest => "digest",
        _ => "off",
    };

    public static NotificationChoice? Choice(string? code) => code switch
    {
        "immediate" => NotificationChoice.Immediate,
        "digest" => NotificationChoice.Digest,
        "off" => NotificationChoice.Off,
        _ => null,
    };
}
