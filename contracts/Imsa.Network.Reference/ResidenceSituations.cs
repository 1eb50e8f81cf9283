using System.Collections.Frozen;

namespace Imsa.Network.Reference;

/// <param name="Code">The kebab-case code used in cases and directory eligibility.</param>
/// <param name="German">The German label.</param>
/// <param name="English">The English label.</param>
public sealed record ResidenceSituation(string Code, string German, string English);

/// <summary>A person's residence status in Germany, as far as it decides which services may counsel them.</summary>
public static class ResidenceSituations
{
    public const string ResidencePermit = "residence-permit";
    public const string AsylumApplicant = "asylum-applicant";
    public const string Tolerated = "tolerated";
    public const string EuCitizen = "eu-citizen";
    public const string WithoutRegularStatus = "without-regular-status";

    public static readonly IReadOnlyList<ResidenceSituation> All =
    [
        new(ResidencePermit, "Visum oder Aufenthaltstitel", "Visa or residence title"),
        new(AsylumApplicant, "Asylsuchend (Aufenthaltsgestattung)", "Asylum applicant (Aufenthaltsgestattung)"),
        new(Tolerated, "Geduldet (Duldung)", "Tolerated (Duldung)"),
        new(EuCitizen, "Unionsbürger (Freizügigkeit)", "EU citizen (free movement)"),
        new(WithoutRegularStatus, "Ohne regulären Aufenthaltsstatus", "Without regular status"),
    ];

    public static readonly FrozenSet<string> Codes = All.Select(s => s.Code).ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, ResidenceSituation> ByCode = All.ToFrozenDictionary(s => s.Code, StringComparer.Ordinal);

    /// <summary>
    /// The situation a person arriving with <paramref name="purpose"/> (a <see cref="MigrationPurposes"/> code)
    /// will be in: an asylum seeker holds an Aufenthaltsgestattung, an EU citizen moves freely, everyone else
    /// arrives with a visa or residence title.
    /// </summary>
    public static string ExpectedFor(string purpose) => purpose switch
    {
        MigrationPurposes.Asylum => AsylumApplicant,
        MigrationPurposes.EuFreeMovement => EuCitizen,
        _ => ResidencePermit,
    };
}
