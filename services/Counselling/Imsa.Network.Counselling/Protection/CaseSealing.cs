using System.Text.Json;
using Imsa.Network.Counselling.Domain;

namespace Imsa.Network.Counselling.Protection;

/// <summary>Seals a case's content section by section (one per data category), so a dossier opens only the released ones.</summary>
internal static class CaseSealing
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void SealContent(this CaseCipher cipher, Case target, CaseContent content)
    {
        target.Identity = cipher.SealSection("identity", content.Identity);
        target.Contact = cipher.SealSection("contact", content.Contact);
        target.MigrationPlan = cipher.SealSection("migration-plan", content.MigrationPlan);
        target.LanguageAndQualifications = cipher.SealSection("language-and-qualifications", content.LanguageAndQualifications);
        target.NeedsAndOpenTasks = cipher.SealSection("needs-and-open-tasks", content.NeedsAndOpenTasks);
        target.SpecialCategories = cipher.SealSection("special-categories", content.SpecialCategories);
    }

    public static PersonIdentity OpenIdentity(this CaseCipher cipher, Case source) => cipher.OpenSection<PersonIdentity>("identity", source.Identity)!;

    public static ContactDetails? OpenContact(this CaseCipher cipher, Case source) => cipher.OpenSection<ContactDetails>("contact", source.Contact);

    public static MigrationPlan OpenMigrationPlan(this CaseCipher cipher, Case source) =>
        cipher.OpenSection<MigrationPlan>("migration-plan", source.MigrationPlan)!;

    public static LanguageAndQualifications? OpenLanguageAndQualifications(this CaseCipher cipher, Case source) =>
        cipher.OpenSection<LanguageAndQualifications>("language-and-qualifications", source.LanguageAndQualifications);

    public static NeedsAndOpenTasks? OpenNeedsAndOpenTasks(this CaseCipher cipher, Case source) =>
        cipher.OpenSection<NeedsAndOpenTasks>("needs-and-open-tasks", source.NeedsAndOpenTasks);

    public static SpecialCategories? OpenSpecialCategories(this CaseCipher cipher, Case source) =>
        cipher.OpenSection<SpecialCategories>("special-categories", source.SpecialCategories);

    public static CaseContent OpenContent(this CaseCipher cipher, Case source) => new(
        cipher.OpenIdentity(source),
        cipher.OpenContact(source),
        cipher.OpenMigrationPlan(source),
        cipher.OpenLanguageAndQualifications(source),
        cipher.OpenNeedsAndOpenTasks(source),
        cipher.OpenSpecialCategories(source));

    public static byte[] SealSession(this CaseCipher cipher, Guid sessionId, SessionContent content) =>
        cipher.SealSection($"session|{sessionId:N}", content)!;

    public static SessionContent OpenSession(this CaseCipher cipher, CounsellingSession session) =>
        cipher.OpenSection<SessionContent>($"session|{session.Id:N}", session.Content)!;

    private static byte[]? SealSection<T>(this CaseCipher cipher, string field, T? value)
        where T : class =>
        value is null ? null : cipher.Seal(field, JsonSerializer.SerializeToUtf8Bytes(value, Json));

    private static T? OpenSection<T>(this CaseCipher cipher, string field, byte[]? sealedValue)
        where T : class =>
        sealedValue is null ? null : JsonSerializer.Deserialize<T>(cipher.Open(field, sealedValue), Json);
}
