namespace Imsa.Network.Partners.Domain;

/// <summary>
/// A one-time, expiring invitation for an organisation to create its first API client itself. A coordinator issues
/// it; the code goes by mail to the organisation's own contact address and nowhere else — the coordinator sees that
/// the invitation exists, never its code, and never the secret of the client it becomes. Only the code's hash is
/// stored; the invitation is void once redeemed, cancelled, superseded by a newer one, or expired.
/// </summary>
internal sealed class Invitation : OneTimeInvitation
{
    /// <summary>Where the code was sent (the organisation's contact address when it was issued).</summary>
    public string SentTo { get; private set; } = "";

    /// <summary>The API client the organisation created with it.</summary>
    public string? RedeemedClientId { get; private set; }

    /// <summary>A new invitation and its code (to be sent, never stored or shown to the issuer).</summary>
    public static (Invitation Invitation, string Code) Issue(
        Guid organisationId, string sentTo, Guid issuedByOrganisationId, string? issuedByClientId, DateTimeOffset now, TimeSpan validFor)
    {
        var invitation = new Invitation { SentTo = sentTo };
        var code = invitation.Open(organisationId, issuedByOrganisationId, issuedByClientId, now, validFor);
        return (invitation, code);
    }

    public void Redeem(string clientId, DateTimeOffset now)
    {
        MarkRedeemed(now);
        RedeemedClientId = clientId;
    }
}

/// <summary>Who acts on credentials: an organisation (itself or a coordinator), its API client and the person, if one; <see cref="Service"/> for the service itself.</summary>
internal sealed record CredentialActor(Guid? OrganisationId, string? ClientId, Guid? PersonId = null)
{
    public static readonly CredentialActor Service = new(null, null);
}

/// <summary>
/// One event in the life of an organisation's credentials — an invitation issued, cancelled or redeemed; an API
/// client created, its secret rotated, revoked; a client locked out after failed authentications — with who did it.
/// The organisation lists its own (GET /organisations/{id}/credential-events), so nothing done to its credentials
/// by anyone, a coordinator included, goes unseen by it. Never a secret or a code.
/// </summary>
internal sealed class CredentialEvent
{
    public long Id { get; private set; }

    public Guid OrganisationId { get; private set; }

    public DateTimeOffset At { get; private set; }

    /// <summary>invitation-issued, invitation-cancelled, invitation-redeemed, client-created, client-rotated, client-revoked, client-locked-out.</summary>
    public string Kind { get; private set; } = "";

    public string? ClientId { get; private set; }

    public Guid? InvitationId { get; private set; }

    /// <summary>The person concerned, for a person's events (invited, enrolled, signed in, locked out, deactivated).</summary>
    public Guid? PersonId { get; private set; }

    /// <summary>The organisation that acted (itself, or a coordinator organisation), its API client, and the person; null for the service itself.</summary>
    public Guid? ActorOrganisationId { get; private set; }

    public string? ActorClientId { get; private set; }

    public Guid? ActorPersonId { get; private set; }

    public string? Reason { get; private set; }

    public static CredentialEvent Of(
        Guid organisationId, string kind, DateTimeOffset at, CredentialActor actor,
        string? clientId = null, Guid? invitationId = null, string? reason = null, Guid? personId = null) => new()
        {
            OrganisationId = organisationId,
            Kind = kind,
            At = at,
            ActorOrganisationId = actor.OrganisationId,
            ActorClientId = actor.ClientId,
            ActorPersonId = actor.PersonId,
            PersonId = personId,
            ClientId = clientId,
            InvitationId = invitationId,
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim()[..Math.Min(reason.Trim().Length, 500)],
        };
}
