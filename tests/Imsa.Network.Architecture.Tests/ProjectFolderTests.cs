using System.Xml.Linq;

namespace Imsa.Network.Architecture.Tests;

public sealed class ProjectFolderTests
{
    private static readonly string ProjectFile =
        Path.Combine(Path.GetTempPath(), "repo", "services", "Partners", "Imsa.Network.Partners", "Imsa.Network.Partners.csproj");

    [Fact]
    public void EveryProject_CompilesOnlyFilesFromItsOwnFolder()
    {
        var projects = Repository.ProjectFiles(Repository.Root);
        // Guards the walk itself: finding nothing would pass for the wrong reason.
        projects.Select(p => Repository.Relative(Repository.Root, p)).Should()
            .Contain("tests/Imsa.Network.Architecture.Tests/Imsa.Network.Architecture.Tests.csproj");

        var offences = projects
            .SelectMany(project => ProjectXml.ItemsFromOutside(project, XDocument.Load(project))
                .Select(offence => $"{Repository.Relative(Repository.Root, project)}: {offence}"))
            .ToList();

        offences.Should().BeEmpty("a file belongs to one project, the one whose folder holds it; shared code gets its own project");
    }

    [Theory]
    [InlineData("Compile")]
    [InlineData("EmbeddedResource")]
    [InlineData("Content")]
    [InlineData("None")]
    public void Checker_ReportsAnItemLinkedInFromAnotherProject(string kind)
    {
        var project = Project($"""<{kind} Include="../../Counselling/Imsa.Network.Counselling/Domain/Consent.cs" Link="Domain/Consent.cs" />""");

        ProjectXml.ItemsFromOutside(ProjectFile, project).Should().Equal(
            $"""<{kind} Include="../../Counselling/Imsa.Network.Counselling/Domain/Consent.cs" Link="Domain/Consent.cs"> resolves outside the project's folder""");
    }

    [Fact]
    public void Checker_ReportsAnUpdateOutsideTheFolder()
    {
        var project = Project("""<None Update="..\..\..\deploy\local\appsettings.json" LinkBase="config" />""");

        ProjectXml.ItemsFromOutside(ProjectFile, project).Should().ContainSingle()
            .Which.Should().Contain("Update=\"..\\..\\..\\deploy\\local\\appsettings.json\" LinkBase=\"config\"> resolves outside");
    }

    [Fact]
    public void Checker_ReportsAWildcardOutsideTheFolder()
    {
        var project = Project("""<Compile Include="../../../contracts/Imsa.Network.Reference/**/*.cs" />""");

        ProjectXml.ItemsFromOutside(ProjectFile, project).Should().ContainSingle()
            .Which.Should().EndWith("resolves outside the project's folder");
    }

    [Fact]
    public void Checker_ReportsAnAbsolutePath()
    {
        var project = Project("""<Content Include="/etc/imsa/appsettings.json" />""");

        ProjectXml.ItemsFromOutside(ProjectFile, project).Should().ContainSingle()
            .Which.Should().EndWith("is an absolute path");
    }

    [Fact]
    public void Checker_ReportsEachOutsidePathOfAList()
    {
        var project = Project("""<Compile Include="Domain/Matching.cs;../Shared/Clock.cs;../Shared/Ids.cs" />""");

        ProjectXml.ItemsFromOutside(ProjectFile, project).Should().HaveCount(2);
    }

    [Fact]
    public void Checker_ReportsAPathWithAPropertyItCannotResolve()
    {
        var project = Project("""<Compile Include="$(RepositoryRoot)shared/Clock.cs" />""");

        ProjectXml.ItemsFromOutside(ProjectFile, project).Should().ContainSingle()
            .Which.Should().EndWith("uses a property this test cannot resolve");
    }

    [Fact]
    public void Checker_ReadsProjectsWithTheMsBuildNamespace()
    {
        var project = XDocument.Parse("""
            <Project xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
              <ItemGroup><Compile Include="../Shared/Clock.cs" /></ItemGroup>
            </Project>
            """);

        ProjectXml.ItemsFromOutside(ProjectFile, project).Should().ContainSingle();
    }

    [Fact]
    public void Checker_AcceptsPathsInsideTheFolder()
    {
        var project = Project("""
            <EmbeddedResource Include="Domain/ConsentTexts/release-v1.de.txt" LogicalName="consent-text-v1.de" />
            <Compile Include="**/*.cs" />
            <Compile Remove="../Elsewhere/**" />
            <None Update="appsettings.json" CopyToOutputDirectory="PreserveNewest" />
            <Content Include="$(MSBuildThisFileDirectory)wwwroot/index.html" />
            <None Include="Data/../README.md" />
            <Compile Include="@(GeneratedSources)" />
            """);

        ProjectXml.ItemsFromOutside(ProjectFile, project).Should().BeEmpty();
    }

    private static XDocument Project(string items) =>
        XDocument.Parse($"""
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                {items}
              </ItemGroup>
            </Project>
            """);
}
