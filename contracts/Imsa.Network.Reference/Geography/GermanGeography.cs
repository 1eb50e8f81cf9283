using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Imsa.Network.Reference.Geography;

/// <summary>A district (Kreis, kreisfreie Stadt, Region, ...).</summary>
/// <param name="Key">The 5-digit official district key (Kreisschlüssel), e.g. 07315.</param>
/// <param name="Name">The district's name, e.g. Kreisfreie Stadt Mainz.</param>
/// <param name="State">The ISO 3166-2:DE code of its state, from the first two digits of the key, e.g. DE-RP.</param>
public sealed record District(string Key, string Name, string State);

/// <summary>
/// German postal codes, the districts they lie in and the districts' states, from the embedded
/// de-postal-codes.csv (GeoNames, CC BY 4.0; see NOTICE.md and docs/data-sources.md). A postal code can lie in
/// several districts, and then in several states: every lookup keeps all of them.
/// </summary>
/// <remarks>
/// Immutable and safe to share between threads; load it once (<see cref="Shared"/>, or <see cref="Load"/> into
/// a DI singleton). Loading parses about 23,000 rows and takes some tens of milliseconds.
/// </remarks>
public sealed class GermanGeography
{
    /// <summary>The name of the embedded resource (LogicalName in the project file).</summary>
    public const string ResourceName = "de-postal-codes.csv";

    private const string Header = "postal_code,place,district_key,district_name,state,latitude,longitude";

    // Prefixes that say what kind of district a name is; a name with one is preferred (see ChooseName).
    private static readonly string[] TypedNamePrefixes =
        ["Kreisfreie Stadt ", "Landkreis ", "Kreis ", "Stadtkreis ", "Region ", "Regionalverband ", "Städteregion "];

    private static readonly Lazy<GermanGeography> SharedInstance = new(Load);

    // Plain dictionaries for the 10,000-key maps: built once, never changed after the constructor, so safe to read
    // from many threads; a FrozenDictionary would read a little faster but take longer to build than the parse.
    private readonly Dictionary<string, PostalCodeEntry> postalCodes;
    private readonly FrozenDictionary<string, ImmutableArray<string>> postalCodesByDistrict;
    private readonly FrozenDictionary<string, ImmutableArray<District>> districtsByState;

    private GermanGeography(
        FrozenDictionary<string, District> districts,
        Dictionary<string, PostalCodeEntry> postalCodes,
        FrozenDictionary<string, ImmutableArray<string>> postalCodesByDistrict)
    {
        Districts = districts;
        this.postalCodes = postalCodes;
        this.postalCodesByDistrict = postalCodesByDistrict;
        PostalCodes = [.. postalCodes.Keys.Order(StringComparer.Ordinal)];
        districtsByState = districts.Values
            .GroupBy(d => d.State, StringComparer.Ordinal)
            .ToFrozenDictionary(
                group => group.Key,
                group => group.OrderBy(d => d.Key, StringComparer.Ordinal).ToImmutableArray(),
                StringComparer.Ordinal);
    }

    /// <summary>The geography of the embedded data, loaded at first use.</summary>
    public static GermanGeography Shared => SharedInstance.Value;

    /// <summary>Every district, by key.</summary>
    public FrozenDictionary<string, District> Districts { get; }

    /// <summary>Every known postal code, ordered.</summary>
    public ImmutableArray<string> PostalCodes { get; }

    /// <summary>The distinct districts a postal code lies in, ordered by key; empty if the code is unknown.</summary>
    public ImmutableArray<District> DistrictsOf(string postalCode) =>
        postalCodes.TryGetValue(postalCode, out var entry) ? entry.Districts : [];

    /// <summary>The distinct states (ISO 3166-2:DE) a postal code lies in, ordered; empty if the code is unknown.</summary>
    public ImmutableArray<string> StatesOf(string postalCode) =>
        postalCodes.TryGetValue(postalCode, out var entry) ? entry.States : [];

    /// <summary>The postal codes (wholly or partly) in a district, ordered; empty if the key is unknown.</summary>
    public ImmutableArray<string> PostalCodesIn(string districtKey) =>
        postalCodesByDistrict.TryGetValue(districtKey, out var codes) ? codes : [];

    /// <summary>The districts of a state (ISO 3166-2:DE), ordered by key; empty if the code is unknown.</summary>
    public ImmutableArray<District> DistrictsIn(string state) =>
        districtsByState.TryGetValue(state, out var districts) ? districts : [];

    public bool TryGetDistrict(string districtKey, [MaybeNullWhen(false)] out District district) =>
        Districts.TryGetValue(districtKey, out district);

    public bool IsPostalCode(string? postalCode) => postalCode is not null && postalCodes.ContainsKey(postalCode);

    public bool IsDistrict(string? districtKey) => districtKey is not null && Districts.ContainsKey(districtKey);

    /// <summary>Whether the code is one of the 16 states (ISO 3166-2:DE, e.g. DE-RP).</summary>
    public static bool IsState(string? state) => state is not null && GermanStates.Codes.Contains(state);

    /// <summary>Loads the embedded de-postal-codes.csv.</summary>
    public static GermanGeography Load()
    {
        using var stream = typeof(GermanGeography).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from {typeof(GermanGeography).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader);
    }

    /// <summary>
    /// Reads rows of postal_code,place,district_key,district_name,state,latitude,longitude (RFC 4180 quoting;
    /// only the postal code, district key and district name are used). A district's state comes from its key,
    /// not from the state column. Where rows spell a district's name differently (the source merges two naming
    /// styles: "Kreisfreie Stadt Mainz" and "Mainz, kreisfreie Stadt"), the name with a type prefix wins,
    /// otherwise the shortest ("Nürnberg" over "Nuremberg", "Frankfurt am Main" over "Frankfurt am Main,
    /// Stadt"), so the result does not depend on row order.
    /// </summary>
    public static GermanGeography Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine();
        if (header != Header)
        {
            throw new InvalidDataException($"Unexpected header '{header}', expected '{Header}'.");
        }

        var names = new Dictionary<string, string>(512, StringComparer.Ordinal);
        var keysByPostalCode = new Dictionary<string, List<string>>(12_000, StringComparer.Ordinal);
        var postalCodesOfDistrict = new Dictionary<string, List<string>>(512, StringComparer.Ordinal);
        var postalCodeLookup = keysByPostalCode.GetAlternateLookup<ReadOnlySpan<char>>();
        var nameLookup = names.GetAlternateLookup<ReadOnlySpan<char>>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var rest = line.AsSpan();
            var postalCode = NextField(ref rest, lineNumber);
            _ = NextField(ref rest, lineNumber);                          // place
            var key = NextField(ref rest, lineNumber);
            var name = NextField(ref rest, lineNumber);
            if (!IsDigits(postalCode, 5) || !IsDigits(key, 5))
            {
                throw new InvalidDataException($"Line {lineNumber}: invalid postal code '{postalCode}' or district key '{key}'.");
            }

            string districtKey;
            if (nameLookup.TryGetValue(key, out var knownKey, out var knownName))
            {
                districtKey = knownKey;
                if (!name.SequenceEqual(knownName))
                {
                    names[districtKey] = ChooseName(knownName, Unquote(name));
                }
            }
            else
            {
                districtKey = key.ToString();
                if (!GermanStates.ByKey.ContainsKey(districtKey[..2]))
                {
                    throw new InvalidDataException($"Line {lineNumber}: district key '{districtKey}' names no state.");
                }

                names.Add(districtKey, Unquote(name));
            }

            if (!postalCodeLookup.TryGetValue(postalCode, out var code, out var keys))
            {
                code = postalCode.ToString();
                keysByPostalCode.Add(code, keys = new List<string>(1));
            }

            if (!keys.Contains(districtKey))
            {
                keys.Add(districtKey);
                if (!postalCodesOfDistrict.TryGetValue(districtKey, out var codes))
                {
                    postalCodesOfDistrict.Add(districtKey, codes = []);
                }

                codes.Add(code);
            }
        }

        var districts = names.ToFrozenDictionary(
            entry => entry.Key,
            entry => new District(entry.Key, entry.Value, GermanStates.ByKey[entry.Key[..2]].Code),
            StringComparer.Ordinal);

        // Most postal codes lie in one district: they share one states array per state.
        var singleStates = GermanStates.Codes.ToDictionary(state => state, state => ImmutableArray.Create(state), StringComparer.Ordinal);
        var postalCodes = new Dictionary<string, PostalCodeEntry>(keysByPostalCode.Count, StringComparer.Ordinal);
        foreach (var (code, keys) in keysByPostalCode)
        {
            if (keys.Count == 1)
            {
                var district = districts[keys[0]];
                postalCodes.Add(code, new PostalCodeEntry([district], singleStates[district.State]));
                continue;
            }

            var of = keys.Order(StringComparer.Ordinal).Select(key => districts[key]).ToImmutableArray();
            postalCodes.Add(code, new PostalCodeEntry(of, [.. of.Select(d => d.State).Distinct().Order(StringComparer.Ordinal)]));
        }

        var postalCodesByDistrict = postalCodesOfDistrict.ToFrozenDictionary(
            entry => entry.Key,
            entry => entry.Value.Order(StringComparer.Ordinal).ToImmutableArray(),
            StringComparer.Ordinal);
        return new GermanGeography(districts, postalCodes, postalCodesByDistrict);
    }

    private static string ChooseName(string a, string b)
    {
        var aTyped = HasTypePrefix(a);
        if (aTyped != HasTypePrefix(b))
        {
            return aTyped ? a : b;
        }

        if (a.Length != b.Length)
        {
            return a.Length < b.Length ? a : b;
        }

        return string.CompareOrdinal(a, b) <= 0 ? a : b;
    }

    private static bool HasTypePrefix(string name)
    {
        foreach (var prefix in TypedNamePrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The next field of a CSV line, still quoted if it was (see <see cref="Unquote"/>); advances
    /// <paramref name="rest"/> past the field and its comma.
    /// </summary>
    private static ReadOnlySpan<char> NextField(ref ReadOnlySpan<char> rest, int lineNumber)
    {
        int end;
        if (rest.Length > 0 && rest[0] == '"')
        {
            // A quoted field ends at a quote that is not doubled.
            end = 1;
            while (true)
            {
                var quote = rest[end..].IndexOf('"');
                if (quote < 0)
                {
                    throw new InvalidDataException($"Line {lineNumber}: unterminated quoted field.");
                }

                end += quote + 1;
                if (end < rest.Length && rest[end] == '"')
                {
                    end++;
                    continue;
                }

                break;
            }

            if (end < rest.Length && rest[end] != ',')
            {
                throw new InvalidDataException($"Line {lineNumber}: expected a comma after a quoted field.");
            }
        }
        else
        {
            end = rest.IndexOf(',');
            if (end < 0)
            {
                end = rest.Length;
            }
        }

        var field = rest[..end];
        rest = end < rest.Length ? rest[(end + 1)..] : [];
        return field;
    }

    private static string Unquote(ReadOnlySpan<char> field) =>
        field is ['"', .. var inner, '"'] ? inner.ToString().Replace("\"\"", "\"", StringComparison.Ordinal) : field.ToString();

    private static bool IsDigits(ReadOnlySpan<char> value, int length) =>
        value.Length == length && !value.ContainsAnyExceptInRange('0', '9');

    private readonly record struct PostalCodeEntry(ImmutableArray<District> Districts, ImmutableArray<string> States);
}
