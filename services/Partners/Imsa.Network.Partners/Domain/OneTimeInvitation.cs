using System.Security.Cryptography;
using System.Text;

namespace Imsa.Network.Partners.Domain;

/// <summary>
/// What every invitation shares — an organisation's (<see cref="Invitation"/>) and a person's
/// (<see cref="PersonInvitation"/>): a code of 256 random bits that goes by mail and is stored only as its hash,
/// who issued it, and its life: open until it expires, is redeemed, or is voided (cancelled, or superseded).
/// </summary>
internal abstract class OneTimeInvitation
{
    public Guid Id { get; protected set; }

    public Guid OrganisationId { get; protected set; }

    /// <summary>SHA-256 of the code: 256 random bits, so a plain hash is enough to make a stolen table useless.</summary>
    public byte[] CodeHash { get; protected set; } = [];

    public DateTimeOffset IssuedAt { get; protected set; }

    public DateTimeOffset ExpiresAt { get; protected set; }

    /// <summary>The organisation (a coordinator, or the organisation itself) and API client that issued it.</summary>
    public Guid IssuedByOrganisationId { get; protected set; }

    public string? IssuedByClientId { get; protected set; }

    public DateTimeOffset? RedeemedAt { get; protected set; }

    public DateTimeOffset? VoidedAt { get; protected set; }

    public InvitationStatus StatusAt(DateTimeOffset now) =>
        RedeemedAt is not null ? InvitationStatus.Redeemed
        : VoidedAt is not null ? InvitationStatus.Cancelled
        : now >= ExpiresAt ? InvitationStatus.Expired
        : InvitationStatus.Open;

    /// <summary>Cancelled by whoever may, or superseded by a newer invitation.</summary>
    public void Void(DateTimeOffset now) => VoidedAt ??= now;

    public static byte[] Hash(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code.Trim()));

    /// <summary>Fills in what every invitation has and returns its code (to be sent, never stored or shown to the issuer).</summary>
    protected string Open(Guid organisationId, Guid issuedByOrganisationId, string? issuedByClientId, DateTimeOffset now, TimeSpan validFor)
    {
        // 256 random bits, base64url: a code nobody guesses.
        var code = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        Id = Guid.CreateVersion7(now);
        OrganisationId = organisationId;
        CodeHash = Hash(code);
        IssuedAt = now;
        ExpiresAt = now + validFor;
        IssuedByOrganisationId = issuedByOrganisationId;
        IssuedByClientId = issuedByClientId;
        return code;
    }

    protected void MarkRedeemed(DateTimeOffset now)
    {
        if (StatusAt(now) != InvitationStatus.Open)
        {
            throw new InvalidOperationException($"The invitation is {StatusAt(now)}.");
        }

        RedeemedAt = now;
    }
}

public enum InvitationStatus
{
    Open,
    Redeemed,
    Cancelled,
    Expired,
}
