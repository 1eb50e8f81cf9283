using Microsoft.AspNetCore.WebUtilities;

namespace Imsa.Network.Partners.Identity;

/// <summary>One text of the token server's pages for people, in each language they are offered in.</summary>
internal sealed record Said(string En, string De, string Fr, string Ar)
{
    public string In(PersonLanguage language) => language.Code switch
    {
        "de" => De,
        "fr" => Fr,
        "ar" => Ar,
        _ => En,
    };
}

/// <summary>
/// The language of a page for a person: the one the application asked for in the authorization request
/// (OpenID Connect's <c>ui_locales</c>, carried in the page's return address) or the page's link named (the
/// invitation's and the account page's <c>lang</c>), else the browser's Accept-Language, else English. German, English, French and Arabic, as the web application.
/// </summary>
internal sealed record PersonLanguage(string Code)
{
    public static readonly PersonLanguage English = new("en");

    private static readonly string[] Offered = ["en", "de", "fr", "ar"];

    public string Direction => Code == "ar" ? "rtl" : "ltr";

    /// <summary>
    /// The language of a page whose return address may name one: an authorization request's <c>ui_locales</c>, or the
    /// account page's <c>lang</c>.
    /// </summary>
    public static PersonLanguage Of(HttpContext http, string? returnUrl)
    {
        var query = returnUrl?.IndexOf('?', StringComparison.Ordinal) is { } at and >= 0 ? QueryHelpers.ParseQuery(returnUrl[at..]) : null;
        var asked = query is null ? null
            : query.TryGetValue("ui_locales", out var locales) ? locales.ToString()
            : query.TryGetValue("lang", out var lang) ? lang.ToString()
            : null;
        return Asked(http, asked);
    }

    /// <summary>The first offered language of <paramref name="locales"/> (codes separated by spaces, as <c>ui_locales</c>), else the browser's.</summary>
    public static PersonLanguage Asked(HttpContext http, string? locales)
    {
        foreach (var locale in (locales ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Offered.FirstOrDefault(code => Matches(locale, code)) is { } code)
            {
                return new PersonLanguage(code);
            }
        }

        var accepted = http.Request.GetTypedHeaders().AcceptLanguage
            .Where(value => value.Quality is null or > 0)
            .OrderByDescending(value => value.Quality ?? 1);
        foreach (var value in accepted)
        {
            if (Offered.FirstOrDefault(code => Matches(value.Value.ToString(), code)) is { } code)
            {
                return new PersonLanguage(code);
            }
        }

        return English;
    }

    /// <summary>The offered language with exactly this code (de, en, fr, ar); null for any other.</summary>
    public static PersonLanguage? Named(string? code) => code is not null && Offered.Contains(code) ? new PersonLanguage(code) : null;

    private static bool Matches(string locale, string code) =>
        locale.Equals(code, StringComparison.OrdinalIgnoreCase) || locale.StartsWith(code + "-", StringComparison.OrdinalIgnoreCase);
}
