using System.Text.RegularExpressions;

namespace Imsa.Network.Architecture.Tests;

/// <summary>The nodes and edges of the Mermaid flowchart under "## Project graph" in docs/architecture.md.</summary>
internal sealed record DocumentedGraph(IReadOnlySet<string> Nodes, IReadOnlySet<string> Edges);

/// <summary>Reads the project graph the docs draw, and compares it with the one the .csproj files make.</summary>
internal static partial class ProjectGraphDoc
{
    internal const string Heading = "## Project graph";
    internal const string Arrow = " --> ";

    // Statements that style or group the chart and name no project.
    private static readonly string[] Keywords = ["subgraph", "end", "direction", "classDef", "class", "style", "linkStyle", "click"];

    /// <summary>
    /// The graph of the first ```mermaid block in the "## Project graph" section of <paramref name="markdown"/>;
    /// throws when the section, the block or its flowchart header is missing, or when a statement cannot be read,
    /// so a graph the test does not understand never passes for an empty one.
    /// </summary>
    internal static DocumentedGraph Parse(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var block = MermaidBlock(lines);

        var nodes = new SortedSet<string>(StringComparer.Ordinal);
        var edges = new SortedSet<string>(StringComparer.Ordinal);
        var header = block.FirstOrDefault(line => line.Trim().Length > 0 && !line.Trim().StartsWith("%%", StringComparison.Ordinal));
        if (header is null || !header.Trim().StartsWith("flowchart", StringComparison.Ordinal))
        {
            throw new FormatException($"The mermaid block under \"{Heading}\" must start with a flowchart header, not \"{header?.Trim()}\".");
        }

        foreach (var line in block.SkipWhile(line => line != header).Skip(1))
        {
            foreach (var statement in Label().Replace(line, "").Split(';'))
            {
                Read(statement, nodes, edges);
            }
        }

        return new DocumentedGraph(nodes, edges);
    }

    /// <summary>What the docs leave out of the graph and what they draw that the solution does not have.</summary>
    internal static IReadOnlyList<string> Differences(DocumentedGraph documented, IReadOnlyCollection<ProductProject> projects)
    {
        var names = projects.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var edges = projects
            .SelectMany(p => p.ProductReferences.Select(reference => p.Name + Arrow + reference))
            .ToHashSet(StringComparer.Ordinal);

        var differences = new List<string>();
        differences.AddRange(edges.Except(documented.Edges).Order(StringComparer.Ordinal)
            .Select(edge => $"missing from the docs: {edge}"));
        differences.AddRange(documented.Edges.Except(edges).Order(StringComparer.Ordinal)
            .Select(edge => $"in the docs but not in the solution: {edge}"));
        differences.AddRange(names.Except(documented.Nodes).Order(StringComparer.Ordinal)
            .Select(name => $"product project missing from the docs: {name}"));
        differences.AddRange(documented.Nodes.Except(names).Order(StringComparer.Ordinal)
            .Select(name => $"node in the docs that is no product project: {name}"));
        return differences;
    }

    private static List<string> MermaidBlock(string[] lines)
    {
        var inFence = false;
        var start = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd();
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && line == Heading)
            {
                start = i + 1;
                break;
            }
        }

        if (start < 0)
        {
            throw new FormatException($"No section headed \"{Heading}\".");
        }

        var section = lines.Skip(start).TakeWhile(line => !line.StartsWith("## ", StringComparison.Ordinal)
            && !line.StartsWith("# ", StringComparison.Ordinal)).ToList();
        var open = section.FindIndex(line => line.Trim() == "```mermaid");
        if (open < 0)
        {
            throw new FormatException($"No ```mermaid block in the section \"{Heading}\".");
        }

        var close = section.FindIndex(open + 1, line => line.Trim().StartsWith("```", StringComparison.Ordinal));
        if (close < 0)
        {
            throw new FormatException($"The ```mermaid block in the section \"{Heading}\" is not closed.");
        }

        return section.GetRange(open + 1, close - open - 1);
    }

    private static void Read(string statement, SortedSet<string> nodes, SortedSet<string> edges)
    {
        var text = statement.Trim();
        if (text.Length == 0 || text.StartsWith("%%", StringComparison.Ordinal)
            || Keywords.Contains(text.Split(' ', 2)[0], StringComparer.Ordinal))
        {
            return;
        }

        // "A --> B & C --> D": each step links every node on its left to every node on its right.
        var steps = text.Split("-->").Select(step => step.Split('&').Select(node => Node(node, statement)).ToList()).ToList();
        foreach (var node in steps.SelectMany(step => step))
        {
            nodes.Add(node);
        }

        for (var i = 1; i < steps.Count; i++)
        {
            foreach (var from in steps[i - 1])
            {
                foreach (var to in steps[i])
                {
                    edges.Add(from + Arrow + to);
                }
            }
        }
    }

    /// <summary>The node's id: what comes before its label, its shape and its class.</summary>
    private static string Node(string text, string statement)
    {
        var id = EdgeText().Replace(text.Trim(), "").Trim();
        id = id.Split([':', '[', '(', '{', '>'], 2)[0].Trim();
        return NodeId().IsMatch(id)
            ? id
            : throw new FormatException($"Cannot read a node id in \"{statement.Trim()}\" (only \"A --> B\" links are understood).");
    }

    // A quoted label may hold any character, "-->" and "&" included, so it goes before the statement is split.
    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Label();

    [GeneratedRegex(@"^\|[^|]*\|")]
    private static partial Regex EdgeText();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex NodeId();
}
