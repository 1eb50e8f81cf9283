using System.Collections.Frozen;

namespace Imsa.Network.Reference;

/// <param name="Code">The kebab-case purpose code used in cases, directory eligibility and events.</param>
/// <param name="LegalBasis">The provision the purpose rests on (AufenthG unless another act is named).</param>
/// <param name="German">The German label.</param>
/// <param name="English">The English label.</param>
public sealed record MigrationPurpose(string Code, string LegalBasis, string German, string English);

/// <summary>Why a person moves to Germany, each purpose with its legal basis.</summary>
public static class MigrationPurposes
{
    public const string VocationalTraining = "vocational-training";
    public const string Study = "study";
    public const string Recognition = "recognition";
    public const string TrainingOrStudySearch = "training-or-study-search";
    public const string SkilledWorkerVocational = "skilled-worker-vocational";
    public const string SkilledWorkerAcademic = "skilled-worker-academic";
    public const string EuBlueCard = "eu-blue-card";
    public const string OtherEmployment = "other-employment";
    public const string OpportunityCard = "opportunity-card";
    public const string FamilyReunification = "family-reunification";
    public const string EuFreeMovement = "eu-free-movement";
    public const string Asylum = "asylum";
    public const string Other = "other";

    public static readonly IReadOnlyList<MigrationPurpose> All =
    [
        new(VocationalTraining, "§ 16a AufenthG", "Berufsausbildung", "Vocational training"),
        new(Study, "§ 16b AufenthG", "Studium", "Study"),
        new(Recognition, "§ 16d AufenthG, incl. recognition partnership § 16d(3)",
            "Anerkennung ausländischer Berufsqualifikationen (inkl. Anerkennungspartnerschaft)",
            "Recognition of foreign qualifications (incl. recognition partnership)"),
        new(TrainingOrStudySearch, "§ 17 AufenthG", "Suche nach einem Ausbildungs- oder Studienplatz", "Search for a training or study place"),
        new(SkilledWorkerVocational, "§ 18a AufenthG", "Fachkraft mit Berufsausbildung", "Skilled worker with vocational training"),
        new(SkilledWorkerAcademic, "§ 18b AufenthG", "Fachkraft mit akademischer Ausbildung", "Skilled worker with academic degree"),
        new(EuBlueCard, "§ 18g AufenthG", "Blaue Karte EU", "EU Blue Card"),
        new(OtherEmployment, "§ 19c AufenthG, incl. Western Balkans rule § 26(2) BeschV",
            "Sonstige Beschäftigung (inkl. Westbalkanregelung)", "Other employment (incl. Western Balkans rule)"),
        new(OpportunityCard, "§ 20a AufenthG", "Chancenkarte", "Opportunity Card"),
        new(FamilyReunification, "§§ 28, 30, 32, 36, 36a AufenthG", "Familiennachzug", "Family reunification"),
        new(EuFreeMovement, "FreizügG/EU", "EU-Freizügigkeit", "EU free movement"),
        new(Asylum, "AsylG", "Asyl und internationaler Schutz", "Asylum and international protection"),
        new(Other, "", "Sonstiger Zweck", "Other purpose"),
    ];

    public static readonly FrozenSet<string> Codes = All.Select(p => p.Code).ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, MigrationPurpose> ByCode = All.ToFrozenDictionary(p => p.Code, StringComparer.Ordinal);
}
