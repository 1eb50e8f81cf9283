using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Identity;

/// <summary>Why an enrolment step did not happen; nothing was changed, except a wrong code counted towards the lockout.</summary>
internal sealed record EnrolmentRefusal(int Status, IReadOnlyDictionary<string, string[]>? Errors = null, string? Detail = null, TimeSpan? RetryAfter = null)
{
    public static EnrolmentRefusal Invalid(string field, params string[] messages) => new(StatusCodes.Status422UnprocessableEntity, new Dictionary<string, string[]> { [field] = messages });

    /// <summary>The code is unknown, used, cancelled or expired, or the organisation cannot take people now: all alike.</summary>
    public static readonly EnrolmentRefusal NoInvitation = new(StatusCodes.Status404NotFound);
}

/// <summary>What the enrolment page shows before step 1: who invites, and the name the invitation gave, if any.</summary>
internal sealed record EnrolmentInvitation(string Organisation, string? DisplayName);

/// <summary>Step 1's outcome: the person (enrolling) and the authenticator key to add, shown to them only.</summary>
internal sealed record EnrolmentKey(Person Person, string Key, string Uri);

/// <summary>
/// A person's enrolment with their invitation code, the same for the API (`/people/enrolment`) and the pages the
/// invitation mail links to (`/enrol`): a password, then an authenticator confirmed by one of its codes, then ten
/// recovery codes. The invitation code is the proof throughout; it is void once the person is active.
/// </summary>
internal sealed class Enrolment(PartnersDbContext db, UserManager<Person> people, TimeProvider time)
{
    public const string PasswordRule = "A password of 15 to 128 characters; any characters, no other rules. A passphrase of several words is good.";

    public const string NameRule = "A name of 1 to 200 characters is required (when the invitation gave one, it is kept if none is sent).";

    /// <summary>
    /// Step 1: the person's name (the invitation's, unless they give another) and password; answers the
    /// authenticator key (a new one each time it is asked).
    /// </summary>
    public async Task<(EnrolmentKey? Key, EnrolmentRefusal? Refusal)> StartAsync(string? code, string? displayName, string? password, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (code is not { Length: > 0 and <= 100 })
        {
            errors["code"] = ["The code from the invitation mail is required."];
        }

        var name = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim();
        if (name is { Length: > 200 })
        {
            errors["displayName"] = [NameRule];
        }

        if (string.IsNullOrEmpty(password))
        {
            errors["password"] = [PasswordRule];
        }

        if (errors.Count > 0)
        {
            return (null, new EnrolmentRefusal(StatusCodes.Status422UnprocessableEntity, errors));
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var invitation = await OpenInvitationAsync(code!, now, cancellationToken);
        if (invitation is null)
        {
            return (null, EnrolmentRefusal.NoInvitation);
        }

        name ??= invitation.DisplayName;
        if (name is null)
        {
            return (null, EnrolmentRefusal.Invalid("displayName", NameRule));
        }

        var person = invitation.PersonId is { } personId ? await people.FindByIdAsync(personId.ToString()) : null;
        IdentityResult result;
        if (person is null)
        {
            person = new Person
            {
                Id = Guid.CreateVersion7(now),
                UserName = invitation.Email,
                Email = invitation.Email,
                // The address proved itself: the code arrived there.
                EmailConfirmed = true,
                OrganisationId = invitation.OrganisationId,
                Role = invitation.Role,
                DisplayName = name,
                CreatedAt = now,
            };
            result = await people.CreateAsync(person, password!);
        }
        else
        {
            person.DisplayName = name;
            result = await people.RemovePasswordAsync(person);
            if (result.Succeeded)
            {
                result = await people.AddPasswordAsync(person, password!);
            }
        }

        if (!result.Succeeded)
        {
            // Not committed: a password removed a moment ago comes back.
            return (null, result.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName")
                ? new EnrolmentRefusal(StatusCodes.Status409Conflict, Detail: "A person with this address has an account already.")
                : EnrolmentRefusal.Invalid("password", [PasswordRule, .. result.Errors.Select(e => e.Description)]));
        }

        invitation.Enrolling(person.Id);
        await people.ResetAuthenticatorKeyAsync(person);
        var key = await people.GetAuthenticatorKeyAsync(person) ?? throw new InvalidOperationException("No authenticator key was stored.");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (new EnrolmentKey(person, key, AuthenticatorUri(person, key)), null);
    }

    /// <summary>The key of an enrolment under way, to show again next to a wrong code; null when the code opens none.</summary>
    public async Task<EnrolmentKey?> KeyAsync(string? code, CancellationToken cancellationToken)
    {
        if (code is not { Length: > 0 and <= 100 })
        {
            return null;
        }

        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var invitation = await OpenInvitationAsync(code, time.GetUtcNow(), cancellationToken);
        var person = invitation?.PersonId is { } personId ? await people.FindByIdAsync(personId.ToString()) : null;
        var key = person is null ? null : await people.GetAuthenticatorKeyAsync(person);
        return person is null || key is null ? null : new EnrolmentKey(person, key, AuthenticatorUri(person, key));
    }

    /// <summary>Step 2: the authenticator's current code activates the person; answers their ten recovery codes, shown this once.</summary>
    public async Task<(IReadOnlyList<string>? RecoveryCodes, Person? Person, EnrolmentRefusal? Refusal)> ConfirmAsync(
        string? code, string? totp, CancellationToken cancellationToken)
    {
        if (code is not { Length: > 0 and <= 100 } || totp is not { Length: > 0 and <= 10 })
        {
            return (null, null, EnrolmentRefusal.Invalid(
                code is not { Length: > 0 and <= 100 } ? "code" : "totp", "The invitation code and the authenticator's current code are required."));
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var invitation = await OpenInvitationAsync(code, now, cancellationToken);
        var person = invitation?.PersonId is { } personId ? await people.FindByIdAsync(personId.ToString()) : null;
        if (invitation is null || person is null)
        {
            return (null, null, EnrolmentRefusal.NoInvitation);
        }

        if (await people.IsLockedOutAsync(person))
        {
            return (null, person, new EnrolmentRefusal(
                StatusCodes.Status429TooManyRequests, Detail: "Too many wrong codes.", RetryAfter: (await people.GetLockoutEndDateAsync(person) ?? now) - now));
        }

        if (!await people.VerifyTwoFactorTokenAsync(person, PeopleIdentity.Authenticator, totp))
        {
            // Counted, and kept: the refusal changes nothing else.
            await people.AccessFailedAsync(person);
            await transaction.CommitAsync(cancellationToken);
            return (null, person, EnrolmentRefusal.Invalid("totp", "This code does not match: enter the authenticator's current code (each code works once)."));
        }

        await people.SetTwoFactorEnabledAsync(person, true);
        var recoveryCodes = (await people.GenerateNewTwoFactorRecoveryCodesAsync(person, 10))?.ToList() ?? [];
        person.ActivatedAt = now;
        await people.UpdateAsync(person);
        await people.ResetAccessFailedCountAsync(person);
        invitation.Redeem(now);
        db.CredentialEvents.Add(CredentialEvent.Of(
            person.OrganisationId, "person-enrolled", now, new CredentialActor(person.OrganisationId, null, person.Id), invitationId: invitation.Id, personId: person.Id));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (recoveryCodes, person, null);
    }

    /// <summary>The organisation's name and the name the invitation gave, for the enrolment page; null when the code opens no invitation.</summary>
    public async Task<EnrolmentInvitation?> InvitationAsync(string? code, CancellationToken cancellationToken)
    {
        if (code is not { Length: > 0 and <= 100 })
        {
            return null;
        }

        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var invitation = await OpenInvitationAsync(code, time.GetUtcNow(), cancellationToken);
        return invitation is null
            ? null
            : await db.Organisations.Where(o => o.Id == invitation.OrganisationId)
                .Select(o => new EnrolmentInvitation(o.Name, invitation.DisplayName))
                .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The otpauth URI authenticator apps read from a QR code.</summary>
    private static string AuthenticatorUri(Person person, string key)
    {
        var label = Uri.EscapeDataString($"IMSA Network:{person.Email}");
        return $"otpauth://totp/{label}?secret={key}&issuer={Uri.EscapeDataString("IMSA Network")}&digits=6&period=30";
    }

    /// <summary>The open invitation the code belongs to, locked for this transaction; null for any other code.</summary>
    private async Task<PersonInvitation?> OpenInvitationAsync(string code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hash = OneTimeInvitation.Hash(code);
        var invitation = await db.PersonInvitations
            .FromSql($"SELECT * FROM identity.person_invitations WHERE code_hash = {hash} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        return invitation is not null
               && invitation.StatusAt(now) == InvitationStatus.Open
               && await db.Organisations.AnyAsync(
                   o => o.Id == invitation.OrganisationId && (o.Status == OrganisationStatus.PendingVerification || o.Status == OrganisationStatus.Active),
                   cancellationToken)
            ? invitation
            : null;
    }
}
