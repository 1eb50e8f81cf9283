using System.Diagnostics;
using Imsa.Network.Reference.Geography;
using Xunit.Abstractions;

namespace Imsa.Network.Partners.Tests;

public sealed class GeographyTests(ITestOutputHelper output)
{
    private static readonly GermanGeography Geography = GermanGeography.Shared;

    [Fact]
    public void Load_ReadsEveryPostalCodeDistrictAndState()
    {
        var stopwatch = Stopwatch.StartNew();
        var geography = GermanGeography.Load();
        output.WriteLine($"loaded in {stopwatch.Elapsed.TotalMilliseconds:F1} ms");

        geography.PostalCodes.Should().HaveCount(10_813);
        // 400 distinct district keys: every Kreis and kreisfreie Stadt since Eisenach joined the Wartburgkreis (2021).
        geography.Districts.Should().HaveCount(400);
        geography.Districts.Values.Select(d => d.State).Distinct().Should().HaveCount(16);
        geography.PostalCodes.Count(code => geography.DistrictsOf(code).Length > 1).Should().Be(178);
        geography.PostalCodes.Count(code => geography.StatesOf(code).Length > 1).Should().Be(32);
    }

    [Fact]
    public void DistrictsOf_APostalCodeInOneDistrict_ReturnsItWithItsState()
    {
        Geography.DistrictsOf("55116").Should().Equal(new District("07315", "Kreisfreie Stadt Mainz", "DE-RP"));
        Geography.StatesOf("55116").Should().Equal("DE-RP");
    }

    [Fact]
    public void DistrictsOf_APostalCodeInTwoDistricts_ReturnsBoth()
    {
        Geography.DistrictsOf("55576").Select(d => d.Key).Should().Equal("07133", "07339");
        Geography.StatesOf("55576").Should().Equal("DE-RP");
    }

    [Fact]
    public void StatesOf_APostalCodeInTwoStates_ReturnsBoth()
    {
        Geography.DistrictsOf("65391").Select(d => d.Key).Should().Equal("06439", "07141");
        Geography.StatesOf("65391").Should().Equal("DE-HE", "DE-RP");
    }

    [Fact]
    public void DistrictsOf_KeepsLeadingZeros_AndTakesTheStateFromTheKey()
    {
        Geography.DistrictsOf("01067").Should().Equal(new District("14612", "Kreisfreie Stadt Dresden", "DE-SN"));
        Geography.Districts.Values.Where(d => d.State != Imsa.Network.Reference.GermanStates.ByKey[d.Key[..2]].Code).Should().BeEmpty();
    }

    [Theory]
    [InlineData("07315", "Kreisfreie Stadt Mainz")]       // also spelt "Mainz, kreisfreie Stadt"
    [InlineData("08111", "Stadtkreis Stuttgart")]         // also "Stuttgart"
    [InlineData("09564", "Nürnberg")]                     // also "Nuremberg"
    [InlineData("06412", "Frankfurt am Main")]            // also "Frankfurt am Main, Stadt"
    [InlineData("11000", "Berlin, Stadt")]
    public void DistrictName_IsOneSpellingChosenByRule(string key, string name) =>
        Geography.Districts[key].Name.Should().Be(name);

    [Fact]
    public void Checks_KnowPostalCodesDistrictsAndStates()
    {
        Geography.IsPostalCode("55116").Should().BeTrue();
        Geography.IsPostalCode("00000").Should().BeFalse();
        Geography.IsPostalCode(null).Should().BeFalse();
        Geography.IsDistrict("07315").Should().BeTrue();
        Geography.IsDistrict("07999").Should().BeFalse();
        GermanGeography.IsState("DE-RP").Should().BeTrue();
        GermanGeography.IsState("DE-XX").Should().BeFalse();
        Geography.DistrictsOf("00000").Should().BeEmpty();
        Geography.StatesOf("00000").Should().BeEmpty();
    }

    [Fact]
    public void PostalCodesIn_AndDistrictsIn_GoTheOtherWay()
    {
        Geography.PostalCodesIn("07315").Should().Contain(["55116", "55131"]).And.BeInAscendingOrder(StringComparer.Ordinal);
        Geography.PostalCodesIn("07133").Should().Contain("55576");
        Geography.PostalCodesIn("07339").Should().Contain("55576");
        Geography.DistrictsIn("DE-RP").Should().HaveCount(36);
        Geography.DistrictsIn("DE-BE").Should().Equal(new District("11000", "Berlin, Stadt", "DE-BE"));
    }

    [Fact]
    public void Parse_ReadsQuotedFields_AndDropsDuplicateDistricts()
    {
        const string Csv = """
            postal_code,place,district_key,district_name,state,latitude,longitude
            01156,"Dresden Gompitz, Gompitz",14612,Kreisfreie Stadt Dresden,DE-SN,51.0462,13.6617
            01156,"Dresden ""Gompitz"", Pennrich",14612,"Dresden, Stadt",DE-SN,51.05,13.6238
            55576,Sprendlingen,07339,Landkreis Mainz-Bingen,DE-XX,49.86,7.99
            """;

        var geography = GermanGeography.Parse(new StringReader(Csv));

        geography.DistrictsOf("01156").Should().Equal(new District("14612", "Kreisfreie Stadt Dresden", "DE-SN"));
        geography.DistrictsOf("55576").Should().Equal(new District("07339", "Landkreis Mainz-Bingen", "DE-RP"));
    }

    [Fact]
    public void Parse_RejectsAnUnexpectedHeader()
    {
        var parse = () => GermanGeography.Parse(new StringReader("plz,ort\n55116,Mainz\n"));

        parse.Should().Throw<InvalidDataException>();
    }
}
