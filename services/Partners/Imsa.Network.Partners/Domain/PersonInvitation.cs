namespace Imsa.Network.Partners.Domain;

/// <summary>
/// A one-time, expiring invitation for a person to join their organisation: the code goes by mail to the person's
/// address only; only its hash is stored. The person enrols with it — a password, then an authenticator confirmed
/// by a code — and it is void once enrolment is complete, when cancelled, superseded, or expired.
/// </summary>
internal sealed class PersonInvitation
{
    public Guid Id { get; private set; }

    public Guid OrganisationId { get; private set; }

    /// <summary>The person's address (personal data of staff; in Partners only).</summary>
    public string Email { get; private set; } = "";

    public string Role { get; private set; } = "";

    public byte[] CodeHash { get; private set; } = [];

    public DateTimeOffset IssuedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>The organisation (itself, or a coordinator for a first admin) and API client that invited.</summary>
    public Guid IssuedByOrganisationId { get; private set; }

    public string? IssuedByClientId { get; private set; }

    /// <summary>The person, once the first enrolment step has created them.</summary>
    public Guid? PersonId { get; private set; }

    public DateTimeOffset? RedeemedAt { get; private set; }

    public DateTimeOffset? VoidedAt { get; private set; }

    public InvitationStatus StatusAt(DateTimeOffset now) =>
        RedeemedAt is not null ? InvitationStatus.Redeemed
        : VoidedAt is not null ? InvitationStatus.Cancelled
        : now >= ExpiresAt ? InvitationStatus.Expired
        : InvitationStatus.Open;

    public static (PersonInvitation Invitation, string Code) Issue(
        Guid organisationId, string email, string role, Guid issuedByOrganisationId, string? issuedByClientId, DateTimeOffset now, TimeSpan validFor)
    {
        var code = Invitation.NewCode();
        return (new PersonInvitation
        {
            Id = Guid.CreateVersion7(now),
            OrganisationId = organisationId,
            Email = email,
            Role = role,
            CodeHash = Invitation.Hash(code),
            IssuedAt = now,
            ExpiresAt = now + validFor,
            IssuedByOrganisationId = issuedByOrganisationId,
            IssuedByClientId = issuedByClientId,
        }, code);
    }

    public void Enrolling(Guid personId) => PersonId ??= personId;

    public void Redeem(DateTimeOffset now)
    {
        if (StatusAt(now) != InvitationStatus.Open || PersonId is null)
        {
            throw new InvalidOperationException($"The invitation is {StatusAt(now)}.");
        }

        RedeemedAt = now;
    }

    public void Void(DateTimeOffset now) => VoidedAt ??= now;
}
