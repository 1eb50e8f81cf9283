using System.Security.Cryptography;
using System.Text;

namespace Imsa.Network.Partners.Domain;

/// <summary>
/// A one-time, expiring invitation for an organisation to create its first API client itself. A coordinator issues
/// it; the code goes by mail to the organisation's own contact address and nowhere else — the coordinator sees that
/// the invitation exists, never its code, and never the secret of the client it becomes. Only the code's hash is
/// stored; the invitation is void once redeemed, cancelled, superseded by a newer one, or expired.
/// </summary>
internal sealed class Invitation
{
    public Guid Id { get; private set; }

    public Guid OrganisationId { get; private set; }

    /// <summary>SHA-256 of the code: 256 random bits, so a plain hash is enough to make a stolen table useless.</summary>
    public byte[] CodeHash { get; private set; } = [];

    /// <summary>Where the code was sent (the organisation's contact address when it was issued).</summary>
    public string SentTo { get; private set; } = "";

    public DateTimeOffset IssuedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>The coordinator organisation and API client that issued it.</summary>
    public Guid IssuedByOrganisationId { get; private set; }

    public string? IssuedByClientId { get; private set; }

    public DateTimeOffset? RedeemedAt { get; private set; }

    /// <summary>The API client the organisation created with it.</summary>
    public string? RedeemedClientId { get; private set; }

    public DateTimeOffset? VoidedAt { get; private set; }

    public InvitationStatus StatusAt(DateTimeOffset now) =>
        RedeemedAt is not null ? InvitationStatus.Redeemed
        : VoidedAt is not null ? InvitationStatus.Cancelled
        : now >= ExpiresAt ? InvitationStatus.Expired
        : InvitationStatus.Open;

    /// <summary>A new invitation and its code (to be sent, never stored or shown to the issuer).</summary>
    public static (Invitation Invitation, string Code) Issue(
        Guid organisationId, string sentTo, Guid issuedByOrganisationId, string? issuedByClientId, DateTimeOffset now, TimeSpan validFor)
    {
        var code = NewCode();
        return (new Invitation
        {
            Id = Guid.CreateVersion7(now),
            OrganisationId = organisationId,
            CodeHash = Hash(code),
            SentTo = sentTo,
            IssuedAt = now,
            ExpiresAt = now + validFor,
            IssuedByOrganisationId = issuedByOrganisationId,
            IssuedByClientId = issuedByClientId,
        }, code);
    }

    /// <summary>256 random bits, base64url: a code nobody guesses.</summary>
    public static string NewCode() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    public static byte[] Hash(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code.Trim()));

    public void Redeem(string clientId, DateTimeOffset now)
    {
        if (StatusAt(now) != InvitationStatus.Open)
        {
            throw new InvalidOperationException($"The invitation is {StatusAt(now)}.");
        }

        RedeemedAt = now;
        RedeemedClientId = clientId;
    }

    /// <summary>Cancelled by a coordinator or the organisation, or superseded by a newer invitation.</summary>
    public void Void(DateTimeOffset now) => VoidedAt ??= now;
}

public enum InvitationStatus
{
    Open,
    Redeemed,
    Cancelled,
    Expired,
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

    /// <summary>The organisation that acted (itself, or a coordinator organisation), and its API client; null for the service itself.</summary>
    public Guid? ActorOrganisationId { get; private set; }

    public string? ActorClientId { get; private set; }

    public string? Reason { get; private set; }

    public static CredentialEvent Of(
        Guid organisationId, string kind, DateTimeOffset at, Guid? actorOrganisationId, string? actorClientId,
        string? clientId = null, Guid? invitationId = null, string? reason = null) => new()
        {
            OrganisationId = organisationId,
            Kind = kind,
            At = at,
            ActorOrganisationId = actorOrganisationId,
            ActorClientId = actorClientId,
            ClientId = clientId,
            InvitationId = invitationId,
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim()[..Math.Min(reason.Trim().Length, 500)],
        };
}
