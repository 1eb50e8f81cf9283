using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Imsa.Network.Reference;

namespace Imsa.Network.Counselling.Domain.ConsentTexts;

/// <summary>A published version of the consent text in one language, as shown to the person. Never edited after publication.</summary>
/// <param name="Language">ISO 639-1 code.</param>
/// <param name="Version">The text's version; a changed wording is a new version, never an edit.</param>
/// <param name="Sha256">SHA-256 of the UTF-8 text (hex, lower case): what a consent record stores to prove which text was shown.</param>
/// <param name="TranslationChecked">Whether a qualified translator has checked this language version; receipts say so when not.</param>
/// <param name="ValidFrom">Consents can be recorded on this text from then on.</param>
/// <param name="PublishedAt">When it was published (for the texts that ship with the product: when this database got them).</param>
public sealed record ConsentText(
    string Language,
    string Version,
    string Title,
    string Sha256,
    string Text,
    bool TranslationChecked,
    DateTimeOffset ValidFrom,
    DateTimeOffset PublishedAt);

/// <summary>A new version of a consent text, as a coordinator publishes it.</summary>
/// <param name="Language">ISO 639-1 code, e.g. "tr".</param>
/// <param name="Version">1 to 20 letters, digits, dots or dashes, e.g. "2" or "2027-01".</param>
/// <param name="Title">Optional: the text's first line when left out.</param>
/// <param name="Text">The whole text, UTF-8; line endings are stored as LF.</param>
/// <param name="Sha256">Optional: the SHA-256 (hex) of the text with LF line endings, to prove it arrived unchanged.</param>
/// <param name="ValidFrom">Default: now; not in the past.</param>
/// <param name="TranslationChecked">True only when a qualified translator has checked it (default false).</param>
public sealed record PublishConsentTextRequest(
    string? Language,
    string? Version,
    string? Title,
    string? Text,
    string? Sha256,
    DateTimeOffset? ValidFrom,
    bool? TranslationChecked);

/// <summary>The rules of consent texts: what a publication must be, and the texts that ship with the product.</summary>
internal static partial class ConsentTexts
{
    public const int MaxVersionLength = 20;
    public const int MaxTitleLength = 200;
    public const int MaxTextLength = 10_000;

    /// <summary>What an unchecked translation's receipt says about it.</summary>
    public const string UncheckedNotice =
        "This translation has not yet been checked by a qualified translator. If anything in it is unclear, ask your counselling service for the German or English text, which have been checked.";

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    // The four texts the product shipped with first: consents recorded before texts became data name their hashes.
    private static readonly DateTimeOffset FirstTextsValidFrom = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset TranslationsValidFrom = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The texts every database gets at start-up (embedded, so they cannot drift from their hashes): German, English,
    /// French and Arabic, checked; the translations of the same text into the languages the network's people speak,
    /// not yet checked by a qualified translator. Tigrinya is not among them: no trustworthy text could be written.
    /// </summary>
    public static readonly IReadOnlyList<ConsentText> Seeds =
    [
        Load("de", "1", true, FirstTextsValidFrom), Load("en", "1", true, FirstTextsValidFrom),
        Load("fr", "1", true, FirstTextsValidFrom), Load("ar", "1", true, FirstTextsValidFrom),
        .. new[] { "tr", "uk", "ru", "fa", "bg", "el", "es", "it", "hr", "hu", "pl", "ro" }
            .Select(language => Load(language, "1", false, TranslationsValidFrom)),
    ];

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// A publication's text and metadata, or what is wrong with it (every field at once, JSON names as the API spells
    /// them). The validity date is checked by <see cref="RefusesValidFrom"/> once it is known the version is new.
    /// </summary>
    public static (ConsentText? Text, Dictionary<string, string[]> Errors) Publish(PublishConsentTextRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        if (request.Language is null || !Languages.Codes.Contains(request.Language))
        {
            errors["language"] = ["An ISO 639-1 language code in lower case, e.g. \"tr\"."];
        }

        if (request.Version is null || !VersionPattern().IsMatch(request.Version))
        {
            errors["version"] = [string.Create(CultureInfo.InvariantCulture, $"1 to {MaxVersionLength} letters, digits, dots or dashes, starting with a letter or digit.")];
        }

        var text = request.Text?.ReplaceLineEndings("\n");
        if (string.IsNullOrWhiteSpace(text))
        {
            errors["text"] = ["The text is required."];
        }
        else if (text.Length > MaxTextLength)
        {
            errors["text"] = [string.Create(CultureInfo.InvariantCulture, $"At most {MaxTextLength} characters.")];
        }
        else if (!IsPlainText(text, allowLineBreaks: true))
        {
            errors["text"] = ["Only printable characters, line breaks and tabs (no NUL or other control characters, no broken UTF-16)."];
        }

        var title = request.Title?.Trim();
        if (title is null && text is not null && errors.GetValueOrDefault("text") is null)
        {
            title = text.Split('\n', 2)[0].Trim();
        }

        if (string.IsNullOrWhiteSpace(title))
        {
            errors.TryAdd("title", ["A title is required (or a text whose first line is one)."]);
        }
        else if (title.Length > MaxTitleLength || !IsPlainText(title, allowLineBreaks: false))
        {
            errors["title"] = [string.Create(CultureInfo.InvariantCulture, $"One line of at most {MaxTitleLength} printable characters.")];
        }

        var hash = text is not null && !errors.ContainsKey("text") ? Hash(text) : null;
        if (request.Sha256 is not null && hash is not null && !string.Equals(request.Sha256, hash, StringComparison.OrdinalIgnoreCase))
        {
            errors["sha256"] = ["This is not the SHA-256 of the text (UTF-8, LF line endings): it was changed on the way."];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        // To PostgreSQL's microseconds: the first answer and a repeat's (read back) are the same.
        static DateTimeOffset Stored(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);
        return (new ConsentText(
            request.Language!, request.Version!, title!, hash!, text!, request.TranslationChecked ?? false, Stored(request.ValidFrom ?? now), Stored(now)), errors);
    }

    /// <summary>Whether a republication says the same as the version already published (then it is answered as the first time).</summary>
    public static bool Repeats(ConsentText published, ConsentText again, PublishConsentTextRequest request)
    {
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(again);
        ArgumentNullException.ThrowIfNull(request);
        return published.Sha256 == again.Sha256
            && published.Title == again.Title
            && published.TranslationChecked == again.TranslationChecked
            && (request.ValidFrom is null || request.ValidFrom == published.ValidFrom);
    }

    /// <summary>A new version cannot have been valid before it was published.</summary>
    public static Dictionary<string, string[]>? RefusesValidFrom(ConsentText text, DateTimeOffset now) =>
        text.ValidFrom < now - ClockSkew
            ? new Dictionary<string, string[]> { ["validFrom"] = ["Not in the past: a text is valid from its publication on, at the earliest."] }
            : null;

    private static bool IsPlainText(string text, bool allowLineBreaks)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c) || (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\t')) || c is '\u2028' or '\u2029' or '\uFFFE' or '\uFFFF')
            {
                return false;
            }
        }

        return true;
    }

    private static ConsentText Load(string language, string version, bool checkedByTranslator, DateTimeOffset validFrom)
    {
        var name = $"consent-text-v{version}.{language}";
        using var stream = typeof(ConsentTexts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The consent text {name} is not embedded.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd().ReplaceLineEndings("\n");
        var title = text[..text.IndexOf('\n', StringComparison.Ordinal)];
        return new ConsentText(language, version, title, Hash(text), text, checkedByTranslator, validFrom, validFrom);
    }

    [GeneratedRegex(@"^[0-9A-Za-z][0-9A-Za-z.-]{0,19}\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
