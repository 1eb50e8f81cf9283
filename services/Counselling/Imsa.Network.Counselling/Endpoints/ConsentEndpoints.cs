using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Counselling.Domain.ConsentTexts;
using Imsa.Network.Counselling.Protection;
using Imsa.Network.Messaging.Access;
using Imsa.Network.Messaging.Hosting;
using Imsa.Network.Messaging.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Counselling.Endpoints;

/// <summary>A consent as the person gave it.</summary>
/// <param name="Recipients">The receiving organisations released from confidentiality (registered receiving services).</param>
/// <param name="Categories">Data category codes (GET /reference/data-categories).</param>
/// <param name="ExplicitSpecialCategories">Required true when the categories include special-categories (GDPR Art. 9(2)(a)).</param>
/// <param name="Method">signed-form, verbal-with-witness or electronic.</param>
/// <param name="ObtainedAt">When the person gave it.</param>
/// <param name="TextLanguage">Language of the consent text shown (GET /reference/consent-texts).</param>
/// <param name="TextVersion">Version of the consent text shown.</param>
/// <param name="TextSha256">Optional: the SHA-256 of the text shown, to prove it was exactly this version.</param>
/// <param name="Purpose">continuation-of-counselling (the default and the only purpose).</param>
/// <param name="ValidFrom">Default: now.</param>
/// <param name="ValidUntil">Required; at most five years after ValidFrom.</param>
public sealed record RecordConsentRequest(
    IReadOnlyList<Guid>? Recipients,
    IReadOnlyList<string>? Categories,
    bool ExplicitSpecialCategories,
    string? Method,
    DateTimeOffset? ObtainedAt,
    string? TextLanguage,
    string? TextVersion,
    string? TextSha256,
    DateTimeOffset? ValidUntil,
    DateTimeOffset? ValidFrom = null,
    string? Purpose = null);

public sealed record ConsentTextReference(string Language, string Version, string Sha256);

public sealed record WithdrawalView(DateTimeOffset At, WithdrawalChannel Channel);

public sealed record ConsentResponse(
    Guid Id,
    Guid CaseId,
    ConsentState State,
    ConsentPurpose Purpose,
    IReadOnlyList<Guid> Recipients,
    IReadOnlyList<string> Categories,
    bool ExplicitSpecialCategories,
    ConsentMethod Method,
    DateTimeOffset ObtainedAt,
    DateTimeOffset RecordedAt,
    ConsentTextReference Text,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil,
    WithdrawalView? Withdrawal);

/// <summary>The recorded consent and the receipt to hand to the person; the withdrawal code in it is shown only here, once.</summary>
public sealed record ConsentRecorded(ConsentResponse Consent, ConsentReceipt Receipt);

/// <summary>A withdrawal code from a consent receipt.</summary>
public sealed record WithdrawByCodeRequest(string? Code);

/// <param name="State">withdrawn or expired: what the consent is now.</param>
/// <param name="AlreadyEnded">True when it had ended before this request (withdrawing twice is harmless).</param>
public sealed record WithdrawByCodeResponse(Guid ConsentReceiptId, ConsentState State, DateTimeOffset EndedAt, bool AlreadyEnded);

internal static class ConsentEndpoints
{
    public const string WithdrawalRateLimit = "consent-withdrawal";

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapConsentEndpoints(this IEndpointRouteBuilder app)
    {
        var consents = app.MapGroup("/cases/{caseId:guid}/consents").WithTags("Consent");

        consents.MapPost("/", RecordAsync)
            .RequireAuthorization(NetworkRoles.Partner)
            .WithSummary("Record a consent (release from confidentiality)")
            .WithDescription("Append-only: a change of mind is a new consent. Returns the consent receipt (Kantara CR 1.1) with a one-time "
                + "withdrawal code for the person: it is shown only in this response. Announces ConsentGranted.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        consents.MapGet("/", ListAsync)
            .RequireAuthorization(NetworkRoles.Partner)
            .WithSummary("List a case's consents")
            .WithDescription("Newest first, with their state now: active, not-yet-valid, withdrawn or expired.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        consents.MapGet("/{consentId:guid}", GetAsync)
            .RequireAuthorization(NetworkRoles.Partner)
            .WithSummary("Read a consent")
            .ProducesProblem(StatusCodes.Status404NotFound);
        consents.MapGet("/{consentId:guid}/receipt", ReceiptAsync)
            .RequireAuthorization(NetworkRoles.Partner)
            .WithSummary("Read a consent's receipt again")
            .WithDescription("The Kantara CR 1.1 receipt, without the withdrawal code (stored only as a hash).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        consents.MapPost("/{consentId:guid}/withdraw", WithdrawAsync)
            .RequireAuthorization()
            .WithSummary("Withdraw a consent (owner partner, or a receiving service told by the person)")
            .WithDescription("The owner partner withdraws any consent of its case; a receiving service one that names it, while it holds an "
                + "accepted handover of the case. Takes effect at once; withdrawing twice is harmless. Announces ConsentWithdrawn.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapPost("/consent-withdrawals", WithdrawByCodeAsync)
            .WithTags("Consent")
            .AllowAnonymous()
            .RequireRateLimiting(WithdrawalRateLimit)
            .WithSummary("Withdraw a consent with the code on its receipt (the person, no account needed)")
            .WithDescription("Takes effect at once. A wrong code answers 404 and reveals nothing; withdrawing twice is harmless. "
                + "Rate-limited per client address (429 when exceeded).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<Results<Created<ConsentRecorded>, ProblemHttpResult>> RecordAsync(
        Guid caseId, RecordConsentRequest request, ClaimsPrincipal user, HttpContext http, CounsellingDbContext db, MasterKeyRing keys,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var owned = await OwnedCase.FindOpenAsync(db, user, caseId, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        await CheckRecipientsAsync(db, request.Recipients, errors, cancellationToken);
        CheckCategories(request, errors);
        if (!EnumCodes.TryParse<ConsentMethod>(request.Method, out var method))
        {
            errors["method"] = ["One of signed-form, verbal-with-witness, electronic."];
        }

        var purpose = ConsentPurpose.ContinuationOfCounselling;
        if (request.Purpose is not null && !EnumCodes.TryParse(request.Purpose, out purpose))
        {
            errors["purpose"] = ["The only purpose is continuation-of-counselling: statistics are never a consent purpose."];
        }

        var text = ConsentTexts.Find(request.TextLanguage, request.TextVersion);
        if (text is null)
        {
            errors["textVersion"] = ["Name a consent text that ships with the product (GET /reference/consent-texts): language and version."];
        }
        else if (request.TextSha256 is not null && !string.Equals(request.TextSha256, text.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            errors["textSha256"] = ["This is not the hash of that consent text version: the person was shown another text."];
        }

        if (request.ObtainedAt is not { } obtainedAt)
        {
            errors["obtainedAt"] = ["When the person gave consent is required."];
        }
        else if (obtainedAt > now + ClockSkew)
        {
            errors["obtainedAt"] = ["A consent cannot be obtained in the future."];
        }
        else if (obtainedAt < owned.Case.OpenedAt - TimeSpan.FromDays(90))
        {
            errors["obtainedAt"] = ["A consent is recorded when it is given (at most 90 days before the case was opened)."];
        }
        else if (owned.Case.PlannedArrivalMonth is not null)
        {
            using var cipher = owned.Open(keys);
            if (cipher.OpenMigrationPlan(owned.Case).PlannedArrival is { } arrival && arrival < DateOnly.FromDateTime(obtainedAt.UtcDateTime))
            {
                errors["obtainedAt"] = [$"The case's planned arrival ({arrival:yyyy-MM-dd}) lies before this consent: a handover continues counselling after arrival, so update the plan first."];
            }
        }

        var validFrom = request.ValidFrom ?? now;
        if (request.ValidUntil is not { } validUntil)
        {
            errors["validUntil"] = ["Required: a consent is given for a limited time."];
        }
        else if (validUntil <= validFrom || validUntil <= now)
        {
            errors["validUntil"] = ["Must lie after validFrom and in the future."];
        }
        else if (validUntil > validFrom.AddYears(5))
        {
            errors["validUntil"] = ["At most five years after validFrom."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var code = ConsentLedger.NewWithdrawalCode();
        var consent = new Consent
        {
            Id = Guid.CreateVersion7(now),
            CaseId = caseId,
            OwnerOrganisationId = owned.Case.OwnerOrganisationId,
            RecordedAt = now,
            RecordedByOrganisationId = user.OrganisationId(),
            RecordedByClientId = user.FindFirstValue(NetworkClaims.ClientId),
            ObtainedAt = request.ObtainedAt!.Value,
            Method = method,
            TextLanguage = text!.Language,
            TextVersion = text.Version,
            TextSha256 = text.Sha256,
            Purpose = purpose,
            Recipients = [.. request.Recipients!],
            Categories = [.. DataCategories.All.Where(request.Categories!.Contains)],
            ExplicitSpecialCategories = request.ExplicitSpecialCategories,
            ValidFrom = validFrom,
            ValidUntil = request.ValidUntil!.Value,
            WithdrawalCodeHash = ConsentLedger.HashWithdrawalCode(code),
        };
        db.Consents.Add(consent);
        owned.Case.UpdatedAt = now;
        db.AddEvent(
            new ConsentGranted(consent.Id, caseId, consent.OwnerOrganisationId, consent.Recipients, consent.Categories, EnumCodes.Of(purpose), consent.ValidFrom, consent.ValidUntil, now),
            time);
        await db.SaveChangesAsync(cancellationToken);

        var receipt = ConsentReceipts.For(consent, BaseUrl(http), code);
        return TypedResults.Created($"/cases/{caseId}/consents/{consent.Id}", new ConsentRecorded(ToResponse(consent, now), receipt));
    }

    private static async Task<Results<Ok<List<ConsentResponse>>, ProblemHttpResult>> ListAsync(
        Guid caseId, ClaimsPrincipal user, CounsellingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var owned = await OwnedCase.FindAsync(db, user, caseId, tracking: false, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        var consents = await db.Consents.AsNoTracking().Include(c => c.Withdrawal)
            .Where(c => c.CaseId == caseId)
            .OrderByDescending(c => c.RecordedAt)
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(consents.Select(c => ToResponse(c, now)).ToList());
    }

    private static async Task<Results<Ok<ConsentResponse>, ProblemHttpResult>> GetAsync(
        Guid caseId, Guid consentId, ClaimsPrincipal user, CounsellingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var consent = await OwnedConsentAsync(db, user, caseId, consentId, cancellationToken);
        if (consent is null)
        {
            return Problems.NotFound("Consent");
        }

        return TypedResults.Ok(ToResponse(consent, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<ConsentReceipt>, ProblemHttpResult>> ReceiptAsync(
        Guid caseId, Guid consentId, ClaimsPrincipal user, HttpContext http, CounsellingDbContext db, CancellationToken cancellationToken)
    {
        var consent = await OwnedConsentAsync(db, user, caseId, consentId, cancellationToken);
        if (consent is null)
        {
            return Problems.NotFound("Consent");
        }

        return TypedResults.Ok(ConsentReceipts.For(consent, BaseUrl(http), withdrawalCode: null));
    }

    private static async Task<Results<Ok<ConsentResponse>, ProblemHttpResult>> WithdrawAsync(
        Guid caseId, Guid consentId, ClaimsPrincipal user, CounsellingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = user.OrganisationId();
        Consent? consent = null;
        WithdrawalChannel channel;
        if (user.IsInRole(NetworkRoles.Partner))
        {
            channel = WithdrawalChannel.OwnerPartner;
            consent = await db.Consents.Include(c => c.Withdrawal)
                .FirstOrDefaultAsync(c => c.Id == consentId && c.CaseId == caseId && c.OwnerOrganisationId == caller, cancellationToken);
        }
        else if (user.IsInRole(NetworkRoles.ReceivingService))
        {
            channel = WithdrawalChannel.ReceivingService;
            var holdsHandover = await db.Handovers.AnyAsync(
                h => h.CaseId == caseId && h.ReceiverOrganisationId == caller && CaseHandover.DossierStatuses.Contains(h.Status),
                cancellationToken);
            consent = holdsHandover
                ? await db.Consents.Include(c => c.Withdrawal)
                    .FirstOrDefaultAsync(c => c.Id == consentId && c.CaseId == caseId && c.Recipients.Contains(caller), cancellationToken)
                : null;
        }
        else
        {
            channel = default;
        }

        if (consent is null)
        {
            return Problems.NotFound("Consent");
        }

        consent = await ConsentLedger.EndAsync(db, consent, channel, caller, time, cancellationToken);
        return TypedResults.Ok(ToResponse(consent, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<WithdrawByCodeResponse>, ProblemHttpResult>> WithdrawByCodeAsync(
        WithdrawByCodeRequest request, CounsellingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Code) || request.Code.Length > 64)
        {
            return Problems.Unprocessable(new Dictionary<string, string[]> { ["code"] = ["The withdrawal code from the consent receipt is required."] });
        }

        var hash = ConsentLedger.HashWithdrawalCode(request.Code);
        var consent = await db.Consents.Include(c => c.Withdrawal).FirstOrDefaultAsync(c => c.WithdrawalCodeHash == hash, cancellationToken);
        if (consent is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No consent has this withdrawal code.",
                detail: "Check the code on your receipt, or ask your counselling service to withdraw the consent for you.");
        }

        var alreadyEnded = consent.Withdrawal is not null;
        consent = await ConsentLedger.EndAsync(db, consent, WithdrawalChannel.DataSubject, null, time, cancellationToken);
        return TypedResults.Ok(new WithdrawByCodeResponse(
            consent.Id, consent.StateAt(time.GetUtcNow()), consent.Withdrawal!.At, alreadyEnded));
    }

    private static async Task<Consent?> OwnedConsentAsync(
        CounsellingDbContext db, ClaimsPrincipal user, Guid caseId, Guid consentId, CancellationToken cancellationToken)
    {
        var owner = user.OrganisationId();
        // An erased case's consents are gone with it, as its consent list is.
        return await db.Consents.AsNoTracking().Include(c => c.Withdrawal)
            .Where(c => db.Cases.Any(k => k.Id == caseId && k.Status != CaseStatus.Erased))
            .FirstOrDefaultAsync(c => c.Id == consentId && c.CaseId == caseId && c.OwnerOrganisationId == owner, cancellationToken);
    }

    private static async Task CheckRecipientsAsync(
        CounsellingDbContext db, IReadOnlyList<Guid>? recipients, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (recipients is not { Count: > 0 })
        {
            errors["recipients"] = ["Name at least one receiving service: a release from confidentiality names its recipients."];
            return;
        }

        if (recipients.Count > 20 || recipients.Distinct().Count() != recipients.Count)
        {
            errors["recipients"] = ["At most 20 receiving services, each named once."];
            return;
        }

        var ids = recipients.ToList();
        var known = await db.Organisations.AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);
        var barred = await db.Set<OrganisationAccess>().AsNoTracking()
            .Where(a => ids.Contains(a.OrganisationId) && (a.Status == "suspended" || a.Status == "retired"))
            .Select(a => a.OrganisationId)
            .ToListAsync(cancellationToken);
        for (var i = 0; i < ids.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"recipients[{i}]");
            if (!known.TryGetValue(ids[i], out var organisation))
            {
                errors[path] = ["No organisation with this id is registered in the network."];
            }
            else if (organisation.Kind != "receiving-service")
            {
                errors[path] = ["Not a receiving service: only receiving services in Germany can be released to."];
            }
            else if (barred.Contains(ids[i]))
            {
                errors[path] = ["This receiving service is suspended or retired."];
            }
        }
    }

    private static void CheckCategories(RecordConsentRequest request, Dictionary<string, string[]> errors)
    {
        if (request.Categories is not { Count: > 0 })
        {
            errors["categories"] = ["Name at least one data category (GET /reference/data-categories)."];
        }
        else if (request.Categories.Where(c => !DataCategories.All.Contains(c)).ToList() is { Count: > 0 } unknown)
        {
            errors["categories"] = [$"Unknown categories: {string.Join(", ", unknown)}."];
        }
        else if (request.Categories.Distinct(StringComparer.Ordinal).Count() != request.Categories.Count)
        {
            errors["categories"] = ["A category is listed twice."];
        }
        else if (request.Categories.Contains(DataCategories.SpecialCategories) && !request.ExplicitSpecialCategories)
        {
            errors["explicitSpecialCategories"] = ["Special categories (health, vulnerability, exploitation) are released only by explicit consent: set it to true."];
        }
    }

    // Behind the gateway the person reaches this service under its prefix.
    private static string BaseUrl(HttpContext http) =>
        $"{http.Request.Scheme}://{http.Request.Host}{http.Request.Headers["X-Forwarded-Prefix"].FirstOrDefault()}";

    public static ConsentResponse ToResponse(Consent c, DateTimeOffset now) => new(
        c.Id,
        c.CaseId,
        c.StateAt(now),
        c.Purpose,
        c.Recipients,
        c.Categories,
        c.ExplicitSpecialCategories,
        c.Method,
        c.ObtainedAt,
        c.RecordedAt,
        new ConsentTextReference(c.TextLanguage, c.TextVersion, c.TextSha256),
        c.ValidFrom,
        c.ValidUntil,
        c.Withdrawal is { } w ? new WithdrawalView(w.At, w.Channel) : null);
}
