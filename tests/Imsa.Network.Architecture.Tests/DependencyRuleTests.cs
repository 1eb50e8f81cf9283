using System.Xml.Linq;

namespace Imsa.Network.Architecture.Tests;

public sealed class DependencyRuleTests
{
    [Fact]
    public void ProductProjects_ReferenceOnlyWhatTheirRuleAllows()
    {
        var projects = Repository.ProductProjects(Repository.Root);

        DependencyRules.Violations(projects, DependencyRules.Rules).Should().BeEmpty(
            "every product project is placed in the dependency rules of docs/adr/0006 and keeps to them");
    }

    [Fact]
    public void Checker_AcceptsAGraphThatKeepsTheRules()
    {
        DependencyRules.Violations(Allowed(), DependencyRules.Rules).Should().BeEmpty();
    }

    [Fact]
    public void Checker_ReportsMessagingReferencingContracts()
    {
        var projects = Allowed().Select(p => p.Name == "Messaging" ? Project("Messaging", "Contracts") : p).ToList();

        DependencyRules.Violations(projects, DependencyRules.Rules).Should().ContainSingle()
            .Which.Should().StartWith("Messaging → Contracts breaks the rule: Messaging may reference ServiceDefaults,");
    }

    [Fact]
    public void Checker_ReportsAServiceReferencingAnotherService()
    {
        var projects = Allowed().Select(p => p.Name == "Partners" ? p with { ProductReferences = [.. p.ProductReferences, "Handovers"] } : p).ToList();

        DependencyRules.Violations(projects, DependencyRules.Rules).Should().ContainSingle()
            .Which.Should().StartWith("Partners → Handovers breaks the rule");
    }

    [Fact]
    public void Checker_ReportsALibraryReferencingAService()
    {
        var projects = Allowed().Select(p => p.Name == "Access" ? p with { ProductReferences = [.. p.ProductReferences, "Partners"] } : p).ToList();

        DependencyRules.Violations(projects, DependencyRules.Rules).Should().ContainSingle()
            .Which.Should().StartWith("Access → Partners breaks the rule");
    }

    [Fact]
    public void Checker_ReportsAProjectWithoutARule()
    {
        var projects = Allowed().Append(Project("Mobile", "Contracts")).ToList();

        DependencyRules.Violations(projects, DependencyRules.Rules).Should().ContainSingle()
            .Which.Should().StartWith("Mobile (services/Mobile/Imsa.Network.Mobile.csproj) has no dependency rule");
    }

    [Fact]
    public void Checker_ReportsAReferenceOutsideContractsAndServices()
    {
        var projects = Allowed().Select(p => p.Name == "Handovers"
            ? p with { OtherReferences = ["tests/Imsa.Network.Testing/Imsa.Network.Testing.csproj"] }
            : p).ToList();

        DependencyRules.Violations(projects, DependencyRules.Rules).Should().ContainSingle()
            .Which.Should().StartWith("Handovers → tests/Imsa.Network.Testing/Imsa.Network.Testing.csproj:");
    }

    [Fact]
    public void Checker_ReportsARuleWhoseProjectIsGone()
    {
        var projects = Allowed().Where(p => p.Name != "Gateway").ToList();

        DependencyRules.Violations(projects, DependencyRules.Rules).Should().ContainSingle()
            .Which.Should().StartWith("the rule for Gateway names no product project");
    }

    [Fact]
    public void Checker_FailsOnAnEmptyRepository()
    {
        // Finding no project at all must not pass as "no violations".
        DependencyRules.Violations([], DependencyRules.Rules).Should().HaveCount(DependencyRules.Rules.Count);
    }

    [Fact]
    public void ProjectReferences_ResolveRelativeToTheProjectFolder()
    {
        var root = Path.Combine(Path.GetTempPath(), "repo");
        var projectFile = Path.Combine(root, "services", "Access", "Imsa.Network.Access", "Imsa.Network.Access.csproj");
        var project = XDocument.Parse("""
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <ProjectReference Include="../../../contracts/Imsa.Network.Contracts/Imsa.Network.Contracts.csproj" />
                <ProjectReference Include="..\..\Messaging\Imsa.Network.Messaging\Imsa.Network.Messaging.csproj" />
              </ItemGroup>
            </Project>
            """);

        ProjectXml.ProjectReferences(projectFile, project).Select(path => Repository.Relative(root, path)).Should().Equal(
            "contracts/Imsa.Network.Contracts/Imsa.Network.Contracts.csproj",
            "services/Messaging/Imsa.Network.Messaging/Imsa.Network.Messaging.csproj");
    }

    [Fact]
    public void ProductProjects_AreReadFromContractsAndServicesOnly()
    {
        var projects = Repository.ProductProjects(Repository.Root);

        projects.Should().NotBeEmpty();
        projects.Should().OnlyContain(p => p.Path.StartsWith("contracts/", StringComparison.Ordinal)
            || p.Path.StartsWith("services/", StringComparison.Ordinal));
        projects.Select(p => p.Name).Should().NotContain(name => name.EndsWith(".Tests", StringComparison.Ordinal));
    }

    /// <summary>The rules' own graph: every project referencing all it may.</summary>
    private static List<ProductProject> Allowed() =>
        DependencyRules.Rules.Select(rule => Project(rule.Project, [.. rule.MayReference])).ToList();

    private static ProductProject Project(string name, params string[] references) =>
        new(name, $"services/{name}/Imsa.Network.{name}.csproj", references, []);
}
