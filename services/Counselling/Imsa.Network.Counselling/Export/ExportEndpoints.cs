using System.Net.Http.Headers;
using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Counselling.Endpoints;
using Imsa.Network.Counselling.Protection;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Counselling.Export;

internal static class ExportEndpoints
{
    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cases/{id:guid}/export", ExportAsync)
            .WithTags("Cases")
            .RequireAuthorization(NetworkRoles.Partner)
            .WithSummary("Export everything the network holds about a case (GDPR Art. 15 and 20; the owner)")
            .WithDescription("For the person, on their request: the personal data by category, sessions, consents with their history and "
                + "receipts, handovers with their timelines (from the Handovers service, asked with the caller's token), the disclosure log, "
                + "recipients, purposes, retention, rights and the controller. format=json (default; schema docs/schemas/case-export.schema.json) "
                + "or html (a printable document in language de, en, fr or ar; default: the person's preferred language if one of these, "
                + "else English). Every export is recorded and listed in the next. 404 for someone else's case, 410 for an erased one, "
                + "503 when Handovers cannot be reached (no export is given incomplete).")
            .Produces<CaseExportDocument>(StatusCodes.Status200OK, "application/json", "text/html")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> ExportAsync(
        Guid id, ClaimsPrincipal user, HttpContext http, CounsellingDbContext db, MasterKeyRing keys, ReceiptSigner signer, Pseudonyms pseudonyms,
        HandoversClient handovers, IOptions<RetentionOptions> retention, IEnumerable<RetentionRule> retentionRules, TimeProvider time,
        CancellationToken cancellationToken, string? format = null, string? language = null)
    {
        var errors = new Dictionary<string, string[]>();
        format ??= "json";
        if (format is not ("json" or "html"))
        {
            errors["format"] = ["json or html."];
        }

        if (language is not null && !ExportDocument.Languages.Contains(language))
        {
            errors["language"] = [$"One of {string.Join(", ", ExportDocument.Languages)}."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var owned = await OwnedCase.FindAsync(db, user, id, tracking: false, cancellationToken);
        if (owned.Problem is not null)
        {
            return owned.Problem;
        }

        if (!AuthenticationHeaderValue.TryParse(http.Request.Headers.Authorization, out var token))
        {
            return Problems.NotFound("Case");
        }

        System.Text.Json.Nodes.JsonArray tickets;
        try
        {
            tickets = await handovers.CaseHandoversAsync(id, token, cancellationToken);
        }
        catch (HandoversUnavailableException)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The export cannot be completed now.",
                detail: "The Handovers service, which holds the case's handovers, could not be reached. Try again in a moment.");
        }

        var now = time.GetUtcNow();
        CaseResponse content;
        List<SessionResponse> sessions;
        using (var cipher = owned.Open(keys))
        {
            content = CaseEndpoints.ToResponse(owned.Case, cipher.OpenContent(owned.Case), await CaseEndpoints.HandoversOfAsync(db, id, cancellationToken));
            sessions = await CaseEndpoints.SessionsOfAsync(db, cipher, id, cancellationToken);
        }

        var consents = await db.Consents.AsNoTracking().Include(c => c.Withdrawal).Where(c => c.CaseId == id)
            .OrderBy(c => c.RecordedAt).ToListAsync(cancellationToken);
        var disclosures = await DossierEndpoints.DisclosuresOfAsync(db, id, user, pseudonyms, cancellationToken);
        var organisations = await db.Organisations.AsNoTracking().ToDictionaryAsync(o => o.Id, cancellationToken);
        var owner = organisations.GetValueOrDefault(owned.Case.OwnerOrganisationId);
        var contact = await db.ControllerContacts.AsNoTracking().FirstOrDefaultAsync(c => c.OrganisationId == owned.Case.OwnerOrganisationId, cancellationToken);

        language ??= ExportDocument.Languages.Contains(content.Contact?.PreferredLanguage ?? "") ? content.Contact!.PreferredLanguage! : "en";
        var actor = NetworkActor.Of(user);
        var record = new CaseExportRecord
        {
            Id = Guid.CreateVersion7(now),
            CaseId = id,
            OrganisationId = actor.OrganisationId,
            ClientId = actor.ClientId,
            PersonId = actor.PersonId,
            Format = format,
            Language = language,
            At = now,
        };
        db.CaseExports.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        var exports = await db.CaseExports.AsNoTracking().Where(e => e.CaseId == id).OrderBy(e => e.At).ToListAsync(cancellationToken);

        // Each receipt as the person would read it again: signed, verifiable with the published keys.
        var exportedConsents = new List<ExportedConsent>();
        foreach (var c in consents)
        {
            exportedConsents.Add(new ExportedConsent(
                ConsentEndpoints.ToResponse(c, now), CaseExports.History(c, now), await ConsentEndpoints.ReceiptOfAsync(c, http, db, signer, cancellationToken)));
        }

        var document = new CaseExportDocument(
            CaseExports.Format,
            record.Id,
            now,
            language,
            new ExportedCase(content.Id, content.Status, content.CloseReason, content.OpenedAt, content.UpdatedAt, content.ClosedAt, content.Restriction),
            new ExportController(
                owned.Case.OwnerOrganisationId,
                owner?.Country ?? "",
                contact?.Name,
                contact is { Street: { } street, PostalCode: { } postalCode, City: { } city } ? $"{street}, {postalCode} {city}, {contact.Country}" : null,
                contact?.Role,
                contact?.Email,
                contact?.Phone),
            CaseExports.PersonalData(content, sessions.Count > 0),
            sessions,
            exportedConsents,
            tickets,
            disclosures,
            CaseExports.Recipients(consents, tickets, disclosures, organisations),
            CaseExports.Purposes,
            CaseExports.Retention(retention.Value, retentionRules),
            CaseExports.Rights,
            exports.Select(e => new ExportMade(e.Id, e.At, e.Format, e.Language, e.PersonId is null ? "client" : "person")).ToList());

        http.Response.Headers.CacheControl = "no-store";
        return format == "html"
            ? TypedResults.Content(
                ExportDocument.Html(document, http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions), "text/html; charset=utf-8")
            : TypedResults.Ok(document);
    }
}
