using System.Collections.Immutable;
using Imsa.Network.Reference.Geography;

namespace Imsa.Network.Partners.Domain.Directory;

/// <summary>How closely a service's area fits the case's postal code; more specific ranks higher.</summary>
internal enum AreaMatch
{
    None = 0,
    State = 1,
    District = 2,
    PostalCode = 3,
}

/// <summary>
/// What a match is ranked by, best first: area specificity (postal code, then district, then state), then more
/// of the needed topics, then more of the person's languages, then the lower load (open handovers over the
/// maximum; a service without a maximum counts as load 0), then fewer open handovers. Ties left after that go
/// by name, then id (<see cref="DirectoryIndex"/>), so the order is total and the same for the same input.
/// </summary>
/// <param name="Area">The most specific part of the service's area that covers the postal code.</param>
/// <param name="Topics">How many of the case's topics the service offers.</param>
/// <param name="Languages">How many of the case's languages the service speaks.</param>
/// <param name="OpenHandovers">The service's open handovers.</param>
/// <param name="MaxOpenHandovers">The service's maximum, if it declared one.</param>
internal readonly record struct MatchScore(AreaMatch Area, int Topics, int Languages, int OpenHandovers, int? MaxOpenHandovers)
    : IComparable<MatchScore>
{
    /// <summary>Open handovers over the maximum (0 to 1 for an eligible service); 0 without a maximum.</summary>
    public double Load => MaxOpenHandovers is > 0 and var max ? (double)OpenHandovers / max : 0;

    /// <summary>Negative when this score ranks before <paramref name="other"/> (is better).</summary>
    public int CompareTo(MatchScore other)
    {
        var byPreference = other.Area.CompareTo(Area);
        if (byPreference == 0)
        {
            byPreference = other.Topics.CompareTo(Topics);
        }

        if (byPreference == 0)
        {
            byPreference = other.Languages.CompareTo(Languages);
        }

        if (byPreference == 0)
        {
            // open/max compared exactly, by cross-multiplying; no maximum counts as 0/1.
            var (open, max) = MaxOpenHandovers is > 0 and var m ? (OpenHandovers, m) : (0, 1);
            var (otherOpen, otherMax) = other.MaxOpenHandovers is > 0 and var om ? (other.OpenHandovers, om) : (0, 1);
            byPreference = ((long)open * otherMax).CompareTo((long)otherOpen * max);
        }

        if (byPreference == 0)
        {
            byPreference = OpenHandovers.CompareTo(other.OpenHandovers);
        }

        return byPreference;
    }

    public static bool operator <(MatchScore left, MatchScore right) => left.CompareTo(right) < 0;

    public static bool operator >(MatchScore left, MatchScore right) => left.CompareTo(right) > 0;

    public static bool operator <=(MatchScore left, MatchScore right) => left.CompareTo(right) <= 0;

    public static bool operator >=(MatchScore left, MatchScore right) => left.CompareTo(right) >= 0;
}

/// <summary>An eligible service, with why it was suggested.</summary>
/// <param name="Rank">1 for the best match.</param>
/// <param name="Reasons">Human-readable, in a fixed order: area, age, purpose, residence situation, languages, topics, load.</param>
/// <param name="Codes">The same reasons as codes, at the same positions.</param>
internal sealed record ServiceMatch(ReceivingServiceEntry Entry, int Rank, MatchScore Score, IReadOnlyList<string> Reasons, IReadOnlyList<MatchReason> Codes);

/// <summary>A service that was not suggested, with every rule it failed (in English, and as codes at the same positions).</summary>
internal sealed record ServiceExclusion(ReceivingServiceEntry Entry, IReadOnlyList<string> Reasons, IReadOnlyList<MatchReason> Codes);

/// <summary>The outcome of <see cref="DirectoryIndex.Match"/>.</summary>
/// <param name="ResidenceSituation">The residence situation matched against (given, or derived from the purpose).</param>
/// <param name="Districts">The districts of the case's postal code; empty when the postal code is unknown (and then nothing matches).</param>
/// <param name="Matches">Eligible services, best first (see <see cref="MatchScore"/>).</param>
/// <param name="Exclusions">
/// Only when explanations were asked for: the services whose area touches the case's state that were not
/// suggested, sorted by name, then id. Services elsewhere in Germany are left out on purpose.
/// </param>
internal sealed record MatchResult(
    string ResidenceSituation,
    ImmutableArray<District> Districts,
    IReadOnlyList<ServiceMatch> Matches,
    IReadOnlyList<ServiceExclusion>? Exclusions);
