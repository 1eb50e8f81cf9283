namespace Imsa.Network.Partners.Domain.Directory;

/// <summary>
/// A reason of a match or an exclusion as a code of a fixed vocabulary with the values it names, for a client that
/// says it in its own words; the English reason at the same position says the same (docs/api.md lists the codes).
/// Only the values a code names are set.
/// </summary>
internal sealed record MatchReason(string Code)
{
    // Why a service was suggested, in the order the reasons are given.

    /// <summary>It lists the case's postal code (<see cref="PostalCode"/>).</summary>
    public const string ServesPostalCode = "serves-postal-code";

    /// <summary>It lists the district(s) of the postal code it serves (<see cref="Districts"/>).</summary>
    public const string ServesDistrict = "serves-district";

    /// <summary>It lists the state(s) of the postal code it serves (<see cref="States"/>).</summary>
    public const string ServesState = "serves-state";

    /// <summary>Its age range (<see cref="MinAge"/>, <see cref="MaxAge"/>) includes the case's <see cref="Age"/>; only when it limits age.</summary>
    public const string AgeEligible = "age-eligible";

    /// <summary>It serves the case's <see cref="Purpose"/>; only when it serves some purposes only.</summary>
    public const string PurposeEligible = "purpose-eligible";

    /// <summary>It serves the case's <see cref="ResidenceSituation"/>; only when it serves some situations only.</summary>
    public const string ResidenceSituationEligible = "residence-situation-eligible";

    /// <summary>The case's languages it speaks (<see cref="Languages"/>); only when the case names languages.</summary>
    public const string SpeaksLanguages = "speaks-languages";

    /// <summary>The case's topics it counsels on (<see cref="Topics"/>); only when the case names topics.</summary>
    public const string CounselsTopics = "counsels-topics";

    /// <summary>Its <see cref="OpenHandovers"/>, of <see cref="MaxOpenHandovers"/> when it declared a maximum; always last.</summary>
    public const string CapacityLoad = "capacity-load";

    // Why a service was not suggested: every rule it failed, in this order.

    /// <summary>Its area does not cover the case's <see cref="PostalCode"/> (lying in <see cref="Districts"/>).</summary>
    public const string OutsideArea = "outside-area";

    /// <summary>The case's <see cref="Age"/> is outside its range (<see cref="MinAge"/>, <see cref="MaxAge"/>).</summary>
    public const string AgeNotServed = "age-not-served";

    /// <summary>It does not serve the case's <see cref="Purpose"/>; <see cref="Purposes"/> are the ones it serves.</summary>
    public const string PurposeNotServed = "purpose-not-served";

    /// <summary>It does not serve the case's <see cref="ResidenceSituation"/>; <see cref="ResidenceSituations"/> are the ones it serves.</summary>
    public const string ResidenceSituationNotServed = "residence-situation-not-served";

    /// <summary>It takes no handovers at all now (<see cref="Note"/>: its own words, if any).</summary>
    public const string NotAccepting = "not-accepting";

    /// <summary>It takes no handovers before <see cref="Until"/> (<see cref="Note"/>: its own words, if any).</summary>
    public const string PausedUntil = "paused-until";

    /// <summary>It has its maximum of open handovers (<see cref="OpenHandovers"/> of <see cref="MaxOpenHandovers"/>).</summary>
    public const string Full = "full";

    /// <summary>It speaks none of the case's <see cref="Languages"/>.</summary>
    public const string NoSharedLanguage = "no-shared-language";

    /// <summary>It counsels on none of the case's <see cref="Topics"/>.</summary>
    public const string NoSharedTopic = "no-shared-topic";

    /// <summary>Every code, matches' first.</summary>
    public static readonly IReadOnlyList<string> Codes =
    [
        ServesPostalCode, ServesDistrict, ServesState, AgeEligible, PurposeEligible, ResidenceSituationEligible, SpeaksLanguages,
        CounselsTopics, CapacityLoad, OutsideArea, AgeNotServed, PurposeNotServed, ResidenceSituationNotServed, NotAccepting,
        PausedUntil, Full, NoSharedLanguage, NoSharedTopic,
    ];

    public string? PostalCode { get; init; }

    /// <summary>District keys (07315).</summary>
    public IReadOnlyList<string>? Districts { get; init; }

    /// <summary>ISO 3166-2:DE codes (DE-RP).</summary>
    public IReadOnlyList<string>? States { get; init; }

    /// <summary>The case's age.</summary>
    public int? Age { get; init; }

    /// <summary>The service's youngest age, when it has one.</summary>
    public int? MinAge { get; init; }

    /// <summary>The service's oldest age, when it has one.</summary>
    public int? MaxAge { get; init; }

    /// <summary>The case's migration purpose.</summary>
    public string? Purpose { get; init; }

    /// <summary>The purposes the service serves.</summary>
    public IReadOnlyList<string>? Purposes { get; init; }

    /// <summary>The case's residence situation (given, or derived from the purpose).</summary>
    public string? ResidenceSituation { get; init; }

    /// <summary>The residence situations the service serves.</summary>
    public IReadOnlyList<string>? ResidenceSituations { get; init; }

    /// <summary>ISO 639-1 codes: the ones shared (a match) or the case's (an exclusion).</summary>
    public IReadOnlyList<string>? Languages { get; init; }

    /// <summary>Topic codes: the ones shared (a match) or the case's (an exclusion).</summary>
    public IReadOnlyList<string>? Topics { get; init; }

    public int? OpenHandovers { get; init; }

    public int? MaxOpenHandovers { get; init; }

    /// <summary>The end of a capacity pause.</summary>
    public DateOnly? Until { get; init; }

    /// <summary>The service's own words about its capacity, as it wrote them.</summary>
    public string? Note { get; init; }
}
