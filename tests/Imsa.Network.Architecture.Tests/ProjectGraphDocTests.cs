namespace Imsa.Network.Architecture.Tests;

public sealed class ProjectGraphDocTests
{
    [Fact]
    public void ArchitectureDoc_DrawsTheProjectGraphOfTheSolution()
    {
        var markdown = File.ReadAllText(Path.Combine(Repository.Root, "docs", "architecture.md"));
        var projects = Repository.ProductProjects(Repository.Root);

        ProjectGraphDoc.Differences(ProjectGraphDoc.Parse(markdown), projects).Should().BeEmpty(
            "the flowchart under \"## Project graph\" in docs/architecture.md draws every product project and exactly its ProjectReference edges");
    }

    [Fact]
    public void Parse_ReadsNodesAndEdges_WithLabelsChainsAndGroups()
    {
        var graph = ProjectGraphDoc.Parse(Doc("""
            flowchart TD
                %% the services
                Partners --> Access["Access<br/>tokens --> policies"]
                Access --> Contracts & Messaging
                Operations(["Operations"]) -->|audit| Messaging
                subgraph libraries["Shared libraries"]
                    Messaging{{"Messaging"}}
                end
                Gateway:::edge
                classDef edge fill:#eee
            """));

        graph.Nodes.Should().BeEquivalentTo("Partners", "Access", "Contracts", "Messaging", "Operations", "Gateway");
        graph.Edges.Should().BeEquivalentTo(
            "Partners --> Access", "Access --> Contracts", "Access --> Messaging", "Operations --> Messaging");
    }

    [Fact]
    public void Parse_ReadsOnlyTheProjectGraphSection()
    {
        var markdown = """
            # Architecture

            ## Picture

            ```mermaid
            flowchart LR
                clients --> papi
            ```

            ## Project graph

            ```mermaid
            flowchart TD
                Partners --> Contracts
            ```

            ## Code layout

            ```mermaid
            flowchart TD
                Gateway --> Partners
            ```
            """;

        ProjectGraphDoc.Parse(markdown).Edges.Should().Equal("Partners --> Contracts");
    }

    [Fact]
    public void Parse_FailsWithoutTheSection()
    {
        var parse = () => ProjectGraphDoc.Parse("# Architecture\n\n## Projects\n\n```mermaid\nflowchart TD\n    A --> B\n```\n");

        parse.Should().Throw<FormatException>().WithMessage("No section headed \"## Project graph\".");
    }

    [Fact]
    public void Parse_FailsWithoutAMermaidBlockInTheSection()
    {
        var parse = () => ProjectGraphDoc.Parse("## Project graph\n\nText only.\n\n## Code layout\n\n```mermaid\nflowchart TD\n    A --> B\n```\n");

        parse.Should().Throw<FormatException>().WithMessage("No ```mermaid block*");
    }

    [Fact]
    public void Parse_FailsOnAChartThatIsNoFlowchart()
    {
        var parse = () => ProjectGraphDoc.Parse(Doc("sequenceDiagram\n    A->>B: hello"));

        parse.Should().Throw<FormatException>().WithMessage("*flowchart header*");
    }

    [Fact]
    public void Parse_FailsOnALinkItDoesNotUnderstand()
    {
        // A dotted link read as a lone node would silently drop the edge.
        var parse = () => ProjectGraphDoc.Parse(Doc("flowchart TD\n    Partners -.-> Access"));

        parse.Should().Throw<FormatException>().WithMessage("Cannot read a node id in \"Partners -.-> Access\"*");
    }

    [Fact]
    public void Differences_NameTheEdgesMissingFromTheDocsAndThoseNotInTheSolution()
    {
        var graph = ProjectGraphDoc.Parse(Doc("""
            flowchart TD
                Access --> Contracts
                Messaging --> Contracts
                Contracts
            """));
        var projects = new[]
        {
            new ProductProject("Contracts", "contracts/Imsa.Network.Contracts/Imsa.Network.Contracts.csproj", [], []),
            new ProductProject("Messaging", "services/Messaging/Imsa.Network.Messaging/Imsa.Network.Messaging.csproj", [], []),
            new ProductProject("Access", "services/Access/Imsa.Network.Access/Imsa.Network.Access.csproj", ["Contracts", "Messaging"], []),
        };

        ProjectGraphDoc.Differences(graph, projects).Should().Equal(
            "missing from the docs: Access --> Messaging",
            "in the docs but not in the solution: Messaging --> Contracts");
    }

    [Fact]
    public void Differences_NameAProjectMissingFromTheDocsAndANodeThatIsNoProject()
    {
        var graph = ProjectGraphDoc.Parse(Doc("flowchart TD\n    Contracts\n    Web"));
        var projects = new[]
        {
            new ProductProject("Contracts", "contracts/Imsa.Network.Contracts/Imsa.Network.Contracts.csproj", [], []),
            new ProductProject("Gateway", "services/Gateway/Imsa.Network.Gateway/Imsa.Network.Gateway.csproj", [], []),
        };

        ProjectGraphDoc.Differences(graph, projects).Should().Equal(
            "product project missing from the docs: Gateway",
            "node in the docs that is no product project: Web");
    }

    private static string Doc(string chart) =>
        $"# Architecture\n\n## Project graph\n\nThe projects.\n\n```mermaid\n{chart}\n```\n\n## Code layout\n";
}
