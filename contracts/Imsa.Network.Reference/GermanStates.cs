using System.Collections.Frozen;

namespace Imsa.Network.Reference;

/// <param name="Code">ISO 3166-2:DE code, e.g. DE-RP.</param>
/// <param name="Key">The official 2-digit state key (the first two digits of every district and municipality key).</param>
/// <param name="German">The state's German name.</param>
/// <param name="English">An English name.</param>
public sealed record GermanState(string Code, string Key, string German, string English);

/// <summary>The 16 German federal states (Länder).</summary>
public static class GermanStates
{
    public static readonly IReadOnlyList<GermanState> All =
    [
        new("DE-SH", "01", "Schleswig-Holstein", "Schleswig-Holstein"),
        new("DE-HH", "02", "Hamburg", "Hamburg"),
        new("DE-NI", "03", "Niedersachsen", "Lower Saxony"),
        new("DE-HB", "04", "Bremen", "Bremen"),
        new("DE-NW", "05", "Nordrhein-Westfalen", "North Rhine-Westphalia"),
        new("DE-HE", "06", "Hessen", "Hesse"),
        new("DE-RP", "07", "Rheinland-Pfalz", "Rhineland-Palatinate"),
        new("DE-BW", "08", "Baden-Württemberg", "Baden-Württemberg"),
        new("DE-BY", "09", "Bayern", "Bavaria"),
        new("DE-SL", "10", "Saarland", "Saarland"),
        new("DE-BE", "11", "Berlin", "Berlin"),
        new("DE-BB", "12", "Brandenburg", "Brandenburg"),
        new("DE-MV", "13", "Mecklenburg-Vorpommern", "Mecklenburg-Western Pomerania"),
        new("DE-SN", "14", "Sachsen", "Saxony"),
        new("DE-ST", "15", "Sachsen-Anhalt", "Saxony-Anhalt"),
        new("DE-TH", "16", "Thüringen", "Thuringia"),
    ];

    public static readonly FrozenSet<string> Codes = All.Select(s => s.Code).ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, GermanState> ByCode = All.ToFrozenDictionary(s => s.Code, StringComparer.Ordinal);

    /// <summary>By the 2-digit state key.</summary>
    public static readonly FrozenDictionary<string, GermanState> ByKey = All.ToFrozenDictionary(s => s.Key, StringComparer.Ordinal);
}
