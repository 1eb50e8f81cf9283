using Microsoft.Extensions.Options;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Counselling.Domain.ConsentTexts;
using Imsa.Network.Counselling.Protection;
using Imsa.Network.Access;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Messaging.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Counselling.Endpoints;

public sealed record ConsentTextReference(string Language, string Version, string Sha256);

public sealed record WithdrawalView(DateTimeOffset At, WithdrawalChannel Channel);

/// <param name="RecordedByPersonId">The counsellor of the organisation who recorded it; null when its API client did.</param>
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
    WithdrawalView? Withdrawal,
    Guid? RecordedByPersonId);

/// <summary>The recorded consent and the receipt to hand to the person; the withdrawal code in it is shown only here, once.</summary>
public sealed record ConsentRecorded(ConsentResponse Consent, ConsentReceipt Receipt);

/// <summary>A withdrawal code from a consent receipt.</summary>
public sealed record WithdrawByCodeRequest(string? Code);

/// <param name="State">withdrawn or expired: what the consent is now.</param>
/// <param name="AlreadyEnded">True when it had ended before this request (withdrawing twice is harmless).</param>
public sealed record WithdrawByCodeResponse(Guid ConsentReceiptId, ConsentState State, DateTimeOffset EndedAt, bool AlreadyEnded);

/// <summary>
/// What the receipt with this withdrawal code says, for the person to read before withdrawing: the receipt's own
/// content and the consent's state now, nothing of the case it belongs to.
/// </summary>
/// <param name="Controller">The organisation that counselled the person and recorded the consent (the receipt's piiController).</param>
/// <param name="Recipients">The receiving services released from confidentiality, by their network ids, as on the receipt.</param>
/// <param name="Sensitive">Whether special categories of data (GDPR Art. 9) are released.</param>
/// <param name="EndedAt">When it was withdrawn or expired; null while it has not ended.</param>
public sealed record ConsentLookupResponse(
    Guid ConsentReceiptId,
    ConsentState State,
    Guid Controller,
    IReadOnlyList<Guid> Recipients,
    IReadOnlyList<string> Categories,
    bool Sensitive,
    string Language,
    DateTimeOffset ObtainedAt,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil,
    DateTimeOffset? EndedAt);

internal static class ConsentEndpoints
{
    public static IEndpointRouteBuilder MapConsentEndpoints(this IEndpointRouteBuilder app)
    {
        var consents = app.MapGroup("/cases/{caseId:guid}/consents").WithTags("Consent");

        consents.MapPost("/", RecordAsync)
            .WithQuota(CounsellingLimits.Consents)
            .RequireAuthorization(NetworkRoles.Partner)
            .WithSummary("Record a consent (release from confidentiality)")
            .WithDescription("Append-only: a change of mind is a new consent. Returns the consent receipt (Kantara CR 1.1) with a one-time "
                + "withdrawal code for the person: it is shown only in this response; the receipt is signed (GET /.well-known/jwks.json). "
                + "The text named must be published and valid (GET /reference/consent-texts). Announces ConsentGranted.")
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
            .WithDescription("The Kantara CR 1.1 receipt, without the withdrawal code (stored only as a hash), signed anew: its signature "
                + "is a detached JWS over the receipt without it (RFC 8785), verifiable with GET /.well-known/jwks.json.")
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
            .WithGuessLimit(CounsellingLimits.Withdrawals)
            .WithSummary("Withdraw a consent with the code on its receipt (the person, no account needed)")
            .WithDescription("Takes effect at once. A wrong code answers 404 and reveals nothing; withdrawing twice is harmless. "
                + "Wrong codes are limited per client address, counted by every instance together (then 429 with Retry-After).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);

        // A POST, not a GET with the code in the path: the code withdraws the consent, and addresses are logged.
        app.MapPost("/consent-withdrawals/lookup", LookUpByCodeAsync)
            .WithTags("Consent")
            .AllowAnonymous()
            .WithGuessLimit(CounsellingLimits.Withdrawals)
            .WithSummary("Read what a consent receipt says, by its withdrawal code (the person, no account needed)")
            .WithDescription("Which data, to whom, until when, and whether the consent still holds: the receipt's own content, nothing "
                + "of the case. Changes nothing. Wrong codes count with those of POST /consent-withdrawals against one limit per client "
                + "address (then 429 with Retry-After).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Created<ConsentRecorded>, ProblemHttpResult>> RecordAsync(
        Guid caseId, RecordConsentRequest request, ClaimsPrincipal user, HttpContext http, CounsellingDbContext db, MasterKeyRing keys,
        ReceiptSigner signer, TimeProvider time, CancellationToken cancellationToken)
    {
        var owned = await OwnedCase.FindOpenAsync(db, user, caseId, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        var now = time.GetUtcNow();
        DateOnly? plannedArrival = null;
        if (owned.Case.PlannedArrivalMonth is not null)
        {
            using var cipher = owned.Open(keys);
            plannedArrival = cipher.OpenMigrationPlan(owned.Case).PlannedArrival;
        }

        var text = await ConsentTextLibrary.FindAsync(db, request.TextLanguage, request.TextVersion, cancellationToken);
        var context = new ConsentContext(
            owned.Case, plannedArrival, await ConsentLedger.RecipientsAsync(db, request.Recipients, cancellationToken),
            NetworkActor.Of(user), now, text is null ? [] : [text]);
        var (recorded, errors) = Consent.Record(request, context);
        if (recorded is null)
        {
            return Problems.Unprocessable(errors);
        }

        var (consent, granted, code) = recorded;
        db.Consents.Add(consent);
        owned.Case.UpdatedAt = now;
        db.AddEvent(granted, time);
        await db.SaveChangesAsync(cancellationToken);

        var receipt = await SignedReceiptAsync(db, signer, consent, text, BaseUrl(http), code, cancellationToken);
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
        Guid caseId, Guid consentId, ClaimsPrincipal user, HttpContext http, CounsellingDbContext db, ReceiptSigner signer,
        CancellationToken cancellationToken)
    {
        var consent = await OwnedConsentAsync(db, user, caseId, consentId, cancellationToken);
        if (consent is null)
        {
            return Problems.NotFound("Consent");
        }

        var text = await ConsentTextLibrary.FindAsync(db, consent.TextLanguage, consent.TextVersion, cancellationToken);
        return TypedResults.Ok(await SignedReceiptAsync(db, signer, consent, text, BaseUrl(http), withdrawalCode: null, cancellationToken));
    }

    /// <summary>The receipt, naming the owner as its profile says, signed.</summary>
    private static async Task<ConsentReceipt> SignedReceiptAsync(
        CounsellingDbContext db, ReceiptSigner signer, Consent consent, ConsentText? text, string baseUrl, string? withdrawalCode,
        CancellationToken cancellationToken)
    {
        var controller = await db.ControllerContacts.AsNoTracking()
            .FirstOrDefaultAsync(c => c.OrganisationId == consent.OwnerOrganisationId, cancellationToken);
        return await signer.SignAsync(ConsentReceipts.For(consent, text, controller, baseUrl, withdrawalCode), cancellationToken);
    }

    private static async Task<Results<Ok<ConsentResponse>, ProblemHttpResult>> WithdrawAsync(
        Guid caseId, Guid consentId, ClaimsPrincipal user, CounsellingDbContext db, TimeProvider time, CounsellingMetrics metrics,
        CancellationToken cancellationToken)
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

        consent = await ConsentLedger.EndAsync(db, consent, channel, caller, time, metrics, cancellationToken);
        return TypedResults.Ok(ToResponse(consent, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<WithdrawByCodeResponse>, ProblemHttpResult>> WithdrawByCodeAsync(
        WithdrawByCodeRequest request, CounsellingDbContext db, TimeProvider time, CounsellingMetrics metrics, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Code) || request.Code.Length > 64)
        {
            return Problems.Unprocessable(new Dictionary<string, string[]> { ["code"] = ["The withdrawal code from the consent receipt is required."] });
        }

        var hash = WithdrawalCodes.Hash(request.Code);
        var consent = await db.Consents.Include(c => c.Withdrawal).FirstOrDefaultAsync(c => c.WithdrawalCodeHash == hash, cancellationToken);
        if (consent is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No consent has this withdrawal code.",
                detail: "Check the code on your receipt, or ask your counselling service to withdraw the consent for you.");
        }

        var alreadyEnded = consent.Withdrawal is not null;
        consent = await ConsentLedger.EndAsync(db, consent, WithdrawalChannel.DataSubject, null, time, metrics, cancellationToken);
        return TypedResults.Ok(new WithdrawByCodeResponse(
            consent.Id, consent.StateAt(time.GetUtcNow()), consent.Withdrawal!.At, alreadyEnded));
    }

    private static async Task<Results<Ok<ConsentLookupResponse>, ProblemHttpResult>> LookUpByCodeAsync(
        WithdrawByCodeRequest request, CounsellingDbContext db, TimeProvider time, CounsellingMetrics metrics, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Code) || request.Code.Length > 64)
        {
            return Problems.Unprocessable(new Dictionary<string, string[]> { ["code"] = ["The withdrawal code from the consent receipt is required."] });
        }

        var hash = WithdrawalCodes.Hash(request.Code);
        var consent = await db.Consents.AsNoTracking().Include(c => c.Withdrawal)
            .FirstOrDefaultAsync(c => c.WithdrawalCodeHash == hash, cancellationToken);
        if (consent is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No consent has this withdrawal code.",
                detail: "Check the code on your receipt, or ask your counselling service to withdraw the consent for you.");
        }

        var now = time.GetUtcNow();
        var state = consent.StateAt(now);
        return TypedResults.Ok(new ConsentLookupResponse(
            consent.Id,
            state,
            consent.OwnerOrganisationId,
            consent.Recipients,
            consent.Categories,
            consent.Categories.Contains(DataCategories.SpecialCategories),
            consent.TextLanguage,
            consent.ObtainedAt,
            consent.ValidFrom,
            consent.ValidUntil,
            consent.Withdrawal?.At ?? (state == ConsentState.Expired ? consent.ValidUntil : null)));
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

    /// <summary>The consent's receipt as it is read again later: without the withdrawal code, shown only once.</summary>
    /// <summary>The receipt as it is read again (signed, without the withdrawal code): the export carries it too.</summary>
    public static async Task<ConsentReceipt> ReceiptOfAsync(
        Consent consent, HttpContext http, CounsellingDbContext db, ReceiptSigner signer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consent);
        var text = await ConsentTextLibrary.FindAsync(db, consent.TextLanguage, consent.TextVersion, cancellationToken);
        return await SignedReceiptAsync(db, signer, consent, text, BaseUrl(http), withdrawalCode: null, cancellationToken);
    }

    // Where the person reaches this service: configured, never taken from the request (a forged Host or
    // X-Forwarded-Host would put someone else's address on a receipt).
    private static string BaseUrl(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<NetworkOptions>>().Value.ServiceUrl("counselling");

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
        c.Withdrawal is { } w ? new WithdrawalView(w.At, w.Channel) : null,
        c.RecordedByPersonId);
}
