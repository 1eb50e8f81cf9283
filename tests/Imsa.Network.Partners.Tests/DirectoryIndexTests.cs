using Imsa.Network.Partners.Domain.Directory;
using static Imsa.Network.Partners.Tests.DirectoryTestData;

namespace Imsa.Network.Partners.Tests;

public sealed class DirectoryIndexTests
{
    // Rheinland-Pfalz: a state-wide MFD, a JMD for Mainz, an MBE for two postal codes in Mainz, an AVB in Trier;
    // elsewhere: an IQ in Berlin and an MBE in Wiesbaden (Hessen).
    private static readonly ReceivingServiceEntry MfdRlp = Service("MFD Rheinland-Pfalz", "MFD", InStates("DE-RP")) with
    {
        Languages = ["de", "ar", "fa"],
        Topics = ["RES", "ASYL", "SOCB"],
    };

    private static readonly ReceivingServiceEntry JmdMainz = Service("JMD Mainz", "JMD", InDistricts("07315")) with
    {
        Languages = ["de", "ar", "tr"],
        Topics = ["EDU", "WORK", "LANG"],
    };

    private static readonly ReceivingServiceEntry MbeMainzNeustadt = Service("MBE Mainz-Neustadt", "MBE", AtPostalCodes("55118", "55120")) with
    {
        Languages = ["de", "uk", "ru"],
        Topics = ["RES", "WORK", "HOUS"],
    };

    private static readonly ReceivingServiceEntry AvbTrier = Service("AVB Trier", "AVB", InDistricts("07211")) with { Topics = ["ASYL"] };

    private static readonly ReceivingServiceEntry IqBerlin = Service("IQ Berlin", "IQ", InStates("DE-BE")) with
    {
        Languages = ["de", "en", "ar"],
        Topics = ["REC"],
    };

    private static readonly ReceivingServiceEntry MbeWiesbaden = Service("MBE Wiesbaden", "MBE", InDistricts("06414"));

    private static readonly DirectoryIndex Directory = Index(MfdRlp, JmdMainz, MbeMainzNeustadt, AvbTrier, IqBerlin, MbeWiesbaden);

    [Fact]
    public void Search_WithoutFilters_ListsEveryServiceByName()
    {
        var page = Directory.Search(new DirectoryQuery());

        page.Total.Should().Be(6);
        page.Items.Select(e => e.Name).Should().Equal(
            "AVB Trier", "IQ Berlin", "JMD Mainz", "MBE Mainz-Neustadt", "MBE Wiesbaden", "MFD Rheinland-Pfalz");
    }

    [Fact]
    public void Search_ByState_FindsEveryServiceWithPartOfItsAreaThere()
    {
        Names(new DirectoryQuery { State = "DE-RP" }).Should().Equal("AVB Trier", "JMD Mainz", "MBE Mainz-Neustadt", "MFD Rheinland-Pfalz");
        Names(new DirectoryQuery { State = "DE-HE" }).Should().Equal("MBE Wiesbaden");
        Names(new DirectoryQuery { State = "DE-SN" }).Should().BeEmpty();
    }

    [Fact]
    public void Search_ByDistrict_FindsTheDistrictsServicesItsPostalCodesAndItsStatesWholeStateServices()
    {
        Names(new DirectoryQuery { District = "07315" }).Should().Equal("JMD Mainz", "MBE Mainz-Neustadt", "MFD Rheinland-Pfalz");
        Names(new DirectoryQuery { District = "07211" }).Should().Equal("AVB Trier", "MFD Rheinland-Pfalz");
    }

    [Fact]
    public void Search_ByPostalCode_FindsTheServicesCoveringIt()
    {
        Names(new DirectoryQuery { PostalCode = "55118" }).Should().Equal("JMD Mainz", "MBE Mainz-Neustadt", "MFD Rheinland-Pfalz");
        Names(new DirectoryQuery { PostalCode = "55116" }).Should().Equal("JMD Mainz", "MFD Rheinland-Pfalz");
        Names(new DirectoryQuery { PostalCode = "10115" }).Should().Equal("IQ Berlin");
    }

    [Fact]
    public void Search_ByServiceTypeLanguageAndTopic()
    {
        Names(new DirectoryQuery { ServiceType = "MBE" }).Should().Equal("MBE Mainz-Neustadt", "MBE Wiesbaden");
        Names(new DirectoryQuery { Language = "ar" }).Should().Equal("IQ Berlin", "JMD Mainz", "MFD Rheinland-Pfalz");
        Names(new DirectoryQuery { Topic = "ASYL" }).Should().Equal("AVB Trier", "MFD Rheinland-Pfalz");
    }

    [Fact]
    public void Search_CombinesFilters()
    {
        Names(new DirectoryQuery { State = "DE-RP", Language = "ar", Topic = "WORK" }).Should().Equal("JMD Mainz");
        Names(new DirectoryQuery { District = "07315", PostalCode = "55116", ServiceType = "MFD" }).Should().Equal("MFD Rheinland-Pfalz");
        Names(new DirectoryQuery { State = "DE-HE", District = "07315" }).Should().BeEmpty();
    }

    [Fact]
    public void Search_Pages()
    {
        var page = Directory.Search(new DirectoryQuery { Offset = 2, Limit = 3 });

        page.Total.Should().Be(6);
        page.Items.Select(e => e.Name).Should().Equal("JMD Mainz", "MBE Mainz-Neustadt", "MBE Wiesbaden");
        Directory.Search(new DirectoryQuery { Offset = 6 }).Items.Should().BeEmpty();
    }

    [Fact]
    public void Search_SortsEqualNamesById()
    {
        var low = new Guid("00000000-0000-0000-0000-000000000001");
        var high = new Guid("00000000-0000-0000-0000-000000000002");
        var index = Index(Service("MBE Mainz", "MBE", InDistricts("07315"), high), Service("MBE Mainz", "MBE", InDistricts("07315"), low));

        index.Search(new DirectoryQuery()).Items.Select(e => e.Id).Should().Equal(low, high);
    }

    [Fact]
    public void Search_RejectsABadPage()
    {
        var search = () => Directory.Search(new DirectoryQuery { Limit = DirectoryQuery.MaxLimit + 1 });

        search.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Index_RejectsTheSameServiceTwice()
    {
        var build = () => Index(JmdMainz, JmdMainz with { Name = "JMD Mainz (copy)" });

        build.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void TryGet_FindsAServiceById()
    {
        Directory.TryGet(JmdMainz.Id, out var entry).Should().BeTrue();
        entry.Should().BeSameAs(JmdMainz);
        Directory.TryGet(Guid.NewGuid(), out _).Should().BeFalse();
        Directory.Count.Should().Be(6);
    }

    [Fact]
    public void DefaultEligibility_FollowsTheServiceType()
    {
        Eligibility.DefaultFor("JMD").Should().Match<Eligibility>(e => e.MinAge == 12 && e.MaxAge == 26);
        Eligibility.DefaultFor("MBE").Should().Match<Eligibility>(e => e.MinAge == 27 && e.MaxAge == null);
        Eligibility.DefaultFor("AVB").ResidenceSituations.Should().Equal("asylum-applicant");
        Eligibility.DefaultFor("FM").ResidenceSituations.Should().Equal("eu-citizen");
        Eligibility.DefaultFor("FI").ResidenceSituations.Should().HaveCount(4).And.NotContain("eu-citizen");
        Eligibility.DefaultFor("MFD").Should().BeSameAs(Eligibility.Everyone);
    }

    private static IEnumerable<string> Names(DirectoryQuery query) => Directory.Search(query).Items.Select(e => e.Name);
}
