using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace Imsa.Network.Web.Localization;

/// <summary>
/// The application's languages. The person's choice is kept in a cookie (ASP.NET Core's culture cookie); before
/// they choose, the browser's Accept-Language decides, and English when it names none of them.
/// </summary>
internal static class Languages
{
    public static readonly IReadOnlyList<Language> All =
    [
        new("de", "Deutsch", RightToLeft: false),
        new("en", "English", RightToLeft: false),
        new("fr", "Français", RightToLeft: false),
        new("ar", "العربية", RightToLeft: true),
    ];

    public static Language Current => All.FirstOrDefault(l => l.Code == CultureInfo.CurrentUICulture.TwoLetterISOLanguageName) ?? All[1];

    public static IApplicationBuilder UseLanguages(this IApplicationBuilder app)
    {
        var cultures = All.Select(l => Culture(l.Code)).ToList();
        var options = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("en"),
            SupportedCultures = cultures,
            SupportedUICultures = cultures,
            FallBackToParentCultures = true,
            FallBackToParentUICultures = true,
        };
        // The cookie first (the person's choice), then Accept-Language; never the query string (URLs stay clean) but
        // on the person's withdrawal page, whose link on the printed receipt names the receipt's language.
        options.RequestCultureProviders =
        [
            new CookieRequestCultureProvider(),
            new CustomRequestCultureProvider(context => Task.FromResult(
                context.Request.Path.StartsWithSegments("/withdraw") && context.Request.Query["lang"].ToString() is { Length: 2 } lang
                    ? new ProviderCultureResult(lang)
                    : null)),
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
        return app.UseRequestLocalization(options);
    }

    /// <summary>The culture for formatting; Arabic keeps the Gregorian calendar, as the network's dates are (not the Hijri default of some Arabic locales).</summary>
    public static CultureInfo Culture(string code)
    {
        var culture = new CultureInfo(code);
        if (code == "en")
        {
            // The neutral "en" formats as in the United States (12/2/2026); the network works in Europe: 02/12/2026.
            culture.DateTimeFormat = (DateTimeFormatInfo)CultureInfo.GetCultureInfo("en-GB").DateTimeFormat.Clone();
        }

        if (culture.Calendar is not GregorianCalendar && culture.OptionalCalendars.OfType<GregorianCalendar>().FirstOrDefault() is { } gregorian)
        {
            culture.DateTimeFormat.Calendar = gregorian;
        }

        return culture;
    }
}

internal sealed record Language(string Code, string Name, bool RightToLeft)
{
    public string Direction => RightToLeft ? "rtl" : "ltr";
}
