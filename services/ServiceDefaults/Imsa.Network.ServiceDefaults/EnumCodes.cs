using System.Collections.Frozen;
using System.Text.Json;

namespace Imsa.Network.ServiceDefaults;

/// <summary>The kebab-case codes of an enum's values, as the APIs and events spell them ("origin-partner").</summary>
public static class EnumCodes
{
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => Codes<TEnum>.ByValue[value];

    /// <summary>Reads a code as the APIs spell it; false for null, unknown or differently spelled codes.</summary>
    public static bool TryParse<TEnum>(string? code, out TEnum value)
        where TEnum : struct, Enum
    {
        value = default;
        return code is not null && Codes<TEnum>.ByCode.TryGetValue(code, out value);
    }

    private static class Codes<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly FrozenDictionary<TEnum, string> ByValue = Enum.GetValues<TEnum>()
            .ToFrozenDictionary(v => v, v => JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()));

        public static readonly FrozenDictionary<string, TEnum> ByCode = ByValue
            .ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }
}
