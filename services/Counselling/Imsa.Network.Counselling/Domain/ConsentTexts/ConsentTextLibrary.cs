using Imsa.Network.Counselling.Data;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Counselling.Domain.ConsentTexts;

/// <summary>The published consent texts in the database: written once, never changed.</summary>
internal static class ConsentTextLibrary
{
    /// <summary>
    /// Adds the texts that ship with the product where missing. Safe when several instances start at once, and
    /// never overwrites: a version already there (seeded before, or published by a coordinator) stays as it is.
    /// </summary>
    public static async Task SeedAsync(CounsellingDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        foreach (var text in ConsentTexts.Seeds)
        {
            await InsertAsync(db, text with { PublishedAt = now < text.ValidFrom ? text.ValidFrom : now }, cancellationToken);
        }
    }

    /// <summary>Writes the text unless its language and version exist already; true when this call wrote it.</summary>
    public static async Task<bool> InsertAsync(CounsellingDbContext db, ConsentText text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(text);
        // ON CONFLICT: two publications (or instances seeding) racing each other both succeed, and the first text stays.
        var written = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO consent_texts (language, version, title, sha256, text, translation_checked, valid_from, published_at)
            VALUES ({text.Language}, {text.Version}, {text.Title}, {text.Sha256}, {text.Text}, {text.TranslationChecked}, {text.ValidFrom}, {text.PublishedAt})
            ON CONFLICT (language, version) DO NOTHING
            """,
            cancellationToken);
        return written == 1;
    }

    public static Task<ConsentText?> FindAsync(CounsellingDbContext db, string? language, string? version, CancellationToken cancellationToken) =>
        language is null || version is null
            ? Task.FromResult<ConsentText?>(null)
            : db.ConsentTexts.AsNoTracking().FirstOrDefaultAsync(t => t.Language == language && t.Version == version, cancellationToken);
}

internal static class ConsentTextSeeding
{
    /// <summary>Gives the database the texts that ship with the product, before the service serves requests.</summary>
    public static async Task SeedConsentTextsAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CounsellingDbContext>();
        await ConsentTextLibrary.SeedAsync(db, scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(), CancellationToken.None);
    }
}
