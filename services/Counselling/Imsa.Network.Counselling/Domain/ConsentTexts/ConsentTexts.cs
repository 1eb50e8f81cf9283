using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace Imsa.Network.Counselling.Domain.ConsentTexts;

/// <summary>A version of the consent text in one language, as shown to the person.</summary>
/// <param name="Language">ISO 639-1 code.</param>
/// <param name="Version">The text's version; a changed wording is a new version, never an edit.</param>
/// <param name="Sha256">SHA-256 of the UTF-8 text (hex, lower case): what a consent record stores to prove which text was shown.</param>
public sealed record ConsentText(string Language, string Version, string Title, string Sha256, string Text);

/// <summary>The consent text templates that ship with the product (embedded, so they cannot drift from their hashes).</summary>
internal static class ConsentTexts
{
    public static readonly IReadOnlyList<ConsentText> All = [Load("de", "1"), Load("en", "1"), Load("fr", "1"), Load("ar", "1")];

    private static readonly FrozenDictionary<(string Language, string Version), ConsentText> ByKey =
        All.ToFrozenDictionary(t => (t.Language, t.Version));

    public static ConsentText? Find(string? language, string? version) =>
        language is not null && version is not null && ByKey.TryGetValue((language, version), out var text) ? text : null;

    private static ConsentText Load(string language, string version)
    {
        var name = $"consent-text-v{version}.{language}";
        using var stream = typeof(ConsentTexts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The consent text {name} is not embedded.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd().ReplaceLineEndings("\n");
        var title = text[..text.IndexOf('\n', StringComparison.Ordinal)];
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        return new ConsentText(language, version, title, hash, text);
    }
}
