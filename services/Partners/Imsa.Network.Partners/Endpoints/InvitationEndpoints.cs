using System.Net.Mail;
using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.Operations;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Identity;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Endpoints;

public sealed record InvitationResponse(
    Guid Id, Guid OrganisationId, string SentTo, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, InvitationStatus Status,
    DateTimeOffset? RedeemedAt, string? RedeemedClientId);

/// <param name="Code">The invitation code from the mail the organisation received.</param>
/// <param name="ClientName">A label for the new API client, e.g. "case system production".</param>
public sealed record RedeemInvitationRequest(string? Code, string? ClientName);

/// <summary>The new client's credentials, for the organisation alone: the secret is shown this once.</summary>
public sealed record RedeemedInvitation(Guid OrganisationId, string ClientId, string ClientSecret);

public sealed record ContactEmailRequest(string? ContactEmail);

public sealed record CredentialEventResponse(
    DateTimeOffset At, string Kind, string? ClientId, Guid? InvitationId, Guid? PersonId, Guid? ActorOrganisationId, string? ActorClientId, Guid? ActorPersonId, string? Reason);

/// <summary>What makes a contact address acceptable.</summary>
internal static class ContactEmails
{
    public const string Rule = "An e-mail address of at most 254 characters, e.g. \"it@example.org\".";

    public static bool IsValid(string? email) =>
        email is { Length: > 0 and <= 254 } && MailAddress.TryCreate(email.Trim(), out var address) && address.Address == email.Trim();
}

/// <summary>
/// How an organisation gets its credentials without anyone else seeing them: a coordinator issues an invitation, its
/// code goes by mail to the organisation's own contact address, and the organisation redeems it for its first API
/// client. Every step, and every change to its clients after, is a credential event the organisation can list.
/// </summary>
internal static class InvitationEndpoints
{
    public static IEndpointRouteBuilder MapInvitationEndpoints(this IEndpointRouteBuilder app)
    {
        var organisation = app.MapGroup("/organisations/{id:guid}").WithTags("Credentials").ForAdministrators();

        organisation.MapPost("/invitations", IssueAsync)
            .RequireAuthorization(NetworkRoles.Coordinator)
            .WithSummary("Invite an organisation to create its first API client (coordinators)")
            .WithDescription("Mails a one-time code to the organisation's contact address; the answer never contains it. "
                + "Only for an organisation without an active API client (after that it manages its own); an open invitation "
                + "issued before is void. Audited, and a credential event the organisation sees.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        organisation.MapGet("/invitations", ListAsync)
            .WithSummary("List an organisation's invitations")
            .WithDescription("The organisation itself or a coordinator. Never a code.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        organisation.MapDelete("/invitations/{invitationId:guid}", CancelAsync)
            .WithSummary("Cancel an open invitation")
            .WithDescription("The organisation itself (an invitation it did not expect) or a coordinator.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        organisation.MapPut("/contact-email", SetContactEmailAsync)
            .WithSummary("Set the organisation's contact address for its credentials")
            .WithDescription("The organisation itself; a coordinator only while the organisation has never had an API client.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        organisation.MapGet("/credential-events", CredentialEventsAsync)
            .WithSummary("The organisation's credential trail")
            .WithDescription("Invitations issued, cancelled and redeemed, API clients created, rotated, revoked and locked out: "
                + "when, and by whom (organisation and API client). Newest first, the last 500. The organisation itself or a coordinator.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapPost("/invitations/redeem", RedeemAsync)
            .AllowAnonymous()
            .KeepsNoAnswer()
            .WithGuessLimit(PartnersServices.InvitationRedemptions)
            .WithTags("Credentials")
            .WithSummary("Redeem an invitation: the organisation creates its first API client")
            .WithDescription("No token: the code from the invitation mail is the proof. Returns the new client's id and secret, "
                + "shown this once. An unknown, used, cancelled or expired code answers 404, without saying which.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Created<InvitationResponse>, ProblemHttpResult>> IssueAsync(
        Guid id, ClaimsPrincipal user, PartnersDbContext db, InvitationMail mail, IOptions<InvitationOptions> options, TimeProvider time,
        CancellationToken cancellationToken, string? reason = null)
    {
        var target = await db.Organisations.FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (target is null)
        {
            return Problems.NotFound("Organisation");
        }

        if (!target.MayAuthenticate)
        {
            return Problems.Conflict("A suspended or retired organisation cannot be invited.");
        }

        if (await db.ApiClients.AnyAsync(c => c.OrganisationId == id && c.RevokedAt == null, cancellationToken))
        {
            return Problems.Conflict("The organisation has an active API client and manages its clients itself.");
        }

        if (target.ContactEmail is not { } to)
        {
            return Problems.Conflict("The organisation has no contact address (PUT /organisations/{id}/contact-email).");
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        foreach (var open in await db.Invitations.Where(i => i.OrganisationId == id && i.RedeemedAt == null && i.VoidedAt == null).ToListAsync(cancellationToken))
        {
            open.Void(now);
        }

        var actor = Actor(user);
        var (invitation, code) = Invitation.Issue(id, to, actor.OrganisationId!.Value, actor.ClientId, now, options.Value.ValidFor);
        db.Invitations.Add(invitation);
        db.CredentialEvents.Add(CredentialEvent.Of(id, "invitation-issued", now, actor, invitationId: invitation.Id, reason: reason));
        db.Record(user, "organisation.invite", id.ToString(), reason, time);
        await db.SaveChangesAsync(cancellationToken);
        // Sent before the commit: a mail that could not be sent leaves no invitation behind.
        await mail.SendAsync(target.Name, to, code, invitation.ExpiresAt, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/organisations/{id}/invitations", ToResponse(invitation, now));
    }

    private static async Task<Results<Ok<List<InvitationResponse>>, ProblemHttpResult>> ListAsync(
        Guid id, ClaimsPrincipal user, PartnersDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!user.MaySee(id) || !await db.Organisations.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return Problems.NotFound("Organisation");
        }

        var now = time.GetUtcNow();
        var invitations = await db.Invitations.AsNoTracking().Where(i => i.OrganisationId == id).OrderByDescending(i => i.IssuedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(invitations.Select(i => ToResponse(i, now)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> CancelAsync(
        Guid id, Guid invitationId, ClaimsPrincipal user, PartnersDbContext db, TimeProvider time, CancellationToken cancellationToken, string? reason = null)
    {
        var now = time.GetUtcNow();
        var invitation = user.MaySee(id)
            ? await db.Invitations.FirstOrDefaultAsync(i => i.Id == invitationId && i.OrganisationId == id, cancellationToken)
            : null;
        if (invitation is null)
        {
            return Problems.NotFound("Invitation");
        }

        if (invitation.StatusAt(now) == InvitationStatus.Open)
        {
            invitation.Void(now);
            var actor = Actor(user);
            db.CredentialEvents.Add(CredentialEvent.Of(id, "invitation-cancelled", now, actor, invitationId: invitation.Id, reason: reason));
            if (user.OrganisationId() != id)
            {
                db.Record(user, "organisation.invitation-cancel", $"{id}/{invitationId}", reason, time);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<OrganisationResponse>, ProblemHttpResult>> SetContactEmailAsync(
        Guid id, ContactEmailRequest request, ClaimsPrincipal user, PartnersDbContext db, TimeProvider time, CancellationToken cancellationToken,
        string? reason = null)
    {
        var target = user.MaySee(id) ? await db.Organisations.FirstOrDefaultAsync(o => o.Id == id, cancellationToken) : null;
        if (target is null)
        {
            return Problems.NotFound("Organisation");
        }

        var own = user.OrganisationId() == id;
        // Once an organisation has had a client, an address a coordinator chose could take its next invitation.
        if (!own && await db.ApiClients.AnyAsync(c => c.OrganisationId == id, cancellationToken))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Only the organisation changes its contact address.",
                detail: "It has had an API client: its invitations go where it says.");
        }

        if (!ContactEmails.IsValid(request.ContactEmail))
        {
            return Problems.Unprocessable(new Dictionary<string, string[]> { ["contactEmail"] = [ContactEmails.Rule] });
        }

        target.SetContactEmail(request.ContactEmail);
        var actor = Actor(user);
        db.CredentialEvents.Add(CredentialEvent.Of(id, "contact-email-set", time.GetUtcNow(), actor, reason: reason));
        if (!own)
        {
            db.Record(user, "organisation.contact-email", id.ToString(), reason, time);
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(OrganisationEndpoints.ToResponse(target));
    }

    private static async Task<Results<Ok<List<CredentialEventResponse>>, ProblemHttpResult>> CredentialEventsAsync(
        Guid id, ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken)
    {
        if (!user.MaySee(id) || !await db.Organisations.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return Problems.NotFound("Organisation");
        }

        var events = await db.CredentialEvents.AsNoTracking()
            .Where(e => e.OrganisationId == id)
            .OrderByDescending(e => e.Id)
            .Take(500)
            .Select(e => new CredentialEventResponse(e.At, e.Kind, e.ClientId, e.InvitationId, e.PersonId, e.ActorOrganisationId, e.ActorClientId, e.ActorPersonId, e.Reason))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(events);
    }

    private static async Task<Results<Created<RedeemedInvitation>, ProblemHttpResult>> RedeemAsync(
        RedeemInvitationRequest request, PartnersDbContext db, ApiClients clients, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Code is not { Length: > 0 and <= 100 })
        {
            errors["code"] = ["The code from the invitation mail is required."];
        }

        if (string.IsNullOrWhiteSpace(request.ClientName) || request.ClientName.Trim().Length > 200)
        {
            errors["clientName"] = ["A name of 1 to 200 characters is required."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var hash = OneTimeInvitation.Hash(request.Code!);
        // Locked: two redemptions of one code at once make one client.
        var invitation = await db.Invitations
            .FromSql($"SELECT * FROM invitations WHERE code_hash = {hash} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        var organisation = invitation is null ? null : await db.Organisations.FirstOrDefaultAsync(o => o.Id == invitation.OrganisationId, cancellationToken);
        if (invitation is null || invitation.StatusAt(now) != InvitationStatus.Open || organisation is not { MayAuthenticate: true })
        {
            return Problems.NotFound("Invitation");
        }

        var actor = new CredentialActor(organisation.Id, null);
        var credentials = await clients.CreateAsync(organisation.Id, request.ClientName!.Trim(), actor, cancellationToken, invitationId: invitation.Id);
        invitation.Redeem(credentials.ClientId, now);
        db.CredentialEvents.Add(CredentialEvent.Of(organisation.Id, "invitation-redeemed", now, new CredentialActor(organisation.Id, credentials.ClientId), credentials.ClientId, invitation.Id));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/organisations/{organisation.Id}/clients", new RedeemedInvitation(organisation.Id, credentials.ClientId, credentials.ClientSecret));
    }

    internal static CredentialActor Actor(ClaimsPrincipal user) =>
        new(user.OrganisationId(), user.FindFirstValue(NetworkClaims.ClientId), user.PersonIdOrNull());

    private static InvitationResponse ToResponse(Invitation i, DateTimeOffset now) =>
        new(i.Id, i.OrganisationId, i.SentTo, i.IssuedAt, i.ExpiresAt, i.StatusAt(now), i.RedeemedAt, i.RedeemedClientId);
}
