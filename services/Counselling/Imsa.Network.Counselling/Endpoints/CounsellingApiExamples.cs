using Imsa.Network.Counselling.Domain;
using Imsa.Network.ServiceDefaults;

namespace Imsa.Network.Counselling.Endpoints;

/// <summary>The example bodies the Swagger document shows for the Counselling API (an invented person).</summary>
internal static class CounsellingApiExamples
{
    public static void Add(ApiExamples examples) => examples
        .Add(new CaseContent(
            new PersonIdentity("Amina", "Example", new DateOnly(2006, 4, 12), ["MA"]),
            new ContactDetails("amina@example.org", "+212 600 000000", null, null, "ar", "female"),
            new MigrationPlan("vocational-training", new VisaDetails("applied", new DateOnly(2026, 10, 1), null, null), new DateOnly(2027, 3, 1), "55116",
                []),
            new LanguageAndQualifications("B1", "Goethe-Zertifikat B1", ["ar", "fr"],
                [new Qualification("Baccalauréat sciences expérimentales", "MA", null, false, null)]),
            new NeedsAndOpenTasks(
                [new PriorService("Goethe-Institut Rabat", "LANG", "German course A1–B1", new DateOnly(2026, 9, 30))],
                [new OpenTask("ADMN", "Register the address (Anmeldung) within 14 days", new DateOnly(2027, 3, 15), false)]),
            null))
        .Add(new SessionContent(new DateOnly(2026, 11, 20), "video", ["EDU", "REC"], "Discussed the training contract and the visa appointment."))
        .Add(new CloseCaseRequest("handed-over"))
        .Add(new RecordConsentRequest(
            [new Guid("0199a0c4-5b7e-7d3a-9c41-2f5e8a1b6c30")],
            ["identity", "contact", "migration-plan", "language-and-qualifications", "needs-and-open-tasks"],
            ExplicitSpecialCategories: false,
            Method: "signed-form",
            ObtainedAt: new DateTimeOffset(2026, 11, 20, 10, 30, 0, TimeSpan.Zero),
            TextLanguage: "en",
            TextVersion: "1",
            TextSha256: null,
            ValidUntil: new DateTimeOffset(2027, 11, 20, 0, 0, 0, TimeSpan.Zero)))
        .Add(new WithdrawByCodeRequest("7K2M-Q9XD-4TZB-HN3C-WP8R"));
}
