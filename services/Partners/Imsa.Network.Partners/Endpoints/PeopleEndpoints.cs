using System.Globalization;
using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.Contracts.Partners;
using Imsa.Network.Messaging.Outbox;
using Imsa.Network.Operations;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Identity;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Endpoints;

/// <param name="Email">The person's own work address: the invitation goes there.</param>
/// <param name="Role">counsellor or organisation-admin (coordinator for the coordination office's people).</param>
public sealed record InvitePersonRequest(string? Email, string? Role);

public sealed record PersonInvitationResponse(
    Guid Id, Guid OrganisationId, string Email, string Role, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, InvitationStatus Status);

/// <summary>A person as their organisation sees them; a coordinator sees the id, role and status only.</summary>
public sealed record PersonResponse(Guid Id, string Role, string Status, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, string? DisplayName, string? Email);

/// <param name="Code">The invitation code from the mail.</param>
/// <param name="DisplayName">How colleagues see the person, e.g. "Amal Haddad".</param>
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
                + "at the organisation's contact address (audited). Mails a one-time code to the person's address; the answer never contains it. A newer invitation to the same address voids an open one.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        organisation.MapGet("/", ListAsync)
            .ForAdministrators()
            .WithSummary("List the organisation's people")
            .WithDescription("The organisation itself sees names and addresses; a coordinator the ids, roles and status only.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        organisation.MapPost("/{personId:guid}/deactivate", DeactivateAsync)
            .WithSummary("Deactivate a person")
            .WithDescription("By the organisation (its systems or an organisation-admin), by the person themselves when they leave, or by a coordinator "
                + "(audited). For good: the person cannot sign in again, and their current tokens are refused network-wide within seconds "
                + "(announces PersonDeactivated, ids only). What they did stays attributed to them. Asked again, it answers the person as they are.")
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
            errors["role"] = [target.Kind == OrganisationKind.Coordinator
                ? "coordinator: the coordination office's people are coordinators."
                : "counsellor or organisation-admin."];
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
        var (invitation, code) = PersonInvitation.Issue(id, email, request.Role!, actor.OrganisationId!.Value, actor.ClientId, now, options.Value.ValidFor);
        db.PersonInvitations.Add(invitation);
        db.CredentialEvents.Add(CredentialEvent.Of(id, "person-invited", now, actor, invitationId: invitation.Id, reason: reason));
        if (!own)
        {
            db.Record(user, "organisation.invite-admin", id.ToString(), reason, time);
        }

        await db.SaveChangesAsync(cancellationToken);
        // Sent before the commit: a mail that could not be sent leaves no invitation behind.
        await mail.SendToPersonAsync(target.Name, invitation.Role, email, code, invitation.ExpiresAt, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created(
            $"/organisations/{id}/people",
            new PersonInvitationResponse(invitation.Id, id, email, invitation.Role, invitation.IssuedAt, invitation.ExpiresAt, invitation.StatusAt(now)));
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
        return TypedResults.Ok(people.Select(p => new PersonResponse(
            p.Id, p.Role, Status(p), p.CreatedAt, p.ActivatedAt, own ? p.DisplayName : null, own ? p.Email : null)).ToList());
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
            // After any sign-in attempt under way (it holds the row), so neither overwrites the other.
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM identity.people WHERE \"Id\" = {person.Id} FOR UPDATE", cancellationToken);
            await db.Entry(person).ReloadAsync(cancellationToken);
            if (person.DeactivatedAt is not null)
            {
                return TypedResults.Ok(Seen(person));
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
            if (!own)
            {
                db.Record(user, "person.deactivate", $"{id}/{person.Id}", reason, time);
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return TypedResults.Ok(Seen(person));

        PersonResponse Seen(Person p) => new(p.Id, p.Role, Status(p), p.CreatedAt, p.ActivatedAt, own ? p.DisplayName : null, own ? p.Email : null);
    }

    private static string Status(Person p) =>
        p.DeactivatedAt is not null ? "deactivated" : p.ActivatedAt is not null ? "active" : "enrolling";
}
