using Imsa.Network.Reference;

namespace Imsa.Network.Partners.Tests;

public sealed class ReferenceCodesTests
{
    [Fact]
    public void Codes_HaveTheExpectedSizes()
    {
        Topics.All.Should().HaveCount(22);
        Topics.Codes.Should().HaveCount(22);
        ServiceTypes.Codes.Should().BeEquivalentTo(["MBE", "JMD", "MFD", "AVB", "IQ", "FI", "FM", "OTHER"]);
        MigrationPurposes.All.Should().HaveCount(13);
        ResidenceSituations.Codes.Should().HaveCount(5);
        Languages.Codes.Should().HaveCount(184).And.OnlyContain(code => code.Length == 2 && code.All(char.IsAsciiLetterLower));
        Languages.Codes.Should().Contain(["de", "ar", "fa", "ps", "uk", "tr", "ti"]);
        GermanStates.All.Should().HaveCount(16);
    }

    [Fact]
    public void GermanStates_CarryTheirOfficialKeys()
    {
        GermanStates.ByKey["07"].Code.Should().Be("DE-RP");
        GermanStates.ByKey["16"].Code.Should().Be("DE-TH");
        GermanStates.ByCode["DE-BY"].Should().Be(new GermanState("DE-BY", "09", "Bayern", "Bavaria"));
        GermanStates.All.Select(s => s.Key).Should().Equal(Enumerable.Range(1, 16).Select(i => i.ToString("00", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void MigrationPurposes_NameTheirLegalBasis()
    {
        MigrationPurposes.ByCode["skilled-worker-vocational"].LegalBasis.Should().Be("§ 18a AufenthG");
        MigrationPurposes.ByCode["opportunity-card"].LegalBasis.Should().Be("§ 20a AufenthG");
        MigrationPurposes.ByCode["eu-free-movement"].LegalBasis.Should().Be("FreizügG/EU");
        MigrationPurposes.Codes.Should().OnlyContain(code => code.All(c => char.IsAsciiLetterLower(c) || c == '-'));
    }

    [Theory]
    [InlineData("asylum", "asylum-applicant")]
    [InlineData("eu-free-movement", "eu-citizen")]
    [InlineData("skilled-worker-vocational", "residence-permit")]
    [InlineData("family-reunification", "residence-permit")]
    [InlineData("other", "residence-permit")]
    public void ResidenceSituation_ExpectedForAPurpose(string purpose, string situation) =>
        ResidenceSituations.ExpectedFor(purpose).Should().Be(situation);
}
