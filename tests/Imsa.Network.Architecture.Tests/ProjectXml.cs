using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Imsa.Network.Architecture.Tests;

/// <summary>Reads a .csproj as XML, resolving item paths the way MSBuild does: relative to the project's folder.</summary>
internal static partial class ProjectXml
{
    /// <summary>The items that put a file into a project's build or output.</summary>
    internal static readonly string[] FileItems = ["Compile", "EmbeddedResource", "Content", "None"];

    /// <summary>Full paths of the projects named by ProjectReference items.</summary>
    internal static IReadOnlyList<string> ProjectReferences(string projectFile, XDocument project)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(projectFile))!;
        return Items(project, "ProjectReference")
            .SelectMany(item => Paths(item.Attribute("Include")?.Value))
            .Select(include => Resolve(folder, include)
                ?? throw new InvalidOperationException($"{projectFile}: cannot resolve the ProjectReference {include}."))
            .ToList();
    }

    /// <summary>
    /// Every Compile, EmbeddedResource, Content or None item whose Include or Update leads out of the project's
    /// folder: a file linked in from elsewhere is compiled into two projects, and the folder no longer says what the
    /// project holds. A path that cannot be resolved here is reported as well, since nothing shows it stays inside.
    /// </summary>
    internal static IReadOnlyList<string> ItemsFromOutside(string projectFile, XDocument project)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(projectFile))!;
        var offences = new List<string>();
        foreach (var item in FileItems.SelectMany(kind => Items(project, kind)))
        {
            foreach (var attribute in new[] { "Include", "Update" })
            {
                foreach (var path in Paths(item.Attribute(attribute)?.Value))
                {
                    var problem = Problem(folder, path);
                    if (problem is not null)
                    {
                        var link = item.Attribute("Link") ?? item.Attribute("LinkBase");
                        var linked = link is null ? "" : $" {link.Name.LocalName}=\"{link.Value}\"";
                        offences.Add($"<{item.Name.LocalName} {attribute}=\"{path}\"{linked}> {problem}");
                    }
                }
            }
        }

        return offences;
    }

    private static string? Problem(string folder, string path)
    {
        // References to other items (@(Compile)) and metadata (%(…)) name no file of their own.
        if (path.StartsWith("@(", StringComparison.Ordinal) || path.StartsWith("%(", StringComparison.Ordinal))
        {
            return null;
        }

        if (Path.IsPathRooted(path) || DriveLetter().IsMatch(path))
        {
            return "is an absolute path";
        }

        var resolved = Resolve(folder, path);
        if (resolved is null)
        {
            return "uses a property this test cannot resolve";
        }

        return IsInside(folder, resolved) ? null : "resolves outside the project's folder";
    }

    /// <summary>
    /// The full path <paramref name="path"/> names from <paramref name="folder"/>, or null when it holds a property
    /// other than the project's own folder. Wildcards stay as they are: "**" never climbs out of a folder.
    /// </summary>
    internal static string? Resolve(string folder, string path)
    {
        var expanded = path
            .Replace("$(MSBuildThisFileDirectory)", folder + "/", StringComparison.OrdinalIgnoreCase)
            .Replace("$(MSBuildProjectDirectory)", folder, StringComparison.OrdinalIgnoreCase)
            .Replace('\\', '/');
        return expanded.Contains("$(", StringComparison.Ordinal) ? null : Path.GetFullPath(Path.Combine(folder, expanded));
    }

    internal static bool IsInside(string folder, string path)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        return path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    // Old-style project files carry the MSBuild XML namespace; compare local names so both styles read alike.
    private static IEnumerable<XElement> Items(XDocument project, string kind) =>
        project.Descendants().Where(element => element.Name.LocalName == kind
            && element.Parent?.Name.LocalName == "ItemGroup");

    private static string[] Paths(string? value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"^[A-Za-z]:[\\/]")]
    private static partial Regex DriveLetter();
}
