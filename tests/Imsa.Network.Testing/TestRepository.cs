namespace Imsa.Network.Testing;

/// <summary>The checkout the tests run from: the folder holding Imsa.Network.sln, above the test's own directory.</summary>
public static class TestRepository
{
    public static string Root { get; } = Find(AppContext.BaseDirectory);

    private static string Find(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Imsa.Network.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {start} holds Imsa.Network.sln.");
    }
}
