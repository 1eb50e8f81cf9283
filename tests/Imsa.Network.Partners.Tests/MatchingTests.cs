using Imsa.Network.Partners.Domain.Directory;
using static Imsa.Network.Partners.Tests.DirectoryTestData;

namespace Imsa.Network.Partners.Tests;

public sealed class MatchingTests
{
    private const string Mainz = "07315";

    [Fact]
    public void Match_ExplainsASuggestionLikeTheIssueSays()
    {
        var jmd = Service("JMD Mainz", "JMD", InDistricts(Mainz)) with
        {
            Languages = ["de", "ar"],
            Topics = ["REC", "WORK", "EDU"],
            Capacity = new Capacity { MaxOpenHandovers = 20 },
            OpenHandovers = 3,
        };
        var profile = Case(age: 19) with { Languages = ["ar"], Topics = ["REC", "WORK"] };

        var result = Index(jmd).Match(profile, Today);

        var match = result.Matches.Should().ContainSingle().Subject;
        match.Rank.Should().Be(1);
        match.Reasons.Should().Equal(
            "serves district 07315 Kreisfreie Stadt Mainz",
            "JMD age 12–26 fits 19",
            "speaks ar",
            "topics REC, WORK",
            "3 of 20 handovers open");
        match.Score.Should().Be(new MatchScore(AreaMatch.District, 2, 1, 3, 20));
        result.Exclusions.Should().BeNull();
    }

    [Fact]
    public void Match_GivesEachReasonAsACode_WithItsValues_AtTheReasonsPosition()
    {
        var jmd = Service("JMD Mainz", "JMD", InDistricts(Mainz)) with
        {
            Languages = ["de", "fr", "ar"],
            Topics = ["REC", "WORK", "EDU"],
            Capacity = new Capacity { MaxOpenHandovers = 20 },
            OpenHandovers = 3,
        };
        var profile = Case(age: 19) with { Languages = ["ar", "fr", "tr"], Topics = ["WORK", "HOUS", "REC"] };

        var match = Index(jmd).Match(profile, Today).Matches.Should().ContainSingle().Subject;

        match.Codes.Should().BeEquivalentTo(
            [
                new MatchReason(MatchReason.ServesDistrict) { Districts = [Mainz] },
                new MatchReason(MatchReason.AgeEligible) { Age = 19, MinAge = 12, MaxAge = 26 },
                new MatchReason(MatchReason.SpeaksLanguages) { Languages = ["ar", "fr"] },
                new MatchReason(MatchReason.CounselsTopics) { Topics = ["WORK", "REC"] },
                new MatchReason(MatchReason.CapacityLoad) { OpenHandovers = 3, MaxOpenHandovers = 20 },
            ],
            o => o.WithStrictOrdering());
        match.Reasons.Should().Equal(
            "serves district 07315 Kreisfreie Stadt Mainz", "JMD age 12–26 fits 19", "speaks ar, fr", "topics WORK, REC", "3 of 20 handovers open");
    }

    [Fact]
    public void Match_CodesTheArea_PurposeAndResidenceSituation_AndALoadWithoutMaximum()
    {
        var postalCode = Service("A postal code", "MFD", AtPostalCodes("55116")) with { OpenHandovers = 2 };
        var state = Service("B state", "AVB", InStates("DE-RP")) with
        {
            Eligibility = new Eligibility { Purposes = ["asylum"], ResidenceSituations = ["asylum-applicant"] },
        };

        var matches = Index(postalCode, state).Match(Case(purpose: "asylum"), Today).Matches;

        matches.Select(m => m.Entry.Name).Should().Equal("A postal code", "B state");
        matches[0].Codes.Should().BeEquivalentTo(
            [
                new MatchReason(MatchReason.ServesPostalCode) { PostalCode = "55116" },
                new MatchReason(MatchReason.CapacityLoad) { OpenHandovers = 2 },
            ],
            o => o.WithStrictOrdering());
        matches[1].Codes.Should().BeEquivalentTo(
            [
                new MatchReason(MatchReason.ServesState) { States = ["DE-RP"] },
                new MatchReason(MatchReason.PurposeEligible) { Purpose = "asylum" },
                new MatchReason(MatchReason.ResidenceSituationEligible) { ResidenceSituation = "asylum-applicant" },
                new MatchReason(MatchReason.CapacityLoad) { OpenHandovers = 0 },
            ],
            o => o.WithStrictOrdering());
    }

    [Fact]
    public void Match_CodesEveryRuleAnExcludedServiceFailed_AtTheReasonsPositions()
    {
        var wrong = Service("A Trier", "JMD", InDistricts("07211")) with
        {
            Languages = ["de"],
            Topics = ["EDU"],
            Eligibility = new Eligibility { MinAge = 12, MaxAge = 26, Purposes = ["study"], ResidenceSituations = ["eu-citizen"] },
            Capacity = new Capacity { Accepting = false, NoCapacityUntil = Today.AddDays(8), MaxOpenHandovers = 4, Note = "team on leave" },
            OpenHandovers = 4,
        };

        var result = Index(wrong).Match(Case(age: 40) with { Languages = ["ar", "fr"], Topics = ["REC"] }, Today, explainExclusions: true);

        var excluded = result.Exclusions.Should().ContainSingle().Subject;
        excluded.Codes.Should().BeEquivalentTo(
            [
                new MatchReason(MatchReason.OutsideArea) { PostalCode = "55116", Districts = [Mainz] },
                new MatchReason(MatchReason.AgeNotServed) { Age = 40, MinAge = 12, MaxAge = 26 },
                new MatchReason(MatchReason.PurposeNotServed) { Purpose = "skilled-worker-vocational", Purposes = ["study"] },
                new MatchReason(MatchReason.ResidenceSituationNotServed) { ResidenceSituation = "residence-permit", ResidenceSituations = ["eu-citizen"] },
                new MatchReason(MatchReason.NotAccepting) { Note = "team on leave" },
                new MatchReason(MatchReason.PausedUntil) { Until = Today.AddDays(8) },
                new MatchReason(MatchReason.Full) { OpenHandovers = 4, MaxOpenHandovers = 4 },
                new MatchReason(MatchReason.NoSharedLanguage) { Languages = ["ar", "fr"] },
                new MatchReason(MatchReason.NoSharedTopic) { Topics = ["REC"] },
            ],
            o => o.WithStrictOrdering());
        excluded.Reasons.Should().HaveCount(9);
        excluded.Reasons[4].Should().Be("not accepting handovers: team on leave");
    }

    [Fact]
    public void Match_UsesOnlyTheDocumentedCodes_OneForEachReason()
    {
        var index = Index(
            Service("JMD Mainz", "JMD", InDistricts(Mainz)) with { Languages = ["ar"], Topics = ["REC"] },
            Service("MBE Mainz", "MBE", InDistricts(Mainz)) with { Capacity = new Capacity { MaxOpenHandovers = 1 }, OpenHandovers = 1 },
            Service("AVB Rheinland-Pfalz", "AVB", InStates("DE-RP")),
            Service("IQ Mainz", "IQ", AtPostalCodes("55116")) with { Eligibility = new Eligibility { Purposes = ["recognition"] } });

        foreach (var profile in new[] { Case(age: 19) with { Languages = ["ar"], Topics = ["REC"] }, Case(age: 30, purpose: "recognition"), Case(age: 40, purpose: "asylum") })
        {
            var result = index.Match(profile, Today, explainExclusions: true);
            result.Matches.Should().OnlyContain(m => m.Codes.Count == m.Reasons.Count && m.Codes.All(c => MatchReason.Codes.Contains(c.Code)));
            result.Exclusions.Should().OnlyContain(e => e.Codes.Count == e.Reasons.Count && e.Codes.All(c => MatchReason.Codes.Contains(c.Code)));
        }
    }

    [Theory]
    [InlineData(11, false)]
    [InlineData(12, true)]
    [InlineData(26, true)]
    [InlineData(27, false)]
    public void Match_Jmd_Serves12To26(int age, bool suggested)
    {
        var result = Index(Service("JMD Mainz", "JMD", InDistricts(Mainz))).Match(Case(age: age), Today, explainExclusions: true);

        if (suggested)
        {
            result.Matches.Should().ContainSingle().Which.Reasons.Should().Contain($"JMD age 12–26 fits {age}");
            result.Exclusions.Should().BeEmpty();
        }
        else
        {
            result.Matches.Should().BeEmpty();
            result.Exclusions.Should().ContainSingle().Which.Reasons.Should().Equal($"JMD age 12–26 does not fit {age}");
        }
    }

    [Theory]
    [InlineData(11, false)]
    [InlineData(12, false)]
    [InlineData(26, false)]
    [InlineData(27, true)]
    [InlineData(80, true)]
    public void Match_Mbe_Serves27AndOlder(int age, bool suggested)
    {
        var result = Index(Service("MBE Mainz", "MBE", InDistricts(Mainz))).Match(Case(age: age), Today, explainExclusions: true);

        if (suggested)
        {
            result.Matches.Should().ContainSingle().Which.Reasons.Should().Contain($"MBE age 27+ fits {age}");
        }
        else
        {
            result.Exclusions.Should().ContainSingle().Which.Reasons.Should().Equal($"MBE age 27+ does not fit {age}");
        }
    }

    [Theory]
    [InlineData(11, new string[0])]
    [InlineData(12, new[] { "JMD Mainz" })]
    [InlineData(26, new[] { "JMD Mainz" })]
    [InlineData(27, new[] { "MBE Mainz" })]
    public void Match_RoutesByAgeBetweenJmdAndMbe(int age, string[] expected)
    {
        var index = Index(Service("JMD Mainz", "JMD", InDistricts(Mainz)), Service("MBE Mainz", "MBE", InDistricts(Mainz)));

        index.Match(Case(age: age), Today).Matches.Select(m => m.Entry.Name).Should().Equal(expected);
    }

    [Fact]
    public void Match_APostalCodeInTwoDistricts_SuggestsServicesOfEither_NamingTheirDistrict()
    {
        // 55576 (Sprendlingen and around) lies in Landkreis Bad Kreuznach and Landkreis Mainz-Bingen.
        var kreuznach = Service("MBE Bad Kreuznach", "MBE", InDistricts("07133"));
        var bingen = Service("MBE Ingelheim", "MBE", InDistricts("07339"));
        var mainz = Service("MBE Mainz", "MBE", InDistricts(Mainz));

        var result = Index(kreuznach, bingen, mainz).Match(Case(postalCode: "55576"), Today, explainExclusions: true);

        result.Districts.Select(d => d.Key).Should().Equal("07133", "07339");
        result.Matches.Select(m => (m.Entry.Name, m.Reasons[0])).Should().Equal(
            ("MBE Bad Kreuznach", "serves district 07133 Landkreis Bad Kreuznach"),
            ("MBE Ingelheim", "serves district 07339 Landkreis Mainz-Bingen"));
        result.Exclusions.Should().ContainSingle().Which.Reasons.Should().Equal(
            "does not serve postal code 55576 (districts 07133 Landkreis Bad Kreuznach, 07339 Landkreis Mainz-Bingen)");
    }

    [Fact]
    public void Match_AServiceCoveringBothDistricts_NamesBoth()
    {
        var both = Service("MFD Rheinhessen-Nahe", "MFD", InDistricts("07133", "07339"));

        var match = Index(both).Match(Case(postalCode: "55576"), Today).Matches.Should().ContainSingle().Subject;

        match.Reasons[0].Should().Be("serves districts 07133 Landkreis Bad Kreuznach, 07339 Landkreis Mainz-Bingen");
    }

    [Fact]
    public void Match_APostalCodeInTwoStates_SuggestsStateWideServicesOfBoth()
    {
        // 65391 lies in the Rheingau-Taunus-Kreis (Hessen) and the Rhein-Lahn-Kreis (Rheinland-Pfalz).
        var hessen = Service("MFD Hessen", "MFD", InStates("DE-HE"));
        var rlp = Service("MFD Rheinland-Pfalz", "MFD", InStates("DE-RP"));
        var bayern = Service("MFD Bayern", "MFD", InStates("DE-BY"));

        var result = Index(hessen, rlp, bayern).Match(Case(postalCode: "65391"), Today, explainExclusions: true);

        result.Matches.Select(m => m.Reasons[0]).Should().Equal("serves state DE-HE", "serves state DE-RP");
        result.Exclusions.Should().BeEmpty("Bayern is not the case's state, so it is not explained");
    }

    [Fact]
    public void Match_RanksThePostalCodeBeforeTheDistrictBeforeTheState()
    {
        var state = Service("A state-wide", "MFD", InStates("DE-RP"));
        var district = Service("B district", "MFD", InDistricts(Mainz));
        var postalCode = Service("C postal code", "MFD", AtPostalCodes("55116", "55118"));

        var matches = Index(state, district, postalCode).Match(Case(), Today).Matches;

        matches.Select(m => (m.Rank, m.Entry.Name, m.Reasons[0])).Should().Equal(
            (1, "C postal code", "serves postal code 55116"),
            (2, "B district", "serves district 07315 Kreisfreie Stadt Mainz"),
            (3, "A state-wide", "serves state DE-RP"));
        matches.Select(m => m.Score.Area).Should().Equal(AreaMatch.PostalCode, AreaMatch.District, AreaMatch.State);
    }

    [Fact]
    public void Match_WithLanguages_SuggestsOnlyServicesSharingOne()
    {
        var arabic = Service("MBE Mainz Arabic", "MBE", InDistricts(Mainz)) with { Languages = ["de", "ar"] };
        var both = Service("MBE Mainz Arabic French", "MBE", InDistricts(Mainz)) with { Languages = ["de", "fr", "ar"] };
        var german = Service("MBE Mainz German", "MBE", InDistricts(Mainz));

        var result = Index(arabic, both, german).Match(Case() with { Languages = ["ar", "fr"] }, Today, explainExclusions: true);

        result.Matches.Select(m => (m.Entry.Name, m.Reasons.Single(r => r.StartsWith("speaks", StringComparison.Ordinal)))).Should().Equal(
            ("MBE Mainz Arabic French", "speaks ar, fr"),
            ("MBE Mainz Arabic", "speaks ar"));
        result.Exclusions.Should().ContainSingle().Which.Reasons.Should().Equal("speaks none of ar, fr");
    }

    [Fact]
    public void Match_WithoutLanguages_DoesNotFilterOrMentionThem()
    {
        var result = Index(Service("MBE Mainz", "MBE", InDistricts(Mainz)) with { Languages = [] }).Match(Case(), Today);

        result.Matches.Should().ContainSingle().Which.Reasons.Should().NotContain(r => r.StartsWith("speaks", StringComparison.Ordinal));
    }

    [Fact]
    public void Match_WithTopics_SuggestsOnlyServicesOfferingOne_MoreTopicsFirst()
    {
        var work = Service("A work", "MBE", InDistricts(Mainz)) with { Topics = ["WORK"] };
        var both = Service("B recognition and work", "MBE", InDistricts(Mainz)) with { Topics = ["REC", "WORK", "LANG"] };
        var asylum = Service("C asylum", "MBE", InDistricts(Mainz)) with { Topics = ["ASYL"] };

        var result = Index(work, both, asylum).Match(Case() with { Topics = ["REC", "WORK"] }, Today, explainExclusions: true);

        result.Matches.Select(m => (m.Entry.Name, m.Reasons.Single(r => r.StartsWith("topics", StringComparison.Ordinal)))).Should().Equal(
            ("B recognition and work", "topics REC, WORK"),
            ("A work", "topics WORK"));
        result.Exclusions.Should().ContainSingle().Which.Reasons.Should().Equal("offers none of the topics REC, WORK");
    }

    [Fact]
    public void Match_LeavesOutServicesWithoutCapacity_AndSaysWhy()
    {
        var notAccepting = Service("A not accepting", "MBE", InDistricts(Mainz)) with
        {
            Capacity = new Capacity { Accepting = false, Note = "team on leave" },
        };
        var full = Service("B full", "MBE", InDistricts(Mainz)) with { Capacity = new Capacity { MaxOpenHandovers = 20 }, OpenHandovers = 20 };
        var paused = Service("C paused", "MBE", InDistricts(Mainz)) with { Capacity = new Capacity { NoCapacityUntil = Today.AddDays(8) } };
        var almostFull = Service("D almost full", "MBE", InDistricts(Mainz)) with { Capacity = new Capacity { MaxOpenHandovers = 20 }, OpenHandovers = 19 };
        var pauseEndsToday = Service("E pause ends today", "MBE", InDistricts(Mainz)) with { Capacity = new Capacity { NoCapacityUntil = Today } };
        var pauseOver = Service("F pause over", "MBE", InDistricts(Mainz)) with { Capacity = new Capacity { NoCapacityUntil = Today.AddDays(-30) }, OpenHandovers = 2 };

        var result = Index(notAccepting, full, paused, almostFull, pauseEndsToday, pauseOver).Match(Case(), Today, explainExclusions: true);

        result.Matches.Select(m => (m.Entry.Name, m.Reasons[^1])).Should().BeEquivalentTo(
            [("D almost full", "19 of 20 handovers open"), ("E pause ends today", "0 handovers open"), ("F pause over", "2 handovers open")]);
        result.Exclusions!.Select(e => (e.Entry.Name, e.Reasons.Single())).Should().Equal(
            ("A not accepting", "not accepting handovers: team on leave"),
            ("B full", "at maximum open handovers (20 of 20 open)"),
            ("C paused", "no capacity until 2026-12-01"));
    }

    [Fact]
    public void Match_AvbServesAsylumApplicantsOnly_MfdEveryoneInItsLand()
    {
        var avb = Service("AVB Mainz", "AVB", InDistricts(Mainz));
        var mfd = Service("MFD Rheinland-Pfalz", "MFD", InStates("DE-RP"));
        var index = Index(avb, mfd);

        var asylum = index.Match(Case(purpose: "asylum"), Today);
        asylum.ResidenceSituation.Should().Be("asylum-applicant");
        asylum.Matches.Select(m => m.Entry.Name).Should().Equal("AVB Mainz", "MFD Rheinland-Pfalz");
        asylum.Matches[0].Reasons.Should().Contain("serves residence situation asylum-applicant");

        var worker = index.Match(Case(purpose: "skilled-worker-vocational"), Today, explainExclusions: true);
        worker.ResidenceSituation.Should().Be("residence-permit");
        worker.Matches.Select(m => m.Entry.Name).Should().Equal("MFD Rheinland-Pfalz");
        worker.Exclusions.Should().ContainSingle().Which.Reasons.Should().Equal(
            "does not serve residence situation residence-permit (serves asylum-applicant)");
    }

    [Fact]
    public void Match_AGivenResidenceSituation_OverridesTheOneDerivedFromThePurpose()
    {
        var avb = Service("AVB Mainz", "AVB", InDistricts(Mainz));

        var result = Index(avb).Match(Case(purpose: "other") with { ResidenceSituation = "asylum-applicant" }, Today);

        result.Matches.Should().ContainSingle();
    }

    [Fact]
    public void Match_AServiceRestrictingPurposes_SaysWhichItServes()
    {
        var recognition = Service("IQ Mainz", "IQ", InDistricts(Mainz)) with
        {
            Eligibility = new Eligibility { Purposes = ["recognition", "skilled-worker-vocational"] },
        };
        var index = Index(recognition);

        index.Match(Case(purpose: "skilled-worker-vocational"), Today).Matches.Should().ContainSingle()
            .Which.Reasons.Should().Contain("serves purpose skilled-worker-vocational");
        index.Match(Case(purpose: "study"), Today, explainExclusions: true).Exclusions.Should().ContainSingle()
            .Which.Reasons.Should().Equal("does not serve purpose study (serves recognition, skilled-worker-vocational)");
    }

    [Fact]
    public void Match_ExplainsEveryFailedRule_ForServicesInTheCasesStateOnly()
    {
        var wrong = Service("JMD Trier", "JMD", InDistricts("07211")) with
        {
            Languages = ["de"],
            Topics = ["EDU"],
            Capacity = new Capacity { Accepting = false },
        };
        var elsewhere = Service("JMD Berlin", "JMD", InStates("DE-BE"));
        var index = Index(wrong, elsewhere);

        var result = index.Match(Case(age: 40) with { Languages = ["ar"], Topics = ["REC"] }, Today, explainExclusions: true);

        result.Matches.Should().BeEmpty();
        result.Exclusions.Should().ContainSingle().Which.Reasons.Should().Equal(
            "does not serve postal code 55116 (district 07315 Kreisfreie Stadt Mainz)",
            "JMD age 12–26 does not fit 40",
            "not accepting handovers",
            "speaks none of ar",
            "offers none of the topics REC");
        index.Match(Case(age: 40), Today).Exclusions.Should().BeNull("exclusions are explained only on request");
    }

    [Fact]
    public void Match_AnUnknownPostalCode_MatchesNothing()
    {
        var result = Index(Service("MFD Rheinland-Pfalz", "MFD", InStates("DE-RP"))).Match(Case(postalCode: "00000"), Today, explainExclusions: true);

        result.Districts.Should().BeEmpty();
        result.Matches.Should().BeEmpty();
        result.Exclusions.Should().BeEmpty();
    }

    [Fact]
    public void Match_RanksByTopicsThenLanguagesThenLoad()
    {
        var profile = Case() with { Languages = ["ar", "fr"], Topics = ["REC", "WORK"] };
        ReceivingServiceEntry Mbe(string name, string[] topics, string[] languages, int open, int? max) =>
            Service(name, "MBE", InDistricts(Mainz)) with
            {
                Topics = [.. topics],
                Languages = [.. languages],
                OpenHandovers = open,
                Capacity = new Capacity { MaxOpenHandovers = max },
            };

        var index = Index(
            Mbe("A one topic, two languages", ["REC"], ["ar", "fr"], 0, null),
            Mbe("B two topics, one language, half full", ["REC", "WORK"], ["ar"], 10, 20),
            Mbe("C two topics, one language, a quarter full", ["REC", "WORK"], ["ar"], 1, 4),
            Mbe("D two topics, two languages, nearly full", ["REC", "WORK"], ["ar", "fr"], 9, 10),
            Mbe("E two topics, one language, no maximum", ["REC", "WORK"], ["ar"], 7, null));

        index.Match(profile, Today).Matches.Select(m => m.Entry.Name[..1]).Should().Equal("D", "E", "C", "B", "A");
    }

    [Fact]
    public void Match_IsStable_TiesGoByNameThenId()
    {
        var first = new Guid("00000000-0000-0000-0000-000000000001");
        var second = new Guid("00000000-0000-0000-0000-000000000002");
        var entries = new[]
        {
            Service("MBE Mainz-Neustadt", "MBE", InDistricts(Mainz), second),
            Service("MBE Mainz-Altstadt", "MBE", InDistricts(Mainz), new Guid("00000000-0000-0000-0000-000000000009")),
            Service("MBE Mainz-Neustadt", "MBE", InDistricts(Mainz), first),
            Service("MBE Mainz-Bretzenheim", "MBE", InDistricts(Mainz)),
        };

        var once = Index(entries).Match(Case(), Today).Matches;
        var again = Index([.. entries.Reverse()]).Match(Case(), Today).Matches;

        var expected = new[] { "MBE Mainz-Altstadt", "MBE Mainz-Bretzenheim", "MBE Mainz-Neustadt", "MBE Mainz-Neustadt" };
        once.Select(m => m.Entry.Name).Should().Equal(expected);
        once.Select(m => m.Entry.Id).Skip(2).Should().Equal(first, second);
        again.Select(m => m.Entry.Id).Should().Equal(once.Select(m => m.Entry.Id));
        again.Select(m => m.Reasons).Should().BeEquivalentTo(once.Select(m => m.Reasons), o => o.WithStrictOrdering());
        once.Select(m => m.Rank).Should().Equal(1, 2, 3, 4);
    }

    [Fact]
    public void WithOpenHandovers_UpdatesTheLoad_AndLeavesTheOriginalAsItWas()
    {
        var busy = Service("A busy", "MBE", InDistricts(Mainz)) with { Capacity = new Capacity { MaxOpenHandovers = 10 }, OpenHandovers = 9 };
        var quiet = Service("B quiet", "MBE", InDistricts(Mainz)) with { Capacity = new Capacity { MaxOpenHandovers = 10 }, OpenHandovers = 1 };
        var index = Index(busy, quiet);

        var updated = index.WithOpenHandovers(new Dictionary<Guid, int> { [busy.Id] = 0, [quiet.Id] = 10, [Guid.NewGuid()] = 3 });

        var result = updated.Match(Case(), Today, explainExclusions: true);
        result.Matches.Should().ContainSingle().Which.Reasons.Should().EndWith("0 of 10 handovers open");
        result.Exclusions.Should().ContainSingle().Which.Reasons.Should().Equal("at maximum open handovers (10 of 10 open)");
        index.Match(Case(), Today).Matches.Select(m => m.Entry.Name).Should().Equal("B quiet", "A busy");
        updated.Search(new DirectoryQuery { District = Mainz }).Total.Should().Be(2);
    }
}
