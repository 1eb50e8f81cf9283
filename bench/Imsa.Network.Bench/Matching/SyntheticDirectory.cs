using System.Collections.Frozen;
using System.Globalization;
using Imsa.Network.Reference;
using Imsa.Network.Partners.Domain.Directory;
using Imsa.Network.Reference.Geography;

namespace Imsa.Network.Bench.Matching;

/// <summary>
/// A reproducible, realistic-looking directory and the cases and searches to run against it. Services sit in
/// real districts, more of them where there are more postal codes (a stand-in for population); state-wide
/// services are mostly Land services (MFD) and the labour-market ones (IQ, FI, FM); every service counsels in
/// German and some in up to three other languages of the main countries of origin.
/// </summary>
internal sealed class SyntheticDirectory
{
    public static readonly DateOnly Today = new(2026, 11, 23);

    private static readonly (string Item, int Weight)[] TypeMix =
    [
        (ServiceTypes.Mbe, 35), (ServiceTypes.Jmd, 20), (ServiceTypes.Mfd, 10), (ServiceTypes.Avb, 10),
        (ServiceTypes.Iq, 10), (ServiceTypes.Fi, 5), (ServiceTypes.Fm, 5), (ServiceTypes.Other, 5),
    ];

    private static readonly (string Item, int Weight)[] LanguageMix =
    [
        ("en", 30), ("ar", 20), ("tr", 15), ("ru", 15), ("uk", 15), ("fa", 10), ("fr", 10), ("ps", 5), ("ku", 5),
        ("sq", 5), ("sr", 5), ("bs", 3), ("pl", 5), ("ro", 5), ("es", 5), ("it", 3), ("vi", 3), ("zh", 3), ("ti", 3),
        ("so", 3), ("hi", 3), ("ur", 3), ("ta", 2), ("el", 2), ("bg", 3), ("hr", 2), ("mk", 2), ("am", 2), ("pt", 3),
        ("ka", 1), ("hy", 1), ("az", 1), ("uz", 2), ("ha", 1), ("yo", 1), ("tl", 1),
    ];

    private static readonly FrozenDictionary<string, string[]> TopicPools = new Dictionary<string, string[]>
    {
        [ServiceTypes.Mbe] = ["RES", "SOCB", "LANG", "WORK", "HOUS", "HLTH", "FAMR", "ADMN", "FIN", "FAMK", "ORNT", "REC", "SOCS"],
        [ServiceTypes.Jmd] = ["EDU", "LANG", "WORK", "REC", "FAMK", "PSY", "RES", "ORNT", "PART", "ADMN"],
        [ServiceTypes.Mfd] = ["RES", "ASYL", "SOCB", "PSY", "ADMN", "ORNT", "HOUS", "HLTH", "VIOL", "DISC", "RETN", "PART"],
        [ServiceTypes.Avb] = ["ASYL", "RES", "PSY", "VIOL", "RETN"],
        [ServiceTypes.Iq] = ["REC", "EDU", "WORK", "LANG"],
        [ServiceTypes.Fi] = ["LABR", "WORK", "SOCS", "DISC"],
        [ServiceTypes.Fm] = ["LABR", "WORK", "SOCS", "HLTH"],
        [ServiceTypes.Other] = [.. Topics.Codes.Order(StringComparer.Ordinal)],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly (string Item, int Weight)[] PurposeMix =
    [
        (MigrationPurposes.SkilledWorkerVocational, 15), (MigrationPurposes.SkilledWorkerAcademic, 8), (MigrationPurposes.EuBlueCard, 5),
        (MigrationPurposes.FamilyReunification, 20), (MigrationPurposes.Asylum, 15), (MigrationPurposes.Study, 7),
        (MigrationPurposes.VocationalTraining, 5), (MigrationPurposes.Recognition, 6), (MigrationPurposes.OpportunityCard, 4),
        (MigrationPurposes.OtherEmployment, 6), (MigrationPurposes.EuFreeMovement, 7), (MigrationPurposes.TrainingOrStudySearch, 1),
        (MigrationPurposes.Other, 1),
    ];

    private static readonly (string Item, int Weight)[] NeededTopicMix =
    [
        ("RES", 20), ("WORK", 15), ("LANG", 15), ("REC", 12), ("HOUS", 10), ("ASYL", 8), ("FAMR", 8), ("EDU", 8), ("SOCB", 6),
        ("HLTH", 6), ("ADMN", 6), ("FAMK", 5), ("PSY", 3), ("FIN", 3), ("ORNT", 3), ("LABR", 2), ("SOCS", 2), ("DISC", 1),
        ("VIOL", 1), ("PART", 1), ("PREP", 1), ("RETN", 1),
    ];

    private static readonly string[] WorkPurposes =
    [
        MigrationPurposes.Recognition, MigrationPurposes.SkilledWorkerVocational, MigrationPurposes.SkilledWorkerAcademic,
        MigrationPurposes.EuBlueCard, MigrationPurposes.OpportunityCard,
    ];

    private readonly GermanGeography geography;
    private readonly Random random;

    // Districts weighted by their number of postal codes.
    private readonly (District Item, int Weight)[] districtMix;

    public SyntheticDirectory(GermanGeography geography, int seed)
    {
        this.geography = geography;
        random = new Random(seed);
        districtMix = [.. geography.Districts.Values.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (d, geography.PostalCodesIn(d.Key).Length))];
    }

    public List<ReceivingServiceEntry> Services(int count)
    {
        var services = new List<ReceivingServiceEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var type = Pick(TypeMix);
            var home = Pick(districtMix);
            var (area, where) = AreaFor(type, home);
            var eligibility = Eligibility.DefaultFor(type);
            if (type == ServiceTypes.Iq && random.NextDouble() < 0.2)
            {
                eligibility = eligibility with { Purposes = [.. WorkPurposes] };
            }

            int? max = random.NextDouble() < 0.6 ? random.Next(10, 61) : null;
            services.Add(new ReceivingServiceEntry
            {
                Id = NewId(),
                Name = string.Create(CultureInfo.InvariantCulture, $"{type} {where} {i + 1}"),
                ServiceTypes = [type],
                Area = area,
                Languages = [.. Distinct(LanguageMix, random.Next(0, 4)).Prepend("de")],
                Topics = [.. Sample(TopicPools[type], TopicCount(type))],
                Eligibility = eligibility,
                Capacity = new Capacity
                {
                    Accepting = random.NextDouble() < 0.92,
                    MaxOpenHandovers = max,
                    NoCapacityUntil = random.NextDouble() switch
                    {
                        < 0.04 => Today.AddDays(random.Next(1, 61)),
                        < 0.08 => Today.AddDays(-random.Next(1, 61)),
                        _ => null,
                    },
                },
                OpenHandovers = random.Next(0, (max ?? 40) + 1),
            });
        }

        return services;
    }

    public CaseProfile[] Cases(int count)
    {
        var postalCodes = geography.PostalCodes;
        var cases = new CaseProfile[count];
        for (var i = 0; i < count; i++)
        {
            var languages = Distinct(LanguageMix, random.Next(1, 3));
            cases[i] = new CaseProfile
            {
                PostalCode = postalCodes[random.Next(postalCodes.Length)],
                Age = random.NextDouble() < 0.25 ? random.Next(12, 27) : random.Next(27, 66),
                Purpose = Pick(PurposeMix),
                Languages = random.NextDouble() < 0.2 ? [.. languages, "de"] : languages,
                Topics = Distinct(NeededTopicMix, random.Next(1, 4)),
            };
        }

        return cases;
    }

    public DirectoryQuery[] Searches(int count)
    {
        var postalCodes = geography.PostalCodes;
        var searches = new DirectoryQuery[count];
        for (var i = 0; i < count; i++)
        {
            var district = Pick(districtMix);
            searches[i] = random.Next(10) switch
            {
                < 4 => new DirectoryQuery { State = district.State, Topic = Pick(NeededTopicMix) },
                < 7 => new DirectoryQuery { District = district.Key, ServiceType = Pick(TypeMix) },
                < 9 => new DirectoryQuery { PostalCode = postalCodes[random.Next(postalCodes.Length)], Language = Pick(LanguageMix) },
                _ => new DirectoryQuery { ServiceType = Pick(TypeMix), Language = Pick(LanguageMix), Offset = 50 },
            };
        }

        return searches;
    }

    private (ServiceArea Area, string Where) AreaFor(string type, District home)
    {
        var stateWideShare = type switch
        {
            ServiceTypes.Mfd => 0.4,
            ServiceTypes.Iq or ServiceTypes.Fi or ServiceTypes.Fm => 0.5,
            _ => 0.0,
        };
        if (random.NextDouble() < stateWideShare)
        {
            return (new ServiceArea { States = [home.State] }, GermanStates.ByCode[home.State].German);
        }

        // A local service of MBE, JMD, AVB or others serves a few postal codes of its district in three cases out of ten.
        if (stateWideShare == 0.0 && random.NextDouble() < 0.3)
        {
            var inDistrict = geography.PostalCodesIn(home.Key);
            return (new ServiceArea { PostalCodes = [.. Sample([.. inDistrict], random.Next(1, 7))] }, home.Name);
        }

        var neighbours = geography.DistrictsIn(home.State);
        var districts = new HashSet<string>(StringComparer.Ordinal) { home.Key };
        var more = type == ServiceTypes.Mfd ? random.Next(0, 3) : random.Next(0, 2);
        for (var i = 0; i < more; i++)
        {
            districts.Add(neighbours[random.Next(neighbours.Length)].Key);
        }

        return (new ServiceArea { Districts = districts.ToFrozenSet(StringComparer.Ordinal) }, home.Name);
    }

    private int TopicCount(string type) => type switch
    {
        ServiceTypes.Mbe or ServiceTypes.Mfd => random.Next(4, 10),
        ServiceTypes.Jmd => random.Next(4, 9),
        ServiceTypes.Avb or ServiceTypes.Iq => random.Next(2, 5),
        ServiceTypes.Fi or ServiceTypes.Fm => random.Next(2, 4),
        _ => random.Next(2, 7),
    };

    private T Pick<T>((T Item, int Weight)[] mix)
    {
        var total = 0;
        foreach (var (_, weight) in mix)
        {
            total += weight;
        }

        var at = random.Next(total);
        foreach (var (item, weight) in mix)
        {
            if (at < weight)
            {
                return item;
            }

            at -= weight;
        }

        return mix[^1].Item;
    }

    /// <summary>Up to <paramref name="count"/> different items, drawn by weight.</summary>
    private string[] Distinct((string Item, int Weight)[] mix, int count)
    {
        var picked = new List<string>(count);
        for (var attempt = 0; picked.Count < count && attempt < count * 10; attempt++)
        {
            var item = Pick(mix);
            if (!picked.Contains(item))
            {
                picked.Add(item);
            }
        }

        return [.. picked];
    }

    private IEnumerable<string> Sample(string[] pool, int count)
    {
        var copy = (string[])pool.Clone();
        random.Shuffle(copy);
        return copy.Take(Math.Min(count, copy.Length));
    }

    private Guid NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
