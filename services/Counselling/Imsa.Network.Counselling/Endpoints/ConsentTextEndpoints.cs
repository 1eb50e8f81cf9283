using System.Security.Claims;
using Imsa.Network.Access;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Counselling.Domain.ConsentTexts;
using Imsa.Network.Counselling.Protection;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Imsa.Network.Counselling.Endpoints;

internal static class ConsentTextEndpoints
{
    public static IEndpointRouteBuilder MapConsentTextEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/admin/consent-texts", PublishAsync)
            .WithTags("Admin: consent texts")
            .RequireAuthorization(NetworkRoles.Coordinator)
            .AcceptsFreeText("text")
            .WithSummary("Publish a version of the consent text in one language (coordinators)")
            .WithDescription("Never edited after publication: a changed wording is a new version. Publishing the same language and version "
                + "again with the same content answers as the first time; with other content 409. Recorded in the audit trail.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status409Conflict);

        app.MapGet("/.well-known/jwks.json", async (ReceiptSigner signer, HttpContext http, CancellationToken cancellationToken) =>
            {
                // Short: a key made at a rotation must reach verifiers soon; the old ones never leave the set.
                http.Response.Headers.CacheControl = "public, max-age=300";
                return TypedResults.Ok(await signer.PublicKeysAsync(cancellationToken));
            })
            .WithTags("Consent")
            .AllowAnonymous()
            .WithSummary("The public keys that sign consent receipts (JWK Set, RFC 7517)")
            .WithDescription("Every key that ever signed a receipt, by its kid (the RFC 7638 thumbprint): retired keys stay, so old receipts "
                + "stay verifiable. No token needed.");
        return app;
    }

    private static async Task<Results<Created<ConsentText>, ProblemHttpResult>> PublishAsync(
        PublishConsentTextRequest request, ClaimsPrincipal user, CounsellingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (text, errors) = ConsentTexts.Publish(request, now);
        if (text is null)
        {
            return Problems.Unprocessable(errors);
        }

        var location = $"/reference/consent-texts/{text.Language}/{text.Version}";
        if (await ConsentTextLibrary.FindAsync(db, text.Language, text.Version, cancellationToken) is { } published)
        {
            return Answer(published, text, request, location);
        }

        if (ConsentTexts.RefusesValidFrom(text, now) is { } invalid)
        {
            return Problems.Unprocessable(invalid);
        }

        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        if (!await ConsentTextLibrary.InsertAsync(db, text, cancellationToken))
        {
            // Published by someone else a moment ago.
            published = await ConsentTextLibrary.FindAsync(db, text.Language, text.Version, cancellationToken);
            return Answer(published!, text, request, location);
        }

        db.Record(user, "consent-text.publish", $"{text.Language}/{text.Version} sha256:{text.Sha256}", null, time);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created(location, text);
    }

    private static Results<Created<ConsentText>, ProblemHttpResult> Answer(
        ConsentText published, ConsentText again, PublishConsentTextRequest request, string location) =>
        ConsentTexts.Repeats(published, again, request)
            ? TypedResults.Created(location, published)
            : Problems.Conflict(
                $"Version {published.Version} of the {published.Language} consent text is published already with other content: texts are never "
                + "edited after publication, publish a new version.");
}
