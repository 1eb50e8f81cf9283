namespace Imsa.Network.Partners.Domain;

/// <summary>
/// A one-time, expiring invitation for a person to join their organisation: the code goes by mail to the person's
/// address only; only its hash is stored. The person enrols with it — a password, then an authenticator confirmed
/// by a code — and it is void once enrolment is complete, when cancelled, superseded, or expired.
/// </summary>
internal sealed class PersonInvitation : OneTimeInvitation
{
    /// <summary>The person's address (personal data of staff; in Partners only).</summary>
    public string Email { get; private set; } = "";

    public string Role { get; private set; } = "";

    /// <summary>The name the organisation gave, if any (personal data of staff, like the address): the person keeps or changes it at enrolment.</summary>
    public string? DisplayName { get; private set; }

    /// <summary>The person, once the first enrolment step has created them.</summary>
    public Guid? PersonId { get; private set; }

    public static (PersonInvitation Invitation, string Code) Issue(
        Guid organisationId, string email, string role, string? displayName, Guid issuedByOrganisationId, string? issuedByClientId, DateTimeOffset now,
        TimeSpan validFor)
    {
        var invitation = new PersonInvitation { Email = email, Role = role, DisplayName = displayName };
        var code = invitation.Open(organisationId, issuedByOrganisationId, issuedByClientId, now, validFor);
        return (invitation, code);
    }

    public void Enrolling(Guid personId) => PersonId ??= personId;

    public void Redeem(DateTimeOffset now)
    {
        if (PersonId is null)
        {
            throw new InvalidOperationException("No one has enrolled with the invitation.");
        }

        MarkRedeemed(now);
    }
}
