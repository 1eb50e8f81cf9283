using System.Security.Claims;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Counselling.Protection;
using Imsa.Network.Access;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Messaging.Outbox;
using Imsa.Network.Reference.Geography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Counselling.Endpoints;

/// <summary>A handover of the case as this service last heard of it (the closed loop).</summary>
/// <param name="Status">requested, offered, accepted, in-contact, declined, escalated, withdrawn, revoked or completed.</param>
/// <param name="LastOutcome">first-appointment-booked, first-contact-made, did-not-arrive or could-not-be-contacted.</param>
public sealed record CaseHandoverView(
    Guid HandoverId,
    Guid ReceiverOrganisationId,
    string Status,
    string? DeclineReason,
    string? LastOutcome,
    DateOnly? LastOutcomeOn,
    DateTimeOffset UpdatedAt);

/// <summary>A case as its owner sees it: all of its content, and its handovers.</summary>
public sealed record CaseResponse(
    Guid Id,
    CaseStatus Status,
    CaseCloseReason? CloseReason,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt,
    CaseRestrictionView? Restriction,
    PersonIdentity Identity,
    ContactDetails? Contact,
    MigrationPlan MigrationPlan,
    LanguageAndQualifications? LanguageAndQualifications,
    NeedsAndOpenTasks? NeedsAndOpenTasks,
    SpecialCategories? SpecialCategories,
    IReadOnlyList<CaseHandoverView> Handovers);

/// <summary>The restriction of a case's processing (GDPR Art. 18): why, and since when.</summary>
public sealed record CaseRestrictionView(CaseRestrictionReason Reason, DateTimeOffset Since);

/// <summary>A line of the owner's case list.</summary>
public sealed record CaseSummary(
    Guid Id,
    CaseStatus Status,
    string GivenNames,
    string FamilyName,
    string Purpose,
    DateOnly? PlannedArrivalMonth,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt);

public sealed record CaseList(IReadOnlyList<CaseSummary> Items, int Page, int PageSize, int Total);

/// <param name="Reason">handed-over, no-longer-planned, lost-contact, transferred or other.</param>
public sealed record CloseCaseRequest(string? Reason);

public sealed record SessionResponse(Guid Id, Guid CaseId, DateTimeOffset RecordedAt, DateOnly HeldOn, string Format, IReadOnlyList<string> Topics, string? Notes);

internal static class CaseEndpoints
{
    public static IEndpointRouteBuilder MapCaseEndpoints(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/cases").WithTags("Cases").RequireAuthorization(NetworkRoles.Partner);

        cases.MapPost("/", OpenAsync)
            .AcceptsFreeText("contact.addressAbroad", "languageAndQualifications.qualifications[].recognition.compensationMeasure",
                "needsAndOpenTasks.priorServices[].description", "specialCategories.riskFlags[].note")
            .WithQuota(CounsellingLimits.Cases)
            .WithSummary("Open a case (partners abroad)")
            .WithDescription("Opens a pre-integration case owned by the caller. Every personal field is encrypted under a key of the case's own. "
                + "Announces CaseOpened (owner, purpose, destination state and district, month of arrival: nothing personal).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        cases.MapGet("/", ListAsync)
            .WithSummary("List the caller's cases")
            .WithDescription("Newest first, 50 a page by default; status filters by open, closed or erased.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        cases.MapGet("/{id:guid}", GetAsync)
            .WithSummary("Read a case")
            .WithDescription("Only the owner reads its cases; anyone else gets 404. An erased case answers 410. The ETag header names "
                + "this version of the case; send it back as If-Match with PUT to be sure nobody changed the case in between.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);
        cases.MapPut("/{id:guid}", UpdateAsync)
            .AcceptsFreeText("contact.addressAbroad", "languageAndQualifications.qualifications[].recognition.compensationMeasure",
                "needsAndOpenTasks.priorServices[].description", "specialCategories.riskFlags[].note")
            .WithQuota(CounsellingLimits.Cases)
            .WithSummary("Replace a case's content")
            .WithDescription("The whole content, category by category; it replaces the previous one. A closed or erased case answers 409. "
                + "With If-Match (the ETag of GET), a case changed since that read answers 412 and keeps the other change; without it, "
                + "the last writer wins. Answers the new ETag. Announces CaseUpdated when the purpose, destination or month of arrival changed.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        cases.MapPost("/{id:guid}/close", CloseAsync)
            .WithSummary("Close a case")
            .WithDescription("Closes an open case with a reason. Consents and handovers stay as they are. Announces CaseClosed.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        cases.MapDelete("/{id:guid}", EraseAsync)
            .WithSummary("Erase a case (right to erasure)")
            .WithDescription("Destroys the case's data key and deletes its sealed content: nothing personal in it can be read again "
                + "(backups taken before keep the wrapped key until they expire). Its consents disclose nothing more; the Handovers "
                + "service revokes every open handover of it. Announces CaseErased.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        cases.MapPost("/{id:guid}/sessions", RecordSessionAsync)
            .AcceptsFreeText("notes")
            .WithQuota(CounsellingLimits.Cases)
            .WithTags("Sessions")
            .WithSummary("Record a counselling session")
            .WithDescription("Date, format (in-person, phone, video, group, messenger), topics and notes, all encrypted. A closed case answers 409.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        cases.MapGet("/{id:guid}/sessions/{sessionId:guid}", GetSessionAsync)
            .WithTags("Sessions")
            .WithSummary("Read a counselling session")
            .ProducesProblem(StatusCodes.Status404NotFound);
        cases.MapGet("/{id:guid}/sessions", ListSessionsAsync)
            .WithTags("Sessions")
            .WithSummary("List a case's counselling sessions")
            .WithDescription("Newest first.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Created<CaseResponse>, ProblemHttpResult>> OpenAsync(
        CaseContent request, ClaimsPrincipal user, HttpContext http, CounsellingDbContext db, MasterKeyRing keys, GermanGeography geography,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var validation = new CaseValidation(DateOnly.FromDateTime(now.UtcDateTime), geography);
        validation.Check(request);
        if (validation.Errors.Count > 0)
        {
            return Problems.Unprocessable(validation.Errors);
        }

        var caseId = Guid.CreateVersion7(now);
        http.Items[IdempotentAnswers.CaseItem] = caseId;
        var (key, cipher) = keys.CreateKey(caseId, now);
        using (cipher)
        {
            var opened = new Case
            {
                Id = caseId,
                OwnerOrganisationId = user.OrganisationId(),
                Status = CaseStatus.Open,
                OpenedAt = now,
                UpdatedAt = now,
                Purpose = request.MigrationPlan!.Purpose!,
            };
            ApplyContent(opened, request, cipher, geography);
            db.Cases.Add(opened);
            db.CaseKeys.Add(key);
            db.AddEvent(
                new CaseOpened(opened.Id, opened.OwnerOrganisationId, opened.Purpose, opened.DestinationState, opened.DestinationDistrict, opened.PlannedArrivalMonth, now),
                time);
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Created($"/cases/{opened.Id}", ToResponse(opened, cipher.OpenContent(opened), []));
        }
    }

    private static async Task<Results<Ok<CaseList>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user, CounsellingDbContext db, MasterKeyRing keys, CancellationToken cancellationToken,
        string? status = null, int page = 1, int pageSize = 50)
    {
        var errors = new Dictionary<string, string[]>();
        CaseStatus? statusFilter = null;
        if (status is not null)
        {
            if (EnumCodes.TryParse<CaseStatus>(status, out var parsed))
            {
                statusFilter = parsed;
            }
            else
            {
                errors["status"] = ["One of open, closed, erased."];
            }
        }

        Paging.Check(page, pageSize, errors);

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var owner = user.OrganisationId();
        var query = db.Cases.AsNoTracking().Where(c => c.OwnerOrganisationId == owner);
        if (statusFilter is { } wanted)
        {
            query = query.Where(c => c.Status == wanted);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query
            .OrderByDescending(c => c.OpenedAt)
            .Page(page, pageSize)
            // A left join on the key's primary key (a correlated FirstOrDefault would number all of case_keys).
            .GroupJoin(db.CaseKeys, c => c.Id, k => k.CaseId, (c, keys) => new { Case = c, Keys = keys })
            .SelectMany(x => x.Keys.DefaultIfEmpty(), (x, key) => new { x.Case, Key = key })
            .ToListAsync(cancellationToken);
        var items = rows.Select(row =>
        {
            PersonIdentity? identity = null;
            if (row.Key is not null)
            {
                using var cipher = keys.Open(row.Key);
                identity = cipher.OpenIdentity(row.Case);
            }

            return new CaseSummary(
                row.Case.Id,
                row.Case.Status,
                identity?.GivenNames ?? "",
                identity?.FamilyName ?? "",
                row.Case.Purpose,
                row.Case.PlannedArrivalMonth,
                row.Case.OpenedAt,
                row.Case.UpdatedAt);
        }).ToList();
        return TypedResults.Ok(new CaseList(items, page, pageSize, total));
    }

    private static async Task<Results<Ok<CaseResponse>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, HttpContext http, CounsellingDbContext db, MasterKeyRing keys, CancellationToken cancellationToken)
    {
        var owned = await OwnedCase.FindAsync(db, user, id, tracking: false, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        http.Response.Headers.ETag = CaseVersionTag.Of(owned.Case);
        using var cipher = owned.Open(keys);
        return TypedResults.Ok(ToResponse(owned.Case, cipher.OpenContent(owned.Case), await HandoversOfAsync(db, id, cancellationToken)));
    }

    private static async Task<Results<Ok<CaseResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, CaseContent request, ClaimsPrincipal user, HttpContext http, CounsellingDbContext db, MasterKeyRing keys,
        GermanGeography geography, TimeProvider time, CancellationToken cancellationToken)
    {
        var owned = await OwnedCase.FindOpenAsync(db, user, id, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        if (!CaseVersionTag.Matches(http.Request.Headers.IfMatch, owned.Case, out var readVersion))
        {
            return CaseVersionTag.Changed();
        }

        // Also when the case changes between this check and the write: the update then finds no row of that version.
        db.Entry(owned.Case).Property(c => c.Version).OriginalValue = readVersion;

        var now = time.GetUtcNow();
        var validation = new CaseValidation(DateOnly.FromDateTime(now.UtcDateTime), geography);
        validation.Check(request);
        if (validation.Errors.Count > 0)
        {
            return Problems.Unprocessable(validation.Errors);
        }

        using var cipher = owned.Open(keys);
        var before = (owned.Case.Purpose, owned.Case.DestinationState, owned.Case.DestinationDistrict, owned.Case.PlannedArrivalMonth);
        ApplyContent(owned.Case, request, cipher, geography);
        owned.Case.UpdatedAt = now;
        var c = owned.Case;
        if (before != (c.Purpose, c.DestinationState, c.DestinationDistrict, c.PlannedArrivalMonth))
        {
            db.AddEvent(new CaseUpdated(c.Id, c.OwnerOrganisationId, c.Purpose, c.DestinationState, c.DestinationDistrict, c.PlannedArrivalMonth, now), time);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return CaseVersionTag.Changed();
        }

        http.Response.Headers.ETag = CaseVersionTag.Of(owned.Case);
        return TypedResults.Ok(ToResponse(owned.Case, cipher.OpenContent(owned.Case), await HandoversOfAsync(db, id, cancellationToken)));
    }

    private static async Task<Results<Ok<CaseResponse>, ProblemHttpResult>> CloseAsync(
        Guid id, CloseCaseRequest request, ClaimsPrincipal user, CounsellingDbContext db, MasterKeyRing keys, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await OwnedCase.FindAsync(db, user, id, tracking: false, cancellationToken) is { Problem: null, Case.Status: CaseStatus.Closed } closed)
        {
            // Asked again (an answer lost on the way): the case is closed as asked; nothing changes.
            using var closedCipher = closed.Open(keys);
            return TypedResults.Ok(ToResponse(closed.Case, closedCipher.OpenContent(closed.Case), await HandoversOfAsync(db, id, cancellationToken)));
        }

        var owned = await OwnedCase.FindOpenAsync(db, user, id, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        if (!EnumCodes.TryParse<CaseCloseReason>(request.Reason, out var reason))
        {
            return Problems.Unprocessable(new Dictionary<string, string[]>
            {
                ["reason"] = ["One of handed-over, no-longer-planned, lost-contact, transferred, other."],
            });
        }

        var now = time.GetUtcNow();
        owned.Case.Status = CaseStatus.Closed;
        owned.Case.CloseReason = reason;
        owned.Case.ClosedAt = now;
        owned.Case.UpdatedAt = now;
        db.AddEvent(new CaseClosed(id, owned.Case.OwnerOrganisationId, EnumCodes.Of(reason), now), time);
        if (await SaveAsync(db, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        using var cipher = owned.Open(keys);
        return TypedResults.Ok(ToResponse(owned.Case, cipher.OpenContent(owned.Case), await HandoversOfAsync(db, id, cancellationToken)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EraseAsync(
        Guid id, ClaimsPrincipal user, CounsellingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var owner = user.OrganisationId();
        var erased = await db.Cases.FirstOrDefaultAsync(c => c.Id == id && c.OwnerOrganisationId == owner, cancellationToken);
        if (erased is null)
        {
            return Problems.NotFound("Case");
        }

        if (erased.Status == CaseStatus.Erased)
        {
            // Erasing twice is harmless.
            return TypedResults.NoContent();
        }

        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        await CaseErasure.EraseAsync(db, erased, time, cancellationToken);
        if (await SaveAsync(db, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<SessionResponse>, ProblemHttpResult>> RecordSessionAsync(
        Guid id, SessionContent request, ClaimsPrincipal user, CounsellingDbContext db, MasterKeyRing keys, GermanGeography geography,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var owned = await OwnedCase.FindOpenAsync(db, user, id, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        var now = time.GetUtcNow();
        var validation = new CaseValidation(DateOnly.FromDateTime(now.UtcDateTime), geography);
        validation.CheckSession(request);
        if (validation.Errors.Count > 0)
        {
            return Problems.Unprocessable(validation.Errors);
        }

        using var cipher = owned.Open(keys);
        var sessionId = Guid.CreateVersion7(now);
        var session = new CounsellingSession { Id = sessionId, CaseId = id, RecordedAt = now, Content = cipher.SealSession(sessionId, request) };
        db.Sessions.Add(session);
        owned.Case.UpdatedAt = now;
        if (await SaveAsync(db, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        return TypedResults.Created($"/cases/{id}/sessions/{session.Id}", ToResponse(session, request));
    }

    private static async Task<Results<Ok<List<SessionResponse>>, ProblemHttpResult>> ListSessionsAsync(
        Guid id, ClaimsPrincipal user, CounsellingDbContext db, MasterKeyRing keys, CancellationToken cancellationToken)
    {
        var owned = await OwnedCase.FindAsync(db, user, id, tracking: false, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        using var cipher = owned.Open(keys);
        return TypedResults.Ok(await SessionsOfAsync(db, cipher, id, cancellationToken));
    }

    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> GetSessionAsync(
        Guid id, Guid sessionId, ClaimsPrincipal user, CounsellingDbContext db, MasterKeyRing keys, CancellationToken cancellationToken)
    {
        var owned = await OwnedCase.FindAsync(db, user, id, tracking: false, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        var session = await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId && s.CaseId == id, cancellationToken);
        if (session is null)
        {
            return Problems.NotFound("Session");
        }

        using var cipher = owned.Open(keys);
        return TypedResults.Ok(ToResponse(session, cipher.OpenSession(session)));
    }

    public static async Task<List<SessionResponse>> SessionsOfAsync(CounsellingDbContext db, CaseCipher cipher, Guid caseId, CancellationToken cancellationToken)
    {
        var sessions = await db.Sessions.AsNoTracking().Where(s => s.CaseId == caseId).ToListAsync(cancellationToken);
        return sessions
            .Select(s => ToResponse(s, cipher.OpenSession(s)))
            .OrderByDescending(s => s.HeldOn)
            .ThenByDescending(s => s.RecordedAt)
            .ToList();
    }

    private static void ApplyContent(Case target, CaseContent content, CaseCipher cipher, GermanGeography geography)
    {
        var plan = content.MigrationPlan!;
        target.Purpose = plan.Purpose!;
        target.PlannedArrivalMonth = plan.PlannedArrival is { } arrival ? new DateOnly(arrival.Year, arrival.Month, 1) : null;
        // Only a destination that is one district (or one state) is named in events: a coarse, unambiguous place.
        var districts = plan.DestinationPostalCode is { } postalCode ? geography.DistrictsOf(postalCode) : [];
        target.DestinationDistrict = districts.Length == 1 ? districts[0].Key : null;
        target.DestinationState = districts.Select(d => d.State).Distinct(StringComparer.Ordinal).Count() == 1 ? districts[0].State : null;
        cipher.SealContent(target, Normalise(content));
    }

    private static CaseContent Normalise(CaseContent content) => content with
    {
        Identity = content.Identity! with
        {
            GivenNames = content.Identity.GivenNames!.Trim(),
            FamilyName = content.Identity.FamilyName!.Trim(),
        },
    };

    internal static async Task<IReadOnlyList<CaseHandoverView>> HandoversOfAsync(CounsellingDbContext db, Guid caseId, CancellationToken cancellationToken) =>
        await db.Handovers.AsNoTracking()
            .Where(h => h.CaseId == caseId)
            .OrderByDescending(h => h.UpdatedAt)
            .Select(h => new CaseHandoverView(h.HandoverId, h.ReceiverOrganisationId, h.Status, h.DeclineReason, h.LastOutcome, h.LastOutcomeOn, h.UpdatedAt))
            .ToListAsync(cancellationToken);

    internal static async Task<ProblemHttpResult?> SaveAsync(CounsellingDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The case changed meanwhile; read it and try again.");
        }
    }

    internal static CaseResponse ToResponse(Case c, CaseContent content, IReadOnlyList<CaseHandoverView> handovers) => new(
        c.Id,
        c.Status,
        c.CloseReason,
        c.OpenedAt,
        c.UpdatedAt,
        c.ClosedAt,
        c.RestrictedAt is { } since ? new CaseRestrictionView(c.RestrictionReason!.Value, since) : null,
        content.Identity!,
        content.Contact,
        content.MigrationPlan!,
        content.LanguageAndQualifications,
        content.NeedsAndOpenTasks,
        content.SpecialCategories,
        handovers);

    private static SessionResponse ToResponse(CounsellingSession s, SessionContent content) =>
        new(s.Id, s.CaseId, s.RecordedAt, content.HeldOn!.Value, content.Format!, content.Topics ?? [], content.Notes);
}

/// <summary>
/// A case loaded for its owner, or the problem to answer: 404 for a missing case or someone else's (the two look
/// the same), 410 for an erased one, and for writes 409 for one that is no longer open.
/// </summary>
internal sealed record OwnedCase(Case Case, CaseKey? Key, ProblemHttpResult? Problem)
{
    public static async Task<OwnedCase> FindAsync(CounsellingDbContext db, ClaimsPrincipal user, Guid id, bool tracking, CancellationToken cancellationToken)
    {
        var owner = user.OrganisationId();
        var cases = tracking ? db.Cases : db.Cases.AsNoTracking();
        // The case and its key in one round trip.
        var row = await cases
            .Where(c => c.Id == id && c.OwnerOrganisationId == owner)
            // Keyed on the parameter, not on c.Id: EF Core then reads the one key row (a lateral join), where a
            // correlated FirstOrDefault numbers every row of case_keys (ROW_NUMBER over the table) on each read.
            .Select(c => new { Case = c, Key = db.CaseKeys.FirstOrDefault(k => k.CaseId == id) })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return new OwnedCase(null!, null, Problems.NotFound("Case"));
        }

        var (found, key) = (row.Case, row.Case.Status == CaseStatus.Erased ? null : row.Key);
        return key is null
            // Erased, or its key destroyed otherwise: nothing in it can be read any more.
            ? new OwnedCase(found, null, TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "The case was erased."))
            : new OwnedCase(found, key, null);
    }

    public static async Task<OwnedCase> FindOpenAsync(CounsellingDbContext db, ClaimsPrincipal user, Guid id, CancellationToken cancellationToken)
    {
        var owned = await FindAsync(db, user, id, tracking: true, cancellationToken);
        return owned.Problem is null && owned.Case.Status != CaseStatus.Open
            ? owned with { Problem = Problems.Conflict($"The case is {EnumCodes.Of(owned.Case.Status)}: it cannot be changed.") }
            : owned.Problem is { StatusCode: StatusCodes.Status410Gone }
                ? owned with { Problem = Problems.Conflict("The case was erased: it cannot be changed.") }
                : owned;
    }

    public CaseCipher Open(MasterKeyRing keys) =>
        keys.Open(Key ?? throw new InvalidOperationException("Open is called only when there is no problem, so with a key."));
}

/// <summary>
/// A case's version as an HTTP entity tag (PostgreSQL's row version, <c>xmin</c>): GET and PUT answer it as ETag, PUT
/// takes it back as If-Match so that two people editing one case do not overwrite each other unknowingly.
/// </summary>
internal static class CaseVersionTag
{
    public static string Of(Case c) => $"\"{c.Version}\"";

    /// <summary>
    /// Whether the If-Match header allows writing this case, and the version the writer read (the current one when the
    /// header is absent or "*").
    /// </summary>
    public static bool Matches(Microsoft.Extensions.Primitives.StringValues ifMatch, Case c, out uint readVersion)
    {
        readVersion = c.Version;
        if (ifMatch.Count == 0 || ifMatch.ToString().Trim() == "*")
        {
            return true;
        }

        // One strong tag as this service issues it; anything else (a list, a weak tag, garbage) matches nothing.
        var value = ifMatch.ToString().Trim();
        if (value.Length < 3 || value[0] != '"' || value[^1] != '"'
            || !uint.TryParse(value.AsSpan(1, value.Length - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
        {
            return false;
        }

        readVersion = version;
        return version == c.Version;
    }

    public static ProblemHttpResult Changed() => TypedResults.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed,
        title: "The case was changed since it was read.",
        detail: "Read the case again (its new ETag), apply the change to what it says now, and send it with that ETag as If-Match.");
}
