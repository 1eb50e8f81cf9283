using System.Collections.Frozen;

namespace Imsa.Network.Reference;

/// <param name="Code">The topic code used in cases, tasks, directory entries and events.</param>
/// <param name="German">The German label.</param>
/// <param name="English">The English label.</param>
public sealed record Topic(string Code, string German, string English);

/// <summary>The network's counselling topics, one code each, with German and English labels.</summary>
public static class Topics
{
    public static readonly IReadOnlyList<Topic> All =
    [
        new("RES", "Aufenthalt, Visum, Einbürgerung", "Residence, visa, naturalisation"),
        new("ASYL", "Asylverfahren", "Asylum procedure"),
        new("FAMR", "Familiennachzug", "Family reunification"),
        new("REC", "Anerkennung von Abschlüssen", "Recognition of qualifications"),
        new("LANG", "Deutsch lernen / Integrationskurs", "German language / integration course"),
        new("WORK", "Arbeit & Jobsuche", "Employment & job search"),
        new("EDU", "Ausbildung, Studium, Weiterbildung", "Training, study, further education"),
        new("LABR", "Arbeitsrechte, Schutz vor Ausbeutung", "Labour rights, exploitation"),
        new("SOCB", "Existenzsicherung & Sozialleistungen", "Livelihood & social benefits"),
        new("SOCS", "Sozialversicherung & Rente", "Social insurance & pensions"),
        new("HOUS", "Wohnen", "Housing"),
        new("HLTH", "Gesundheit & Krankenversicherung", "Health & health insurance"),
        new("FAMK", "Familie, Kinder, Kita, Schule", "Family, children, childcare, school"),
        new("PSY", "Psychosoziale Unterstützung", "Psychosocial support"),
        new("DISC", "Diskriminierung & Rassismus", "Discrimination & racism"),
        new("VIOL", "Gewaltschutz & Menschenhandel", "Violence protection & trafficking"),
        new("FIN", "Finanzen, Konto, Schulden", "Money, banking, debt"),
        new("ADMN", "Behörden, Formulare, Anmeldung", "Authorities, forms, registration"),
        new("ORNT", "Alltagsorientierung", "Everyday orientation"),
        new("PART", "Soziale Teilhabe & Netzwerke", "Social participation & community"),
        new("PREP", "Ausreisevorbereitung & Dokumente", "Pre-departure preparation & documents"),
        new("RETN", "Rückkehr & Weiterwanderung", "Return & onward migration"),
    ];

    /// <summary>The topic codes, for validating input.</summary>
    public static readonly FrozenSet<string> Codes = All.Select(t => t.Code).ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, Topic> ByCode = All.ToFrozenDictionary(t => t.Code, StringComparer.Ordinal);
}
