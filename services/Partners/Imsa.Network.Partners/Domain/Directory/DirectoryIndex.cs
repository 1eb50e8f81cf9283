using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Imsa.Network.Reference;
using Imsa.Network.Reference.Geography;

namespace Imsa.Network.Partners.Domain.Directory;

/// <summary>
/// An immutable, in-memory index over a snapshot of the active receiving services: the directory search and the
/// matching of a case to the services that may take it. Build a new index when the snapshot changes and swap
/// it in (<see cref="WithOpenHandovers"/> makes a cheap copy when only the open handovers changed); an index is
/// safe to query from many threads at once.
/// </summary>
/// <remarks>
/// Services are indexed by the states, districts and postal codes they list, so a query only looks at the
/// services whose area covers the case's postal code (and, when exclusions are explained, at those whose area
/// touches the case's state), never at the whole directory.
/// </remarks>
internal sealed class DirectoryIndex
{
    private readonly GermanGeography geography;

    // Ordered by name, then id: a position here ("ordinal") is the final tie-break of every ordering.
    private readonly ReceivingServiceEntry[] entries;

    // Per ordinal: "JMD age 12–26" when the service limits age, else null.
    private readonly string?[] ageLabels;

    // Per ordinal: the purposes / residence situations served, "recognition, study", when restricted, else null.
    private readonly string?[] servedPurposes;
    private readonly string?[] servedSituations;
    private readonly FrozenDictionary<Guid, int> ordinalsById;

    // Sorted ordinals of the services that list the key itself.
    private readonly FrozenDictionary<string, int[]> listingPostalCode;
    private readonly FrozenDictionary<string, int[]> listingDistrict;
    private readonly FrozenDictionary<string, int[]> listingState;

    // Sorted ordinals of the services with any part of their area in the district / state.
    private readonly FrozenDictionary<string, int[]> touchingDistrict;
    private readonly FrozenDictionary<string, int[]> touchingState;

    // Sorted ordinals of the services of a type / speaking a language / offering a topic (for the search).
    private readonly FrozenDictionary<string, int[]> ofType;
    private readonly FrozenDictionary<string, int[]> speaking;
    private readonly FrozenDictionary<string, int[]> offering;

    public DirectoryIndex(GermanGeography geography, IEnumerable<ReceivingServiceEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(geography);
        ArgumentNullException.ThrowIfNull(entries);
        this.geography = geography;
        this.entries = [.. entries.OrderBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.Id)];

        var byId = new Dictionary<Guid, int>(this.entries.Length);
        var postalCodes = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var districts = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var states = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var inDistrict = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var inState = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var types = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var languages = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var topics = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        ageLabels = new string?[this.entries.Length];
        servedPurposes = new string?[this.entries.Length];
        servedSituations = new string?[this.entries.Length];
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);   // one instance of each repeated text
        for (var ordinal = 0; ordinal < this.entries.Length; ordinal++)
        {
            var entry = this.entries[ordinal];
            if (!byId.TryAdd(entry.Id, ordinal))
            {
                throw new ArgumentException($"Receiving service {entry.Id} is in the snapshot twice.", nameof(entries));
            }

            ageLabels[ordinal] = Shared(texts, AgeLabel(entry));
            servedPurposes[ordinal] = Shared(texts, Served(entry.Eligibility.Purposes));
            servedSituations[ordinal] = Shared(texts, Served(entry.Eligibility.ResidenceSituations));
            foreach (var postalCode in entry.Area.PostalCodes)
            {
                Add(postalCodes, postalCode, ordinal);
                foreach (var district in geography.DistrictsOf(postalCode))
                {
                    Add(inDistrict, district.Key, ordinal);
                    Add(inState, district.State, ordinal);
                }
            }

            foreach (var district in entry.Area.Districts)
            {
                Add(districts, district, ordinal);
                Add(inDistrict, district, ordinal);
                if (StateOfDistrict(district) is { } state)
                {
                    Add(inState, state, ordinal);
                }
            }

            foreach (var state in entry.Area.States)
            {
                Add(states, state, ordinal);
                Add(inState, state, ordinal);
            }

            foreach (var type in entry.ServiceTypes)
            {
                Add(types, type, ordinal);
            }

            foreach (var language in entry.Languages)
            {
                Add(languages, language, ordinal);
            }

            foreach (var topic in entry.Topics)
            {
                Add(topics, topic, ordinal);
            }
        }

        ordinalsById = byId.ToFrozenDictionary();
        listingPostalCode = Freeze(postalCodes);
        listingDistrict = Freeze(districts);
        listingState = Freeze(states);
        touchingDistrict = Freeze(inDistrict);
        touchingState = Freeze(inState);
        ofType = Freeze(types);
        speaking = Freeze(languages);
        offering = Freeze(topics);
    }

    // A copy of source with other entries in the same order (same ids and names): everything else is shared.
    private DirectoryIndex(DirectoryIndex source, ReceivingServiceEntry[] entries)
    {
        geography = source.geography;
        this.entries = entries;
        ageLabels = source.ageLabels;
        servedPurposes = source.servedPurposes;
        servedSituations = source.servedSituations;
        ordinalsById = source.ordinalsById;
        listingPostalCode = source.listingPostalCode;
        listingDistrict = source.listingDistrict;
        listingState = source.listingState;
        touchingDistrict = source.touchingDistrict;
        touchingState = source.touchingState;
        ofType = source.ofType;
        speaking = source.speaking;
        offering = source.offering;
    }

    public int Count => entries.Length;

    /// <summary>Every service, ordered by name, then id.</summary>
    public IReadOnlyList<ReceivingServiceEntry> Entries => entries;

    public bool TryGet(Guid id, [MaybeNullWhen(false)] out ReceivingServiceEntry entry)
    {
        entry = ordinalsById.TryGetValue(id, out var ordinal) ? entries[ordinal] : null;
        return entry is not null;
    }

    /// <summary>
    /// This index with the open handovers of the given services replaced; services not given keep theirs, ids
    /// not in the index are ignored. Cheap next to a rebuild (it copies the entry array and shares every
    /// lookup), so the load can follow each handover while the rest of the snapshot is rebuilt only when a
    /// service's profile changes. The original index is unchanged.
    /// </summary>
    public DirectoryIndex WithOpenHandovers(IReadOnlyDictionary<Guid, int> openHandovers)
    {
        ArgumentNullException.ThrowIfNull(openHandovers);
        var updated = (ReceivingServiceEntry[])entries.Clone();
        foreach (var (id, open) in openHandovers)
        {
            if (ordinalsById.TryGetValue(id, out var ordinal) && updated[ordinal].OpenHandovers != open)
            {
                updated[ordinal] = updated[ordinal] with { OpenHandovers = open };
            }
        }

        return new DirectoryIndex(this, updated);
    }

    /// <summary>
    /// The services that fit every filter of the query (<see cref="DirectoryQuery"/>), sorted by name, then id,
    /// one page of them. Capacity does not filter the directory: it lists every service in the snapshot.
    /// </summary>
    public DirectoryPage Search(DirectoryQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, DirectoryQuery.MaxLimit);

        // Every filter gives a sorted list of ordinals; the answer is their intersection, in ordinal (name) order.
        var filters = new List<int[]>(6);
        if (query.PostalCode is { } postalCode)
        {
            filters.Add(Covering(postalCode, geography.DistrictsOf(postalCode), geography.StatesOf(postalCode)));
        }

        if (query.District is { } district)
        {
            var wholeState = StateOfDistrict(district) is { } state ? Lookup(listingState, state) : [];
            filters.Add(Union([Lookup(touchingDistrict, district), wholeState]));
        }

        if (query.State is { } stateFilter)
        {
            filters.Add(Lookup(touchingState, stateFilter));
        }

        if (query.ServiceType is { } type)
        {
            filters.Add(Lookup(ofType, type));
        }

        if (query.Language is { } language)
        {
            filters.Add(Lookup(speaking, language));
        }

        if (query.Topic is { } topic)
        {
            filters.Add(Lookup(offering, topic));
        }

        int[]? found = null;
        foreach (var filter in filters.OrderBy(f => f.Length))
        {
            found = Intersect(found, filter);
        }

        var total = found?.Length ?? entries.Length;
        var items = new ReceivingServiceEntry[Math.Clamp(total - query.Offset, 0, query.Limit)];
        for (var i = 0; i < items.Length; i++)
        {
            var at = query.Offset + i;
            items[i] = entries[found?[at] ?? at];
        }

        return new DirectoryPage(total, query.Offset, query.Limit, items);
    }

    /// <summary>
    /// The services that may take the case, best first (<see cref="MatchScore"/>), each with the reasons it fits.
    /// A service is suggested only if all of these hold: its area covers the postal code; the age is within its
    /// range; it serves the purpose and the residence situation (an empty list serves all); it is accepting,
    /// has no capacity pause beyond <paramref name="today"/> and is below its maximum of open handovers; it
    /// speaks at least one of the person's languages (if the case lists any) and offers at least one of the
    /// needed topics (if the case lists any).
    /// </summary>
    /// <param name="explainExclusions">
    /// Also list the services not suggested, each with every rule it failed. Only services whose area touches
    /// the state (or states) of the case's postal code are listed: a service elsewhere in Germany is excluded
    /// for its area alone, and listing thousands of those would explain nothing.
    /// </param>
    public MatchResult Match(CaseProfile profile, DateOnly today, bool explainExclusions = false)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var situation = profile.EffectiveResidenceSituation;
        var districts = geography.DistrictsOf(profile.PostalCode);
        var states = geography.StatesOf(profile.PostalCode);
        var languages = profile.Languages.Distinct(StringComparer.Ordinal).ToArray();
        var topics = profile.Topics.Distinct(StringComparer.Ordinal).ToArray();
        var context = new CaseContext(
            profile, situation, districts, states, languages, topics, today,
            explainExclusions ? new Explainer(profile, situation, districts, languages, topics) : null);

        var candidates = Covering(profile.PostalCode, districts, states);
        List<ServiceExclusion>? exclusions = null;
        if (explainExclusions)
        {
            exclusions = [];
            var touching = new int[states.Length + 1][];
            touching[0] = candidates;
            for (var i = 0; i < states.Length; i++)
            {
                touching[i + 1] = Lookup(touchingState, states[i]);
            }

            candidates = Union(touching);
        }

        var eligible = new List<(int Ordinal, MatchScore Score)>();
        Failures? failures = null;
        foreach (var ordinal in candidates)
        {
            failures = exclusions is null ? null : failures ?? new Failures();
            if (Evaluate(ordinal, context, failures, out var score))
            {
                eligible.Add((ordinal, score));
            }
            else if (exclusions is not null)
            {
                exclusions.Add(new ServiceExclusion(entries[ordinal], failures!.Texts, failures.Codes));
                failures = null;
            }
        }

        eligible.Sort(static (a, b) => a.Score.CompareTo(b.Score) is var byScore and not 0 ? byScore : a.Ordinal.CompareTo(b.Ordinal));
        var matches = new ServiceMatch[eligible.Count];
        for (var i = 0; i < matches.Length; i++)
        {
            var (ordinal, score) = eligible[i];
            var (reasons, codes) = Reasons(ordinal, context, score);
            matches[i] = new ServiceMatch(entries[ordinal], i + 1, score, reasons, codes);
        }

        return new MatchResult(situation, districts, matches, exclusions);
    }

    /// <summary>
    /// Checks every rule; stops at the first failure when <paramref name="failures"/> is null, else collects
    /// the reason of each failed rule.
    /// </summary>
    private bool Evaluate(int ordinal, in CaseContext context, Failures? failures, out MatchScore score)
    {
        var entry = entries[ordinal];
        var eligibility = entry.Eligibility;
        var capacity = entry.Capacity;
        var profile = context.Profile;
        score = default;
        var ok = true;

        var area = AreaOf(entry, context);
        if (area == AreaMatch.None)
        {
            if (failures is null)
            {
                return false;
            }

            ok = false;
            failures.Add(context.Explainer!.Area);
        }

        if (profile.Age < eligibility.MinAge || profile.Age > eligibility.MaxAge)
        {
            if (failures is null)
            {
                return false;
            }

            ok = false;
            failures.Add(context.Explainer!.Age(ageLabels[ordinal]!, eligibility));
        }

        if (eligibility.Purposes.Count > 0 && !eligibility.Purposes.Contains(profile.Purpose))
        {
            if (failures is null)
            {
                return false;
            }

            ok = false;
            failures.Add(context.Explainer!.Purpose(servedPurposes[ordinal]!, eligibility.Purposes));
        }

        if (eligibility.ResidenceSituations.Count > 0 && !eligibility.ResidenceSituations.Contains(context.Situation))
        {
            if (failures is null)
            {
                return false;
            }

            ok = false;
            failures.Add(context.Explainer!.Situation(servedSituations[ordinal]!, eligibility.ResidenceSituations));
        }

        // The network's one capacity rule (Handovers applies it to a request too).
        var rule = capacity.Rule;
        var capacityFailures = failures?.Count ?? 0;
        if (!rule.Accepting)
        {
            if (failures is null)
            {
                return false;
            }

            ok = false;
            failures.Add(NotAccepting);
        }

        if (rule.IsPausedOn(context.Today))
        {
            if (failures is null)
            {
                return false;
            }

            ok = false;
            failures.Add((
                string.Create(CultureInfo.InvariantCulture, $"no capacity until {rule.NoCapacityUntil:yyyy-MM-dd}"),
                new MatchReason(MatchReason.PausedUntil) { Until = rule.NoCapacityUntil }));
        }

        if (rule.IsFullWith(entry.OpenHandovers))
        {
            if (failures is null)
            {
                return false;
            }

            ok = false;
            failures.Add((
                string.Create(CultureInfo.InvariantCulture, $"at maximum open handovers ({entry.OpenHandovers} of {rule.MaxOpenHandovers} open)"),
                new MatchReason(MatchReason.Full) { OpenHandovers = entry.OpenHandovers, MaxOpenHandovers = rule.MaxOpenHandovers }));
        }

        if (failures is not null && failures.Count > capacityFailures && capacity.Note is { Length: > 0 } note)
        {
            failures.AddNote(capacityFailures, note);
        }

        var languages = CountCommon(entry.Languages, context.Languages);
        if (context.Languages.Length > 0 && languages == 0)
        {
            if (failures is null)
            {
                return false;
            }

            ok = false;
            failures.Add(context.Explainer!.Languages);
        }

        var topics = CountCommon(entry.Topics, context.Topics);
        if (context.Topics.Length > 0 && topics == 0)
        {
            if (failures is null)
            {
                return false;
            }

            ok = false;
            failures.Add(context.Explainer!.Topics);
        }

        score = new MatchScore(area, topics, languages, entry.OpenHandovers, capacity.MaxOpenHandovers);
        return ok;
    }

    private (string[] Reasons, MatchReason[] Codes) Reasons(int ordinal, in CaseContext context, MatchScore score)
    {
        var entry = entries[ordinal];
        var eligibility = entry.Eligibility;
        var profile = context.Profile;
        var ageLabel = ageLabels[ordinal];
        var count = 2
            + (ageLabel is null ? 0 : 1)
            + (eligibility.Purposes.Count > 0 ? 1 : 0)
            + (eligibility.ResidenceSituations.Count > 0 ? 1 : 0)
            + (context.Languages.Length > 0 ? 1 : 0)
            + (context.Topics.Length > 0 ? 1 : 0);
        var reasons = new string[count];
        var codes = new MatchReason[count];
        var n = 0;
        switch (score.Area)
        {
            case AreaMatch.PostalCode:
                reasons[n] = $"serves postal code {profile.PostalCode}";
                codes[n++] = new MatchReason(MatchReason.ServesPostalCode) { PostalCode = profile.PostalCode };
                break;
            case AreaMatch.District:
                ImmutableArray<District> served = [.. context.Districts.Where(d => entry.Area.Districts.Contains(d.Key))];
                reasons[n] = $"serves {DistrictList(served)}";
                codes[n++] = new MatchReason(MatchReason.ServesDistrict) { Districts = [.. served.Select(d => d.Key)] };
                break;
            default:
                string[] states = [.. context.States.Where(entry.Area.States.Contains)];
                reasons[n] = $"serves state {Join(states)}";
                codes[n++] = new MatchReason(MatchReason.ServesState) { States = states };
                break;
        }

        if (ageLabel is not null)
        {
            reasons[n] = string.Create(CultureInfo.InvariantCulture, $"{ageLabel} fits {profile.Age}");
            codes[n++] = new MatchReason(MatchReason.AgeEligible) { Age = profile.Age, MinAge = eligibility.MinAge, MaxAge = eligibility.MaxAge };
        }

        if (eligibility.Purposes.Count > 0)
        {
            reasons[n] = $"serves purpose {profile.Purpose}";
            codes[n++] = new MatchReason(MatchReason.PurposeEligible) { Purpose = profile.Purpose };
        }

        if (eligibility.ResidenceSituations.Count > 0)
        {
            reasons[n] = $"serves residence situation {context.Situation}";
            codes[n++] = new MatchReason(MatchReason.ResidenceSituationEligible) { ResidenceSituation = context.Situation };
        }

        if (context.Languages.Length > 0)
        {
            var spoken = Common(context.Languages, entry.Languages);
            reasons[n] = "speaks " + Join(spoken);
            codes[n++] = new MatchReason(MatchReason.SpeaksLanguages) { Languages = spoken };
        }

        if (context.Topics.Length > 0)
        {
            var offered = Common(context.Topics, entry.Topics);
            reasons[n] = "topics " + Join(offered);
            codes[n++] = new MatchReason(MatchReason.CounselsTopics) { Topics = offered };
        }

        reasons[n] = entry.Capacity.MaxOpenHandovers is { } max
            ? string.Create(CultureInfo.InvariantCulture, $"{entry.OpenHandovers} of {max} handovers open")
            : string.Create(CultureInfo.InvariantCulture, $"{entry.OpenHandovers} {(entry.OpenHandovers == 1 ? "handover" : "handovers")} open");
        codes[n] = new MatchReason(MatchReason.CapacityLoad) { OpenHandovers = entry.OpenHandovers, MaxOpenHandovers = entry.Capacity.MaxOpenHandovers };
        return (reasons, codes);
    }

    /// <summary>The wanted codes the service offers, in the case's order.</summary>
    private static string[] Common(string[] wanted, FrozenSet<string> offered) => Array.FindAll(wanted, offered.Contains);

    private static AreaMatch AreaOf(ReceivingServiceEntry entry, in CaseContext context)
    {
        var area = entry.Area;
        if (area.PostalCodes.Contains(context.Profile.PostalCode))
        {
            return AreaMatch.PostalCode;
        }

        if (area.Districts.Count > 0)
        {
            foreach (var district in context.Districts)
            {
                if (area.Districts.Contains(district.Key))
                {
                    return AreaMatch.District;
                }
            }
        }

        if (area.States.Count > 0)
        {
            foreach (var state in context.States)
            {
                if (area.States.Contains(state))
                {
                    return AreaMatch.State;
                }
            }
        }

        return AreaMatch.None;
    }

    private static string DistrictList(ImmutableArray<District> districts) =>
        (districts.Length == 1 ? "district " : "districts ") + Join(districts.Select(d => $"{d.Key} {d.Name}"));

    private static int CountCommon(FrozenSet<string> offered, string[] wanted)
    {
        var common = 0;
        foreach (var code in wanted)
        {
            if (offered.Contains(code))
            {
                common++;
            }
        }

        return common;
    }

    private static string Join(IEnumerable<string> values) => string.Join(", ", values);

    private static string? AgeLabel(ReceivingServiceEntry entry)
    {
        var (min, max) = (entry.Eligibility.MinAge, entry.Eligibility.MaxAge);
        if (min is null && max is null)
        {
            return null;
        }

        var range = (min, max) switch
        {
            ({ } from, { } to) => string.Create(CultureInfo.InvariantCulture, $"{from}–{to}"),
            ({ } from, null) => string.Create(CultureInfo.InvariantCulture, $"{from}+"),
            _ => string.Create(CultureInfo.InvariantCulture, $"up to {max}"),
        };
        var types = string.Join('/', entry.ServiceTypes.Order(StringComparer.Ordinal));
        return types.Length == 0 ? $"age {range}" : $"{types} age {range}";
    }

    /// <summary>The state of a district: from the geography, else from the key's first two digits.</summary>
    private string? StateOfDistrict(string districtKey) =>
        geography.TryGetDistrict(districtKey, out var district) ? district.State
        : districtKey.Length == 5 && GermanStates.ByKey.TryGetValue(districtKey[..2], out var state) ? state.Code
        : null;

    /// <summary>The services whose area covers the postal code: listing it, one of its districts or one of their states.</summary>
    private int[] Covering(string postalCode, ImmutableArray<District> districts, ImmutableArray<string> states)
    {
        var lists = new int[1 + districts.Length + states.Length][];
        var n = 0;
        lists[n++] = Lookup(listingPostalCode, postalCode);
        foreach (var district in districts)
        {
            lists[n++] = Lookup(listingDistrict, district.Key);
        }

        foreach (var state in states)
        {
            lists[n++] = Lookup(listingState, state);
        }

        return Union(lists);
    }

    private static int[] Lookup(FrozenDictionary<string, int[]> index, string key) =>
        index.TryGetValue(key, out var ordinals) ? ordinals : [];

    /// <summary>The sorted union of sorted, duplicate-free lists.</summary>
    private static int[] Union(int[][] lists)
    {
        int[]? single = null;
        var total = 0;
        var nonEmpty = 0;
        foreach (var list in lists)
        {
            if (list.Length > 0)
            {
                single = list;
                total += list.Length;
                nonEmpty++;
            }
        }

        if (nonEmpty <= 1)
        {
            return single ?? [];
        }

        var all = new int[total];
        var at = 0;
        foreach (var list in lists)
        {
            list.CopyTo(all, at);
            at += list.Length;
        }

        Array.Sort(all);
        var unique = 0;
        for (var i = 0; i < all.Length; i++)
        {
            if (i == 0 || all[i] != all[i - 1])
            {
                all[unique++] = all[i];
            }
        }

        return all[..unique];
    }

    private static int[] Intersect(int[]? current, int[] next)
    {
        if (current is null)
        {
            return next;
        }

        var result = new List<int>(Math.Min(current.Length, next.Length));
        int i = 0, j = 0;
        while (i < current.Length && j < next.Length)
        {
            var c = current[i].CompareTo(next[j]);
            if (c == 0)
            {
                result.Add(current[i]);
                i++;
                j++;
            }
            else if (c < 0)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return [.. result];
    }

    private static void Add(Dictionary<string, List<int>> index, string key, int ordinal)
    {
        if (!index.TryGetValue(key, out var ordinals))
        {
            index.Add(key, ordinals = []);
        }

        // Ordinals arrive in increasing order, so a repeat can only be the last one.
        if (ordinals.Count == 0 || ordinals[^1] != ordinal)
        {
            ordinals.Add(ordinal);
        }
    }

    private static FrozenDictionary<string, int[]> Freeze(Dictionary<string, List<int>> index) =>
        index.ToFrozenDictionary(entry => entry.Key, entry => entry.Value.ToArray(), StringComparer.Ordinal);

    private static string? Served(FrozenSet<string> codes) => codes.Count == 0 ? null : Join(codes.Order(StringComparer.Ordinal));

    private static string? Shared(Dictionary<string, string> texts, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (texts.TryGetValue(text, out var shared))
        {
            return shared;
        }

        texts.Add(text, text);
        return text;
    }

    private readonly record struct CaseContext(
        CaseProfile Profile,
        string Situation,
        ImmutableArray<District> Districts,
        ImmutableArray<string> States,
        string[] Languages,
        string[] Topics,
        DateOnly Today,
        Explainer? Explainer);

    private static readonly (string, MatchReason) NotAccepting = ("not accepting handovers", new MatchReason(MatchReason.NotAccepting));

    /// <summary>The rules one service failed: each in English and as a code, at the same positions.</summary>
    private sealed class Failures
    {
        public List<string> Texts { get; } = [];

        public List<MatchReason> Codes { get; } = [];

        public int Count => Texts.Count;

        public void Add((string Text, MatchReason Code) reason)
        {
            Texts.Add(reason.Text);
            Codes.Add(reason.Code);
        }

        /// <summary>The service's own words about its capacity, with the first capacity rule it failed.</summary>
        public void AddNote(int at, string note)
        {
            Texts[at] += $": {note}";
            Codes[at] = Codes[at] with { Note = note };
        }
    }

    /// <summary>
    /// The reasons of exclusions for one query. Thousands of services can fail a rule for the same reason, so
    /// each distinct reason is made once.
    /// </summary>
    private sealed class Explainer(CaseProfile profile, string situation, ImmutableArray<District> districts, string[] languages, string[] topics)
    {
        private readonly Dictionary<string, (string, MatchReason)> ages = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (string, MatchReason)> purposes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (string, MatchReason)> situations = new(StringComparer.Ordinal);

        public (string, MatchReason) Area { get; } = (
            districts.Length == 0
                ? $"does not serve postal code {profile.PostalCode}"
                : $"does not serve postal code {profile.PostalCode} ({DistrictList(districts)})",
            new MatchReason(MatchReason.OutsideArea) { PostalCode = profile.PostalCode, Districts = [.. districts.Select(d => d.Key)] });

        public (string, MatchReason) Languages { get; } =
            ($"speaks none of {Join(languages)}", new MatchReason(MatchReason.NoSharedLanguage) { Languages = languages });

        public (string, MatchReason) Topics { get; } =
            ($"offers none of the topics {Join(topics)}", new MatchReason(MatchReason.NoSharedTopic) { Topics = topics });

        // The same label means the same range ("JMD age 12–26").
        public (string, MatchReason) Age(string label, Eligibility eligibility) =>
            Cached(ages, label, l => (
                string.Create(CultureInfo.InvariantCulture, $"{l} does not fit {profile.Age}"),
                new MatchReason(MatchReason.AgeNotServed) { Age = profile.Age, MinAge = eligibility.MinAge, MaxAge = eligibility.MaxAge }));

        public (string, MatchReason) Purpose(string served, FrozenSet<string> codes) =>
            Cached(purposes, served, s => (
                $"does not serve purpose {profile.Purpose} (serves {s})",
                new MatchReason(MatchReason.PurposeNotServed) { Purpose = profile.Purpose, Purposes = [.. codes.Order(StringComparer.Ordinal)] }));

        public (string, MatchReason) Situation(string served, FrozenSet<string> codes) =>
            Cached(situations, served, s => (
                $"does not serve residence situation {situation} (serves {s})",
                new MatchReason(MatchReason.ResidenceSituationNotServed)
                {
                    ResidenceSituation = situation,
                    ResidenceSituations = [.. codes.Order(StringComparer.Ordinal)],
                }));

        private static (string, MatchReason) Cached(
            Dictionary<string, (string, MatchReason)> cache, string key, Func<string, (string, MatchReason)> make)
        {
            if (!cache.TryGetValue(key, out var reason))
            {
                cache.Add(key, reason = make(key));
            }

            return reason;
        }
    }
}
