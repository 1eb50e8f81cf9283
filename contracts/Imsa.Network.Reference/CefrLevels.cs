namespace Imsa.Network.Reference;

/// <param name="Code">A0 (no German yet) or a level of the Common European Framework of Reference for Languages.</param>
public sealed record CefrLevel(string Code, string German, string English);

/// <summary>German language levels after the CEFR (GER), with A0 for "no German yet".</summary>
public static class CefrLevels
{
    public static readonly IReadOnlyList<CefrLevel> All =
    [
        new("A0", "Keine Deutschkenntnisse", "No German yet"),
        new("A1", "Anfänger", "Beginner"),
        new("A2", "Grundlegende Kenntnisse", "Elementary"),
        new("B1", "Fortgeschrittene Sprachverwendung", "Intermediate"),
        new("B2", "Selbständige Sprachverwendung", "Upper intermediate"),
        new("C1", "Fachkundige Sprachkenntnisse", "Advanced"),
        new("C2", "Annähernd muttersprachliche Kenntnisse", "Proficient"),
    ];

    public static readonly IReadOnlySet<string> Codes = All.Select(l => l.Code).ToHashSet(StringComparer.Ordinal);
}
