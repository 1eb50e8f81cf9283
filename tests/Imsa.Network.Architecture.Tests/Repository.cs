using System.Xml.Linq;

namespace Imsa.Network.Architecture.Tests;

/// <summary>A product project (under contracts/ or services/) and what its .csproj references.</summary>
/// <param name="Name">The short name: the file name without "Imsa.Network." and ".csproj".</param>
/// <param name="Path">The .csproj's path from the repository root, with forward slashes.</param>
/// <param name="ProductReferences">Short names of the product projects it references.</param>
/// <param name="OtherReferences">Every other project it references, by its path from the repository root.</param>
internal sealed record ProductProject(
    string Name, string Path, IReadOnlyList<string> ProductReferences, IReadOnlyList<string> OtherReferences);

/// <summary>The repository's files, read from the working tree the tests were built from.</summary>
internal static class Repository
{
    private const string SolutionFile = "Imsa.Network.sln";
    private const string NamePrefix = "Imsa.Network.";

    /// <summary>Product projects live in these folders; tests/ and bench/ only use them.</summary>
    internal static readonly string[] ProductFolders = ["contracts", "services"];

    internal static string Root { get; } = FindRoot(AppContext.BaseDirectory);

    /// <summary>Walks up from <paramref name="start"/> to the folder holding the solution file.</summary>
    internal static string FindRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {start} holds {SolutionFile}.");
    }

    /// <summary>Every .csproj under <paramref name="folder"/>, leaving out build output and hidden folders.</summary>
    internal static IReadOnlyList<string> ProjectFiles(string folder)
    {
        var found = new List<string>();
        if (!Directory.Exists(folder))
        {
            return found;
        }

        found.AddRange(Directory.EnumerateFiles(folder, "*.csproj"));
        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            var name = System.IO.Path.GetFileName(child);
            // bin/ and obj/ may hold copies of project files; .git, .local and the like are not the solution.
            if (name is "bin" or "obj" || name.StartsWith('.'))
            {
                continue;
            }

            found.AddRange(ProjectFiles(child));
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    internal static string ShortName(string projectFile)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(projectFile);
        return name.StartsWith(NamePrefix, StringComparison.Ordinal) ? name[NamePrefix.Length..] : name;
    }

    /// <summary>The repository-relative path with forward slashes, as messages show it.</summary>
    internal static string Relative(string root, string path) =>
        System.IO.Path.GetRelativePath(root, path).Replace('\\', '/');

    /// <summary>The product projects of the repository at <paramref name="root"/>, with their project references.</summary>
    internal static IReadOnlyList<ProductProject> ProductProjects(string root)
    {
        var files = ProductFolders.SelectMany(folder => ProjectFiles(System.IO.Path.Combine(root, folder))).ToList();
        var names = files.ToDictionary(file => System.IO.Path.GetFullPath(file), ShortName, StringComparer.Ordinal);

        return files.Select(file =>
        {
            var references = ProjectXml.ProjectReferences(file, XDocument.Load(file));
            return new ProductProject(
                ShortName(file),
                Relative(root, file),
                references.Where(names.ContainsKey).Select(reference => names[reference]).ToList(),
                references.Where(reference => !names.ContainsKey(reference)).Select(reference => Relative(root, reference)).ToList());
        }).ToList();
    }
}
