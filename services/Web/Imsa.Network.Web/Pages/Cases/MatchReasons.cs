using System.Globalization;
using Imsa.Network.Web.Localization;

namespace Imsa.Network.Web.Pages.Cases;

/// <summary>One reason as the page shows it: in the reader's language, or in English when its code is not known here.</summary>
/// <param name="Note">The service's own words about its capacity, shown as it wrote them.</param>
internal sealed record ShownReason(string Text, bool English, string? Note);

/// <summary>
/// Partners' matching reasons said in the reader's language from their codes (docs/api.md, <c>reasonCodes</c>): topics,
/// purposes and residence situations by the application's own texts, languages by their names in the reader's language.
/// A code this application does not know yet, or an answer without codes, is shown by the English reason at its position.
/// </summary>
internal static class MatchReasons
{
    public static IReadOnlyList<ShownReason> Show(Texts texts, IReadOnlyList<string> reasons, IReadOnlyList<MatchReasonView>? codes)
    {
        var shown = new List<ShownReason>(reasons.Count);
        for (var i = 0; i < reasons.Count; i++)
        {
            var code = codes is not null && i < codes.Count ? codes[i] : null;
            shown.Add(code is not null && Text(texts, code) is { } text
                ? new ShownReason(text, English: false, code.Note)
                : new ShownReason(reasons[i], English: true, Note: null));
        }

        return shown;
    }

    private static string? Text(Texts texts, MatchReasonView reason)
    {
        string Key(string code) => "counsellor.reason." + code;
        string Format(params object[] values) => texts.Format(Key(reason.Code), values);
        string List(IEnumerable<string>? items) => string.Join(texts["counsellor.reason.separator"], items ?? []);
        var languages = List(reason.Languages?.Select(LanguageName));
        var topics = List(reason.Topics?.Select(topic => texts.Code("topic.", topic)));
        string Purpose(string? code) => texts.Code("counsellor.purpose.", code ?? "");
        string Situation(string? code) => texts.Code("org.residence.", code ?? "");
        var open = reason.OpenHandovers ?? 0;
        return reason.Code switch
        {
            "serves-postal-code" or "outside-area" => Format(reason.PostalCode ?? ""),
            "serves-district" => Format(List(reason.Districts)),
            "serves-state" => Format(List(reason.States)),
            "age-eligible" or "age-not-served" => Format(reason.Age ?? 0, AgeRange(texts, reason.MinAge, reason.MaxAge)),
            "purpose-eligible" => Format(Purpose(reason.Purpose)),
            "purpose-not-served" => Format(Purpose(reason.Purpose), List(reason.Purposes?.Select(Purpose))),
            "residence-situation-eligible" => Format(Situation(reason.ResidenceSituation)),
            "residence-situation-not-served" => Format(Situation(reason.ResidenceSituation), List(reason.ResidenceSituations?.Select(Situation))),
            "speaks-languages" or "no-shared-language" => Format(languages),
            "counsels-topics" or "no-shared-topic" => Format(topics),
            "capacity-load" => reason.MaxOpenHandovers is { } max ? Format(open, max) : texts.Format("counsellor.reason.capacity-load-open", open),
            "full" => Format(open, reason.MaxOpenHandovers ?? open),
            "not-accepting" => texts[Key(reason.Code)],
            "paused-until" when reason.Until is { } until => Format(CaseViews.Day(until)),
            _ => null,
        };
    }

    /// <summary>"12–26", "27 and older", "up to 26".</summary>
    private static string AgeRange(Texts texts, int? min, int? max) => (min, max) switch
    {
        ({ } from, { } to) => texts.Format("counsellor.reason.age-from-to", from, to),
        ({ } from, null) => texts.Format("counsellor.reason.age-from", from),
        (null, { } to) => texts.Format("counsellor.reason.age-to", to),
        _ => "",
    };

    /// <summary>A language by its name in the reader's language ("Arabisch" for a German reader); the code where none is known.</summary>
    private static string LanguageName(string code)
    {
        try
        {
            var name = CultureInfo.GetCultureInfo(code).DisplayName;
            return string.IsNullOrEmpty(name) || string.Equals(name, code, StringComparison.OrdinalIgnoreCase) ? code : name;
        }
        catch (CultureNotFoundException)
        {
            return code;
        }
    }
}
