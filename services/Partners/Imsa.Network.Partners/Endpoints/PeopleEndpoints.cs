using System.Globalization;
using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.Contracts.Partners;
using Imsa.Network.Messaging.Outbox;
using Imsa.Network.Operations;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Domain.Notifications;
using Imsa.Network.Partners.Identity;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Endpoints;

/// <param name="Email">The person's own work address: the invitation goes there.</param>
/// <param name="Role">counsellor or organisation-admin (coordinator for the coordination office's people).</param>
/// <param name="DisplayName">Optional: how colleagues will see the person, e.g. "Amal Haddad"; they keep or change it when they enrol. The organisation's own invitations only.</param>
/// <param name="Language">Optional: the language the enrolment pages open in — de, en, fr or ar; without it, the person's browser decides.</param>
public sealed record InvitePersonRequest(string? Email, string? Role, string? DisplayName = null, string? Language = null);

/// <summary>A person's invitation; the address and the name given only to the organisation itself (and to whoever just issued it).</summary>
public sealed record PersonInvitationResponse(
    Guid Id, Guid OrganisationId, string? Email, string Role, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, InvitationStatus Status, string? DisplayName);

/// <param name="Role">counsellor or organisation-admin (coordinator for the coordination office's people).</param>
public sealed record ChangeRoleRequest(string? Role);

/// <summary>A person as their organisation sees them; a coordinator sees the id, role and status only.</summary>
public sealed record PersonResponse(Guid Id, string Role, string Status, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, string? DisplayName, string? Email);

/// <param name="Code">The invitation code from the mail.</param>
/// <param name="DisplayName">How colleagues see the person, e.g. "Amal Haddad"; may be left out when the invitation gave a name, which is kept then.</param>
/// <param name="Password">At least 15 and at most 128 characters, any characters; no other rules.</param>
public sealed record EnrolmentRequest(string? Code, string? DisplayName, string? Password);

/// <summary>The authenticator to add: the key, or the otpauth URI as a QR code. Shown to the person only, this once.</summary>
public sealed record EnrolmentStarted(Guid PersonId, string AuthenticatorKey, string AuthenticatorUri);

/// <param name="Totp">The current six-digit code of the authenticator just added.</param>
public sealed record EnrolmentConfirmation(string? Code, string? Totp);

/// <summary>The person's recovery codes, each good once when the authenticator is lost: shown this once.</summary>
public sealed record EnrolmentCompleted(Guid PersonId, IReadOnlyList<string> RecoveryCodes);

/// <summary>
/// People of an organisation: invited by the organisation (its first admin by a coordinator), enrolled by themselves
/// with a password and an authenticator — multi-factor authentication from the first day.
/// </summary>
internal static class PeopleEndpoints
{
    public static IEndpointRouteBuilder MapPeopleEndpoints(this IEndpointRouteBuilder app)
    {
        var organisation = app.MapGroup("/organisations/{id:guid}/people").WithTags("People");

        organisation.MapPost("/invitations", InviteAsync)
            .ForAdministrators()
            .WithSummary("Invite a person to the organisation")
            .WithDescription("The organisation itself; a coordinator only the first organisation-admin of an organisation that has no people yet, "
                + "at the organisation's contact address (audited), and without a name. Mails a one-time link to the person's address, in the language "
                + "given (its pages then open in it); the answer never contains the code. The name given, if any, is the person's until they change it "
                + "at enrolment. A newer invitation to the same address voids an open one.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        organisation.MapGet("/invitations", ListInvitationsAsync)
            .ForAdministrators()
            .WithSummary("List the organisation's open invitations of people")
            .WithDescription("Those neither redeemed nor cancelled nor expired, newest first; never a code. The organisation itself sees the address "
                + "and the name given; a coordinator the ids, roles and dates only.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        organisation.MapDelete("/invitations/{invitationId:guid}", CancelInvitationAsync)
            .ForAdministrators()
            .WithSummary("Cancel a person's open invitation")
            .WithDescription("The organisation itself, or a coordinator (audited). Its code answers 404 at enrolment from then on; an enrolment "
                + "begun with it ends there (the person, never active, is removed, so the address can be invited again). A credential event "
                + "(person-invitation-cancelled). An invitation no longer open is left as it is, and the answer is 204 all the same.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        organisation.MapPut("/{personId:guid}/role", ChangeRoleAsync)
            .ForAdministrators()
            .WithSummary("Change a person's role")
            .WithDescription("The organisation itself: its organisation-admins and its systems (a coordinator: 403). counsellor or organisation-admin "
                + "(the coordination office's people are coordinators). The change takes effect with the person's next token — at their next sign-in "
                + "or token renewal, within 10 minutes —; a token already issued keeps the role it names until it expires. An organisation keeps at "
                + "least one active organisation-admin: taking the role from the last one, themselves included, answers 409, as does changing a "
                + "deactivated person's role. A credential event (person-role-changed, its reason naming both roles); no event is announced. "
                + "Asked again, it answers the person as they are.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        organisation.MapGet("/", ListAsync)
            .ForAdministrators()
            .WithSummary("List the organisation's people")
            .WithDescription("The organisation itself sees names and addresses; a coordinator the ids, roles and status only.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        organisation.MapPost("/{personId:guid}/deactivate", DeactivateAsync)
            .WithSummary("Deactivate a person")
            .WithDescription("By the organisation (its systems or an organisation-admin), by the person themselves when they leave, or by a coordinator "
                + "(audited). For good: the person cannot sign in again, and their current tokens are refused network-wide within seconds "
                + "(announces PersonDeactivated, ids only). What they did stays attributed to them. The organisation cannot deactivate its last active "
                + "organisation-admin (409: make another person admin first); a coordinator can. Asked again, it answers the person as they are.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var enrolment = app.MapGroup("/people/enrolment").WithTags("People").AllowAnonymous().KeepsNoAnswer();

        enrolment.MapPost("/", EnrolAsync)
            .WithGuessLimit(PartnersServices.InvitationRedemptions)
            .WithSummary("Enrol, step 1: a password, and an authenticator to add")
            .WithDescription("No token: the invitation code is the proof. Answers the authenticator key (and its otpauth URI), shown this once. "
                + "Asked again with the same code before step 2, it starts over with a new key. An unknown, used, cancelled or expired code answers 404.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        enrolment.MapPost("/confirm", ConfirmAsync)
            .WithGuessLimit(PartnersServices.InvitationRedemptions)
            .WithSummary("Enrol, step 2: confirm the authenticator with a code")
            .WithDescription("Activates the person and answers ten recovery codes, shown this once. A wrong code answers 422 and counts towards "
                + "the person's lockout (5 wrong codes: 15 minutes, 429). The invitation is void afterwards.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return app;
    }

    private static async Task<Results<Created<PersonInvitationResponse>, ProblemHttpResult>> InviteAsync(
        Guid id, InvitePersonRequest request, ClaimsPrincipal user, PartnersDbContext db, InvitationMail mail, IOptions<InvitationOptions> options,
        TimeProvider time, CancellationToken cancellationToken, string? reason = null)
    {
        var target = user.MaySee(id) ? await db.Organisations.FirstOrDefaultAsync(o => o.Id == id, cancellationToken) : null;
        if (target is null)
        {
            return Problems.NotFound("Organisation");
        }

        var own = user.OrganisationId() == id;
        if (!own && (request.Role != PersonRoles.OrganisationAdmin || await db.Users.AnyAsync(p => p.OrganisationId == id, cancellationToken)))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Only the organisation invites its people.",
                detail: "A coordinator invites the first organisation-admin of an organisation that has no people yet; that admin invites the others.");
        }

        var errors = new Dictionary<string, string[]>();
        if (!ContactEmails.IsValid(request.Email))
        {
            errors["email"] = [ContactEmails.Rule];
        }
        else if (!own && !string.Equals(request.Email!.Trim(), target.ContactEmail, StringComparison.OrdinalIgnoreCase))
        {
            // The same trust anchor as the organisation's first API client: its own address, which a coordinator
            // cannot change once the organisation has credentials, and whose every change the organisation sees.
            errors["email"] = ["A coordinator invites the first admin at the organisation's contact address (GET /organisations/{id}: contactEmail)."];
        }

        if (request.Role is not { } role || !PersonRoles.FitsKind(role, target.Kind))
        {
            errors["role"] = [RoleRule(target.Kind)];
        }

        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? null : request.DisplayName.Trim();
        if (displayName is { Length: > 200 })
        {
            errors["displayName"] = ["At most 200 characters; or none, and the person gives their name when they enrol."];
        }
        else if (displayName is not null && !own)
        {
            // Another organisation's staff are ids to a coordinator: the first admin names themselves.
            errors["displayName"] = ["A coordinator's invitation gives no name: the admin gives theirs when they enrol."];
        }

        var language = PersonLanguage.Named(request.Language);
        if (request.Language is not null && language is null)
        {
            errors["language"] = ["de, en, fr or ar; or none, and the person's browser decides."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        if (!target.MayAuthenticate)
        {
            return Problems.Conflict("A suspended or retired organisation cannot invite people.");
        }

        var email = request.Email!.Trim();
        var normalized = email.ToUpperInvariant();
        if (await db.Users.AnyAsync(p => p.NormalizedEmail == normalized, cancellationToken))
        {
            return Problems.Conflict("A person with this address has an account already.");
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        foreach (var open in await db.PersonInvitations
                     .Where(i => i.OrganisationId == id && i.Email == email && i.RedeemedAt == null && i.VoidedAt == null)
                     .ToListAsync(cancellationToken))
        {
            open.Void(now);
        }

        var actor = InvitationEndpoints.Actor(user);
        var (invitation, code) = PersonInvitation.Issue(id, email, request.Role!, displayName, actor.OrganisationId!.Value, actor.ClientId, now, options.Value.ValidFor);
        db.PersonInvitations.Add(invitation);
        db.CredentialEvents.Add(CredentialEvent.Of(id, "person-invited", now, actor, invitationId: invitation.Id, reason: reason));
        if (!own)
        {
            db.Record(user, "organisation.invite-admin", id.ToString(), reason, time);
        }

        // The organisation's other admins hear of it (a role, never the address or the name).
        await Notifier.NotifyAsync(db, id, new NotificationDraft(NotificationKinds.PersonInvited, $"invitation:{invitation.Id}", "/organisation/people",
            Code: invitation.Role), now, cancellationToken, except: user.PersonIdOrNull() is { } inviter ? [inviter] : null);
        await db.SaveChangesAsync(cancellationToken);
        // Sent before the commit: a mail that could not be sent leaves no invitation behind.
        await mail.SendToPersonAsync(target.Name, invitation.Role, email, code, invitation.ExpiresAt, language, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/organisations/{id}/people/invitations", ToResponse(invitation, now, shown: true));
    }

    private static async Task<Results<Ok<List<PersonInvitationResponse>>, ProblemHttpResult>> ListInvitationsAsync(
        Guid id, ClaimsPrincipal user, PartnersDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!user.MaySee(id) || !await db.Organisations.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return Problems.NotFound("Organisation");
        }

        var own = user.OrganisationId() == id;
        var now = time.GetUtcNow();
        var open = await db.PersonInvitations.AsNoTracking()
            .Where(i => i.OrganisationId == id && i.RedeemedAt == null && i.VoidedAt == null && i.ExpiresAt > now)
            .OrderByDescending(i => i.IssuedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(open.Select(i => ToResponse(i, now, shown: own)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> CancelInvitationAsync(
        Guid id, Guid invitationId, ClaimsPrincipal user, PartnersDbContext db, UserManager<Person> people, TimeProvider time,
        CancellationToken cancellationToken, string? reason = null)
    {
        if (!user.MaySee(id))
        {
            return Problems.NotFound("Invitation");
        }

        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        // Locked, as each enrolment step locks it: a cancellation and an enrolment step never pass each other.
        var invitation = await db.PersonInvitations
            .FromSql($"SELECT * FROM identity.person_invitations WHERE id = {invitationId} AND organisation_id = {id} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (invitation is null)
        {
            return Problems.NotFound("Invitation");
        }

        var now = time.GetUtcNow();
        if (invitation.StatusAt(now) == InvitationStatus.Open)
        {
            invitation.Void(now);
            // An enrolment begun with it ends: the person, never active, goes, and their address can be invited again.
            if (invitation.PersonId is { } personId
                && await db.Users.FirstOrDefaultAsync(p => p.Id == personId && p.ActivatedAt == null, cancellationToken) is { } enrolling
                && !(await people.DeleteAsync(enrolling)).Succeeded)
            {
                return Problems.Conflict("The enrolment under way changed meanwhile; cancel again.");
            }

            db.CredentialEvents.Add(CredentialEvent.Of(
                id, "person-invitation-cancelled", now, InvitationEndpoints.Actor(user), invitationId: invitation.Id, reason: reason));
            if (user.OrganisationId() != id)
            {
                db.Record(user, "person.invitation-cancel", $"{id}/{invitationId}", reason, time);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<PersonResponse>, ProblemHttpResult>> ChangeRoleAsync(
        Guid id, Guid personId, ChangeRoleRequest request, ClaimsPrincipal user, PartnersDbContext db, TimeProvider time,
        CancellationToken cancellationToken, string? reason = null)
    {
        var organisation = user.MaySee(id) ? await db.Organisations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, cancellationToken) : null;
        var person = organisation is null ? null : await db.Users.FirstOrDefaultAsync(p => p.Id == personId && p.OrganisationId == id, cancellationToken);
        if (organisation is null || person is null)
        {
            return Problems.NotFound("Person");
        }

        if (user.OrganisationId() != id)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Only the organisation changes its people's roles.",
                detail: "Its organisation-admins and its systems do; a coordinator can deactivate a person.");
        }

        if (request.Role is not { } role || !PersonRoles.FitsKind(role, organisation.Kind))
        {
            return Problems.Unprocessable(new Dictionary<string, string[]> { ["role"] = [RoleRule(organisation.Kind)] });
        }

        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        // One role change per organisation at a time, so two admins taking the role from each other cannot both
        // count the other; then the person's row, after any sign-in attempt under way.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM organisations WHERE id = {id} FOR UPDATE", cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM identity.people WHERE \"Id\" = {personId} FOR UPDATE", cancellationToken);
        await db.Entry(person).ReloadAsync(cancellationToken);
        if (person.Role == role)
        {
            return TypedResults.Ok(Seen(person, own: true));
        }

        if (person.DeactivatedAt is not null)
        {
            return Problems.Conflict("A deactivated person's role does not change.");
        }

        var otherActiveAdmins = await db.Users.CountAsync(
            p => p.OrganisationId == id && p.Id != personId && p.Role == PersonRoles.OrganisationAdmin && p.ActivatedAt != null && p.DeactivatedAt == null,
            cancellationToken);
        if (PersonRoles.TakesTheLastAdmin(person, role, otherActiveAdmins))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The organisation's last active organisation-admin keeps the role.",
                detail: "An organisation keeps at least one active organisation-admin: make another person organisation-admin first.");
        }

        var was = person.Role;
        person.Role = role;
        db.CredentialEvents.Add(CredentialEvent.Of(
            id, "person-role-changed", time.GetUtcNow(), InvitationEndpoints.Actor(user), personId: person.Id,
            reason: string.IsNullOrWhiteSpace(reason) ? $"{was} to {role}" : $"{was} to {role}: {reason.Trim()}"));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(Seen(person, own: true));
    }

    private static async Task<Results<Ok<List<PersonResponse>>, ProblemHttpResult>> ListAsync(
        Guid id, ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken)
    {
        if (!user.MaySee(id) || !await db.Organisations.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return Problems.NotFound("Organisation");
        }

        // Names and addresses of another organisation's staff are not a coordinator's business.
        var own = user.OrganisationId() == id;
        var people = await db.Users.AsNoTracking().Where(p => p.OrganisationId == id).OrderBy(p => p.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(people.Select(p => Seen(p, own)).ToList());
    }

    private static async Task<Results<Ok<EnrolmentStarted>, ProblemHttpResult>> EnrolAsync(
        EnrolmentRequest request, Enrolment enrolment, HttpContext http, CancellationToken cancellationToken)
    {
        var (key, refusal) = await enrolment.StartAsync(request.Code, request.DisplayName, request.Password, cancellationToken);
        return key is null ? Refuse(http, refusal!) : TypedResults.Ok(new EnrolmentStarted(key.Person.Id, key.Key, key.Uri));
    }

    private static async Task<Results<Ok<EnrolmentCompleted>, ProblemHttpResult>> ConfirmAsync(
        EnrolmentConfirmation request, Enrolment enrolment, HttpContext http, CancellationToken cancellationToken)
    {
        var (recoveryCodes, person, refusal) = await enrolment.ConfirmAsync(request.Code, request.Totp, cancellationToken);
        return recoveryCodes is null ? Refuse(http, refusal!) : TypedResults.Ok(new EnrolmentCompleted(person!.Id, recoveryCodes));
    }

    private static ProblemHttpResult Refuse(HttpContext http, EnrolmentRefusal refusal)
    {
        switch (refusal.Status)
        {
            case StatusCodes.Status404NotFound:
                return Problems.NotFound("Invitation");
            case StatusCodes.Status409Conflict:
                return Problems.Conflict(refusal.Detail!);
            case StatusCodes.Status429TooManyRequests:
                http.Response.Headers.RetryAfter = TooManyRequests.Seconds(refusal.RetryAfter ?? TimeSpan.Zero);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many wrong codes.", detail: "Try again after Retry-After seconds.");
            default:
                return Problems.Unprocessable(refusal.Errors!.ToDictionary());
        }
    }

    private static async Task<Results<Ok<PersonResponse>, ProblemHttpResult>> DeactivateAsync(
        Guid id, Guid personId, ClaimsPrincipal user, PartnersDbContext db, UserManager<Person> people, TimeProvider time,
        CancellationToken cancellationToken, string? reason = null)
    {
        var person = user.MaySee(id) ? await db.Users.FirstOrDefaultAsync(p => p.Id == personId && p.OrganisationId == id, cancellationToken) : null;
        if (person is null)
        {
            return Problems.NotFound("Person");
        }

        var own = user.OrganisationId() == id;
        if (own && !user.MayAdminister() && user.PersonIdOrNull() != personId)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Only an organisation-admin deactivates a colleague.",
                detail: "A person may deactivate their own account when they leave.");
        }

        if (person.DeactivatedAt is null)
        {
            var now = time.GetUtcNow();
            await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
            // As a role change: one at a time per organisation, so two admins leaving at once cannot both count the other.
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM organisations WHERE id = {id} FOR UPDATE", cancellationToken);
            // After any sign-in attempt under way (it holds the row), so neither overwrites the other.
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM identity.people WHERE \"Id\" = {person.Id} FOR UPDATE", cancellationToken);
            await db.Entry(person).ReloadAsync(cancellationToken);
            if (person.DeactivatedAt is not null)
            {
                return TypedResults.Ok(Seen(person, own));
            }

            // The organisation keeps one of its own who can manage its people; a coordinator may still (a compromised
            // account), audited.
            var otherActiveAdmins = await db.Users.CountAsync(
                p => p.OrganisationId == id && p.Id != personId && p.Role == PersonRoles.OrganisationAdmin && p.ActivatedAt != null && p.DeactivatedAt == null,
                cancellationToken);
            if (own && PersonRoles.IsTheLastAdmin(person, otherActiveAdmins))
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "The organisation's last active organisation-admin stays active.",
                    detail: "An organisation keeps at least one active organisation-admin: make another person organisation-admin first.");
            }

            person.DeactivatedAt = now;
            // Ends the sign-in session at its next check, and no password opens the account again.
            if (!(await people.UpdateSecurityStampAsync(person)).Succeeded
                || !(await people.SetLockoutEnabledAsync(person, true)).Succeeded
                || !(await people.SetLockoutEndDateAsync(person, DateTimeOffset.MaxValue)).Succeeded)
            {
                return Problems.Conflict("The person's account changed meanwhile; deactivate again.");
            }

            db.CredentialEvents.Add(CredentialEvent.Of(id, "person-deactivated", now, InvitationEndpoints.Actor(user), personId: person.Id, reason: reason));
            db.AddEvent(new PersonDeactivated(id, person.Id, now), time);
            // The organisation's other admins hear of it: neither whoever did it nor the person.
            await Notifier.NotifyAsync(db, id, new NotificationDraft(NotificationKinds.PersonDeactivated, $"deactivation:{person.Id}", "/organisation/people",
                Code: person.Role), now, cancellationToken, except: user.PersonIdOrNull() is { } actor ? [actor, person.Id] : [person.Id]);
            if (!own)
            {
                db.Record(user, "person.deactivate", $"{id}/{person.Id}", reason, time);
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return TypedResults.Ok(Seen(person, own));
    }

    /// <summary>A person as the caller may see them: their name and address for their own organisation only.</summary>
    private static PersonResponse Seen(Person p, bool own) =>
        new(p.Id, p.Role, Status(p), p.CreatedAt, p.ActivatedAt, own ? p.DisplayName : null, own ? p.Email : null);

    private static PersonInvitationResponse ToResponse(PersonInvitation i, DateTimeOffset now, bool shown) =>
        new(i.Id, i.OrganisationId, shown ? i.Email : null, i.Role, i.IssuedAt, i.ExpiresAt, i.StatusAt(now), shown ? i.DisplayName : null);

    private static string RoleRule(OrganisationKind kind) =>
        kind == OrganisationKind.Coordinator ? "coordinator: the coordination office's people are coordinators." : "counsellor or organisation-admin.";

    private static string Status(Person p) =>
        p.DeactivatedAt is not null ? "deactivated" : p.ActivatedAt is not null ? "active" : "enrolling";
}
