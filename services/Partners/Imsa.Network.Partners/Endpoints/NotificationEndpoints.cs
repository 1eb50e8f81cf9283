using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Domain.Notifications;
using Imsa.Network.Partners.Identity;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Endpoints;

/// <summary>One notification as its person reads it.</summary>
/// <param name="Kind">offer-received, offer-due-soon, handover-accepted, … (docs/api.md#notifications).</param>
/// <param name="Title">One line in the language asked for: what happened, naming the other organisation, the handover's short reference, a date, a code's words.</param>
/// <param name="OrganisationId">The other organisation it names (the offer's origin, the answer's receiver, the one registered).</param>
/// <param name="Code">A decline reason, a revocation cause, an outcome, how a consent was withdrawn, a role, or "reassigned".</param>
/// <param name="DueAt">An answer deadline, a consent's end, the day of an outcome.</param>
/// <param name="Link">Where it is in the web application: a path below its address.</param>
/// <param name="Mail">pending, sent, failed (given up), cancelled, or digest (waiting for the next daily digest).</param>
public sealed record NotificationResponse(
    Guid Id, string Kind, string Title, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt, Guid? HandoverId, Guid? CaseId, Guid? OrganisationId,
    string? OrganisationName, string? Code, DateTimeOffset? DueAt, string Link, string Mail);

/// <param name="Unread">All the person's unread notifications, not only this page's.</param>
/// <param name="Next">Pass as "before" for the next (older) page; null on the last.</param>
public sealed record NotificationListResponse(int Unread, IReadOnlyList<NotificationResponse> Items, Guid? Next);

public sealed record UnreadCountResponse(int Unread);

/// <param name="Choice">What applies: the person's own choice, else the default, never below the organisation's minimum. immediate, digest or off.</param>
/// <param name="OrganisationMinimum">off (no minimum), digest or immediate.</param>
public sealed record NotificationKindSetting(string Kind, string Title, string Choice, string OrganisationMinimum, string Default);

/// <param name="Language">The language of the person's notification mails (de, en, fr, ar), or null: their organisation's usual one.</param>
/// <param name="DigestHourUtc">The hour (UTC) after which each day's digest is sent.</param>
public sealed record NotificationSettingsResponse(string? Language, int DigestHourUtc, IReadOnlyList<NotificationKindSetting> Kinds);

/// <param name="Language">de, en, fr or ar; null: the organisation's usual one.</param>
/// <param name="Kinds">Kind → immediate, digest or off; kinds left out keep their choice.</param>
public sealed record NotificationSettingsRequest(string? Language, Dictionary<string, string>? Kinds);

/// <param name="Roles">The organisation's roles that receive the kind.</param>
/// <param name="Minimum">off (no minimum), digest or immediate.</param>
public sealed record NotificationMinimumSetting(string Kind, string Title, IReadOnlyList<string> Roles, string Minimum);

public sealed record NotificationMinimumsResponse(IReadOnlyList<NotificationMinimumSetting> Kinds);

/// <param name="Kinds">Kind → off (no minimum), digest or immediate; kinds left out keep their minimum.</param>
public sealed record NotificationMinimumsRequest(Dictionary<string, string>? Kinds);

/// <summary>How the notification mails fare, network-wide: counts only, no person, no address.</summary>
/// <param name="Pending">Waiting to be sent (or sent again).</param>
/// <param name="OldestPendingSince">When the oldest pending mail was made: far back, the mail server has been refusing.</param>
/// <param name="Retrying">Pending after a failed attempt.</param>
/// <param name="Failed">Given up after the configured attempts, kept until retention deletes them.</param>
/// <param name="SentLastDay">Sent in the last 24 hours.</param>
public sealed record NotificationDeliveryResponse(int Pending, DateTimeOffset? OldestPendingSince, int Retrying, int Failed, int SentLastDay);

/// <summary>
/// People's notifications (docs/api.md#notifications): their own list, their settings, their organisation's minimums,
/// and for coordinators how the mails fare.
/// </summary>
internal static class NotificationEndpoints
{
    private const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/people/me").WithTags("Notifications").RequireAuthorization(PersonPolicies.SignedInPerson);

        mine.MapGet("/notifications", ListAsync)
            .WithSummary("List the signed-in person's notifications")
            .WithDescription("Newest first, 50 a page (limit: 1 to 100); the next page with before = the answer's next. unread=true: only the unread. "
                + "Titles in the language asked for (de, en, fr, ar), else the person's notification language. A person's token only (an API client: 403). "
                + "Nothing personal: a handover's reference, organisations, dates, codes, and a link into the web application, where the usual checks apply.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        mine.MapGet("/notifications/unread-count", UnreadCountAsync)
            .WithSummary("Count the signed-in person's unread notifications")
            .WithDescription("For a badge: one indexed count.")
            .ProducesProblem(StatusCodes.Status403Forbidden);

        mine.MapPost("/notifications/{notificationId:guid}/read", MarkReadAsync)
            .WithoutIdempotencyKey()
            .WithSummary("Mark a notification as read")
            .WithDescription("Asked again, it stays read (204). Another person's notification answers 404.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        mine.MapPost("/notifications/read-all", MarkAllReadAsync)
            .WithoutIdempotencyKey()
            .WithSummary("Mark all the signed-in person's notifications as read")
            .ProducesProblem(StatusCodes.Status403Forbidden);

        mine.MapGet("/notification-settings", SettingsAsync)
            .WithSummary("The signed-in person's notification settings")
            .WithDescription("The kinds the person can receive (by their role and their organisation's kind), each with what applies, the default and "
                + "the organisation's minimum; the language of their mails; the hour of the daily digest.")
            .ProducesProblem(StatusCodes.Status403Forbidden);

        mine.MapPut("/notification-settings", ChangeSettingsAsync)
            .WithSummary("Change the signed-in person's notification settings")
            .WithDescription("Per kind: immediate (in the list and by mail at once), digest (in the list, and in one mail a day) or off (nothing). A "
                + "choice below the organisation's minimum, or a kind the person cannot receive, answers 422 and changes nothing. Notifications made "
                + "before keep the delivery they were made with.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        var organisation = app.MapGroup("/organisations/{id:guid}/notification-minimums").WithTags("Notifications");

        organisation.MapGet("/", MinimumsAsync)
            .ForAdministrators()
            .WithSummary("The organisation's notification minimums")
            .WithDescription("Per kind its people can receive: the least each of them gets (off: no minimum). The organisation itself only: its "
                + "organisation-admins and its systems (another organisation, a coordinator included: 404).")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        organisation.MapPut("/", ChangeMinimumsAsync)
            .ForAdministrators()
            .WithSummary("Change the organisation's notification minimums")
            .WithDescription("E.g. offer-received: digest, so no counsellor switches new offers off. People's own choices below a new minimum are "
                + "raised to it when notifications are made (their settings show it). An unknown kind or value answers 422 and changes nothing.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/admin/notifications/delivery", DeliveryAsync)
            .RequireAuthorization(NetworkRoles.Coordinator)
            .WithTags("Notifications")
            .WithSummary("How the notification mails fare (coordinators)")
            .WithDescription("Counts only: pending (and since when the oldest), retrying, given up, and sent in the last day. A growing backlog or "
                + "failures mean the mail server refuses (docs/operations.md#notifications).");

        return app;
    }

    private static async Task<Results<Ok<NotificationListResponse>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken, bool? unread = null, Guid? before = null, int? limit = null,
        string? language = null)
    {
        if (await SignedInAsync(user, db, cancellationToken) is not { } person)
        {
            return Problems.NotFound("Person");
        }

        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"Between 1 and {MaxLimit}."];
        }

        var asked = LanguageOf(language, errors);
        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var size = limit ?? 50;
        var query = db.Notifications.AsNoTracking().Where(n => n.PersonId == person.Id);
        if (unread == true)
        {
            query = query.Where(n => n.ReadAt == null);
        }

        if (before is { } last)
        {
            query = query.Where(n => n.Id < last);
        }

        // Ids are version 7 UUIDs: their order is their making's.
        var page = await query.OrderByDescending(n => n.Id).Take(size + 1).ToListAsync(cancellationToken);
        var unreadCount = await db.Notifications.CountAsync(n => n.PersonId == person.Id && n.ReadAt == null, cancellationToken);
        var shown = page.Take(size).ToList();
        var mailIds = shown.Where(n => n.MailId is not null).Select(n => n.MailId!.Value).Distinct().ToList();
        var mails = await db.NotificationMails.AsNoTracking().Where(m => mailIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Status, cancellationToken);
        var views = await NotificationViews.WithNamesAsync(db, shown, cancellationToken);
        var lang = asked ?? person.Language;
        return TypedResults.Ok(new NotificationListResponse(
            unreadCount,
            [.. views.Select(v => ToResponse(v, lang, v.Notification.MailId is { } m && mails.TryGetValue(m, out var status) ? status : null))],
            page.Count > size ? shown[^1].Id : null));
    }

    private static async Task<Ok<UnreadCountResponse>> UnreadCountAsync(
        ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken)
    {
        var personId = PersonId(user);
        return TypedResults.Ok(new UnreadCountResponse(await db.Notifications.CountAsync(n => n.PersonId == personId && n.ReadAt == null, cancellationToken)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> MarkReadAsync(
        Guid notificationId, ClaimsPrincipal user, PartnersDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var personId = PersonId(user);
        var now = time.GetUtcNow();
        var marked = await db.Notifications
            .Where(n => n.Id == notificationId && n.PersonId == personId)
            .ExecuteUpdateAsync(set => set.SetProperty(n => n.ReadAt, n => n.ReadAt ?? now), cancellationToken);
        return marked == 0 ? Problems.NotFound("Notification") : TypedResults.NoContent();
    }

    private static async Task<NoContent> MarkAllReadAsync(
        ClaimsPrincipal user, PartnersDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var personId = PersonId(user);
        var now = time.GetUtcNow();
        await db.Notifications.Where(n => n.PersonId == personId && n.ReadAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(n => n.ReadAt, now), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<NotificationSettingsResponse>, ProblemHttpResult>> SettingsAsync(
        ClaimsPrincipal user, PartnersDbContext db, IOptions<NotificationOptions> options, CancellationToken cancellationToken, string? language = null)
    {
        if (await SignedInAsync(user, db, cancellationToken) is not { } person)
        {
            return Problems.NotFound("Person");
        }

        var errors = new Dictionary<string, string[]>();
        var asked = LanguageOf(language, errors);
        return errors.Count > 0 ? Problems.Unprocessable(errors) : TypedResults.Ok(await SettingsOfAsync(db, person, asked, options.Value, cancellationToken));
    }

    private static async Task<Results<Ok<NotificationSettingsResponse>, ProblemHttpResult>> ChangeSettingsAsync(
        NotificationSettingsRequest request, ClaimsPrincipal user, PartnersDbContext db, IOptions<NotificationOptions> options,
        CancellationToken cancellationToken, string? language = null)
    {
        if (await SignedInAsync(user, db, cancellationToken) is not { } person)
        {
            return Problems.NotFound("Person");
        }

        var errors = new Dictionary<string, string[]>();
        var asked = LanguageOf(language, errors);
        if (request.Language is not null && PersonLanguage.Named(request.Language) is null)
        {
            errors["language"] = ["de, en, fr or ar; or null: the organisation's usual language."];
        }

        var receivable = NotificationKinds.For(person.Role, person.OrganisationKind);
        var minimums = await MinimumsOfAsync(db, person.OrganisationId, cancellationToken);
        var choices = new Dictionary<string, NotificationChoice>();
        foreach (var (code, value) in request.Kinds ?? [])
        {
            var kind = receivable.FirstOrDefault(k => k.Code == code);
            if (kind is null)
            {
                errors[$"kinds.{code}"] = ["Not a kind of notification this person can receive (GET /people/me/notification-settings lists them)."];
            }
            else if (NotificationKinds.Choice(value) is not { } choice)
            {
                errors[$"kinds.{code}"] = ["immediate, digest or off."];
            }
            else if (choice < minimums.GetValueOrDefault(code))
            {
                errors[$"kinds.{code}"] = [$"The organisation asks for at least {NotificationKinds.Code(minimums[code])}."];
            }
            else
            {
                choices[code] = choice;
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var account = await db.Users.FirstAsync(p => p.Id == person.Id, cancellationToken);
        account.NotificationLanguage = request.Language;
        var existing = await db.NotificationPreferences.Where(p => p.PersonId == person.Id).ToDictionaryAsync(p => p.Kind, cancellationToken);
        foreach (var (code, choice) in choices)
        {
            if (existing.TryGetValue(code, out var preference))
            {
                preference.Choice = choice;
            }
            else
            {
                db.NotificationPreferences.Add(new NotificationPreference { PersonId = person.Id, Kind = code, Choice = choice });
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await SettingsOfAsync(db, person with { Language = PersonLanguage.Named(request.Language) ?? person.DefaultLanguage, ChosenLanguage = request.Language },
            asked, options.Value, cancellationToken));
    }

    private static async Task<Results<Ok<NotificationMinimumsResponse>, ProblemHttpResult>> MinimumsAsync(
        Guid id, ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken, string? language = null)
    {
        var kind = await OwnKindAsync(id, user, db, cancellationToken);
        if (kind is null)
        {
            return Problems.NotFound("Organisation");
        }

        var errors = new Dictionary<string, string[]>();
        var asked = LanguageOf(language, errors) ?? NotificationTexts.DefaultLanguage(kind.Value);
        return errors.Count > 0 ? Problems.Unprocessable(errors) : TypedResults.Ok(await MinimumsResponseAsync(db, id, kind.Value, asked, cancellationToken));
    }

    private static async Task<Results<Ok<NotificationMinimumsResponse>, ProblemHttpResult>> ChangeMinimumsAsync(
        Guid id, NotificationMinimumsRequest request, ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken,
        string? language = null)
    {
        var kind = await OwnKindAsync(id, user, db, cancellationToken);
        if (kind is null)
        {
            return Problems.NotFound("Organisation");
        }

        var errors = new Dictionary<string, string[]>();
        var asked = LanguageOf(language, errors) ?? NotificationTexts.DefaultLanguage(kind.Value);
        var kinds = NotificationKinds.For(kind.Value);
        var minimums = new Dictionary<string, NotificationChoice>();
        foreach (var (code, value) in request.Kinds ?? [])
        {
            if (kinds.All(k => k.Code != code))
            {
                errors[$"kinds.{code}"] = ["Not a kind of notification this organisation's people can receive."];
            }
            else if (NotificationKinds.Choice(value) is not { } minimum)
            {
                errors[$"kinds.{code}"] = ["off (no minimum), digest or immediate."];
            }
            else
            {
                minimums[code] = minimum;
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var existing = await db.NotificationMinimums.Where(m => m.OrganisationId == id).ToDictionaryAsync(m => m.Kind, cancellationToken);
        foreach (var (code, minimum) in minimums)
        {
            if (existing.TryGetValue(code, out var row))
            {
                row.Minimum = minimum;
            }
            else
            {
                db.NotificationMinimums.Add(new NotificationMinimum { OrganisationId = id, Kind = code, Minimum = minimum });
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await MinimumsResponseAsync(db, id, kind.Value, asked, cancellationToken));
    }

    private static async Task<Ok<NotificationDeliveryResponse>> DeliveryAsync(PartnersDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var dayAgo = time.GetUtcNow().AddDays(-1);
        var pending = db.NotificationMails.Where(m => m.Status == NotificationMailStatus.Pending);
        return TypedResults.Ok(new NotificationDeliveryResponse(
            await pending.CountAsync(cancellationToken),
            await pending.MinAsync(m => (DateTimeOffset?)m.CreatedAt, cancellationToken),
            await pending.CountAsync(m => m.Attempts > 0, cancellationToken),
            await db.NotificationMails.CountAsync(m => m.Status == NotificationMailStatus.Failed, cancellationToken),
            await db.NotificationMails.CountAsync(m => m.Status == NotificationMailStatus.Sent && m.SentAt >= dayAgo, cancellationToken)));
    }

    /// <summary>The signed-in person as the settings need them: their role, their organisation's kind, their language.</summary>
    private sealed record SignedInPerson(
        Guid Id, Guid OrganisationId, string Role, OrganisationKind OrganisationKind, PersonLanguage Language, string? ChosenLanguage)
    {
        public PersonLanguage DefaultLanguage => NotificationTexts.DefaultLanguage(OrganisationKind);
    }

    private static async Task<SignedInPerson?> SignedInAsync(ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken)
    {
        var personId = PersonId(user);
        var person = await db.Users.AsNoTracking()
            .Where(p => p.Id == personId)
            .Select(p => new { p.Id, p.OrganisationId, p.Role, p.NotificationLanguage, Kind = db.Organisations.Where(o => o.Id == p.OrganisationId).Select(o => o.Kind).First() })
            .FirstOrDefaultAsync(cancellationToken);
        return person is null
            ? null
            : new SignedInPerson(person.Id, person.OrganisationId, person.Role, person.Kind,
                PersonLanguage.Named(person.NotificationLanguage) ?? NotificationTexts.DefaultLanguage(person.Kind), person.NotificationLanguage);
    }

    private static async Task<NotificationSettingsResponse> SettingsOfAsync(
        PartnersDbContext db, SignedInPerson person, PersonLanguage? asked, NotificationOptions options, CancellationToken cancellationToken)
    {
        var minimums = await MinimumsOfAsync(db, person.OrganisationId, cancellationToken);
        var chosen = await db.NotificationPreferences.AsNoTracking().Where(p => p.PersonId == person.Id).ToDictionaryAsync(p => p.Kind, p => p.Choice, cancellationToken);
        var lang = asked ?? person.Language;
        return new NotificationSettingsResponse(
            person.ChosenLanguage,
            options.DigestHourUtc,
            [.. NotificationKinds.For(person.Role, person.OrganisationKind).Select(kind =>
            {
                var minimum = minimums.GetValueOrDefault(kind.Code);
                var choice = Notifier.Effective(chosen.TryGetValue(kind.Code, out var own) ? own : kind.Default, minimum);
                return new NotificationKindSetting(kind.Code, NotificationTexts.KindName(kind.Code, lang), NotificationKinds.Code(choice),
                    NotificationKinds.Code(minimum), NotificationKinds.Code(kind.Default));
            })]);
    }

    private static Task<Dictionary<string, NotificationChoice>> MinimumsOfAsync(PartnersDbContext db, Guid organisationId, CancellationToken cancellationToken) =>
        db.NotificationMinimums.AsNoTracking().Where(m => m.OrganisationId == organisationId).ToDictionaryAsync(m => m.Kind, m => m.Minimum, cancellationToken);

    private static async Task<NotificationMinimumsResponse> MinimumsResponseAsync(
        PartnersDbContext db, Guid id, OrganisationKind kind, PersonLanguage language, CancellationToken cancellationToken)
    {
        var minimums = await MinimumsOfAsync(db, id, cancellationToken);
        return new NotificationMinimumsResponse([.. NotificationKinds.For(kind).Select(k => new NotificationMinimumSetting(
            k.Code, NotificationTexts.KindName(k.Code, language), NotificationKinds.RolesFor(k, kind), NotificationKinds.Code(minimums.GetValueOrDefault(k.Code))))]);
    }

    /// <summary>The organisation's kind when the caller is the organisation itself (its admins, its systems); else null, a 404.</summary>
    private static async Task<OrganisationKind?> OwnKindAsync(Guid id, ClaimsPrincipal user, PartnersDbContext db, CancellationToken cancellationToken) =>
        user.OrganisationId() != id
            ? null
            : await db.Organisations.AsNoTracking().Where(o => o.Id == id).Select(o => (OrganisationKind?)o.Kind).FirstOrDefaultAsync(cancellationToken);

    private static PersonLanguage? LanguageOf(string? language, Dictionary<string, string[]> errors)
    {
        if (language is null)
        {
            return null;
        }

        var named = PersonLanguage.Named(language);
        if (named is null)
        {
            errors["language"] = ["de, en, fr or ar."];
        }

        return named;
    }

    private static NotificationResponse ToResponse(NotificationView view, PersonLanguage language, NotificationMailStatus? mail)
    {
        var n = view.Notification;
        var state = mail switch
        {
            null => "digest",
            NotificationMailStatus.Pending => "pending",
            NotificationMailStatus.Sent => "sent",
            NotificationMailStatus.Failed => "failed",
            _ => "cancelled",
        };
        return new NotificationResponse(n.Id, n.Kind, NotificationTexts.Title(view, language), n.CreatedAt, n.ReadAt, n.HandoverId, n.CaseId,
            n.OrganisationId, view.OrganisationName, n.Code, n.DueAt, n.Link, state);
    }

    /// <summary>The person the token names: the group's policy (<see cref="PersonPolicies.SignedInPerson"/>) lets no API client through.</summary>
    private static Guid PersonId(ClaimsPrincipal user) =>
        user.PersonIdOrNull() ?? throw new InvalidOperationException("A person's endpoint was reached without a person's token.");
}
