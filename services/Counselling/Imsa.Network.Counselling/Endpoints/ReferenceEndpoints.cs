using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Reference;
using Imsa.Network.Counselling.Domain.ConsentTexts;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Counselling.Endpoints;

/// <param name="Code">The category code consents and dossiers use.</param>
/// <param name="ExplicitConsentOnly">True for special categories: released only by a consent that says so explicitly.</param>
public sealed record DataCategory(string Code, string German, string English, bool ExplicitConsentOnly);

internal static class ReferenceEndpoints
{
    public static readonly IReadOnlyList<DataCategory> Categories =
    [
        new(DataCategories.Identity, "Identität (Name, Geburtsdatum, Staatsangehörigkeit)", "Identity (name, date of birth, nationality)", false),
        new(DataCategories.Contact, "Kontakt und Beratungswünsche (Sprache, Geschlecht der Beratungsperson)", "Contact and counselling preferences (language, counsellor gender)", false),
        new(DataCategories.MigrationPlan, "Migrationsvorhaben (Zweck, Visum, Ankunft, Zielort, Familie)", "Migration plan (purpose, visa, arrival, destination, family)", false),
        new(DataCategories.LanguageAndQualifications, "Sprache und Qualifikationen (Deutschniveau, Anerkennung)", "Language and qualifications (German level, recognition)", false),
        new(DataCategories.CounsellingHistory, "Beratungsverlauf (Beratungsgespräche)", "Counselling history (sessions)", false),
        new(DataCategories.NeedsAndOpenTasks, "Bedarfe und offene Aufgaben", "Needs and open tasks", false),
        new(DataCategories.SpecialCategories, "Besondere Kategorien (Gesundheit, Schutzbedürftigkeit, Ausbeutung)", "Special categories (health, vulnerability, exploitation)", true),
    ];

    public static IEndpointRouteBuilder MapReferenceEndpoints(this IEndpointRouteBuilder app)
    {
        var reference = app.MapGroup("/reference").WithTags("Reference data").AllowAnonymous();
        reference.MapGet("/topics", () => TypedResults.Ok(Topics.All))
            .WithSummary("Counselling topics")
            .WithDescription("The topic codes used in cases, open tasks and handovers, with German and English labels.");
        reference.MapGet("/migration-purposes", () => TypedResults.Ok(MigrationPurposes.All))
            .WithSummary("Migration purposes")
            .WithDescription("The purpose codes of a case's migration plan, each with its legal basis.");
        reference.MapGet("/cefr-levels", () => TypedResults.Ok(CefrLevels.All))
            .WithSummary("German language levels (CEFR A0–C2)");
        reference.MapGet("/data-categories", () => TypedResults.Ok(Categories))
            .WithSummary("Data categories a consent can release")
            .WithDescription("Special categories are released only by a consent with explicitSpecialCategories = true.");
        reference.MapGet("/consent-texts", async (CounsellingDbContext db, CancellationToken cancellationToken) =>
                TypedResults.Ok(await db.ConsentTexts.AsNoTracking()
                    .OrderBy(t => t.Language).ThenBy(t => t.Version).ToListAsync(cancellationToken)))
            .WithSummary("Consent texts")
            .WithDescription("Every published version in every language, with the SHA-256 a consent record stores to prove which text the "
                + "person was shown, whether a qualified translator checked the translation, and from when it is valid.");
        reference.MapGet("/consent-texts/{language}/{version}", async Task<Results<Ok<ConsentText>, ProblemHttpResult>> (
                    string language, string version, CounsellingDbContext db, CancellationToken cancellationToken) =>
                await ConsentTextLibrary.FindAsync(db, language, version, cancellationToken) is { } text
                    ? TypedResults.Ok(text)
                    : Problems.NotFound("Consent text"))
            .WithSummary("One consent text version")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }
}
