namespace Imsa.Network.Testing;

/// <summary>One broker user's permissions on a virtual host: regular expressions over exchange and queue names.</summary>
public sealed record BrokerUserPermissions(string User, string Configure, string Write, string Read);

/// <summary>
/// The services' own broker users (one per service, one per service's dead-letter operations), with the permissions
/// deploy/broker/permissions.tsv gives them — the file deploy/local/infra.sh applies to the local network — and the
/// passwords deploy/local/test.sh exports from the machine's credentials.
/// </summary>
public static class BrokerUsers
{
    public static IReadOnlyList<BrokerUserPermissions> Permissions { get; } = Load();

    /// <summary>The user of a service: "partners" → imsa-partners.</summary>
    public static string Service(string service) => $"imsa-{service}";

    /// <summary>The user of a service's dead-letter operations: "partners" → imsa-partners-dead-letters.</summary>
    public static string DeadLetters(string service) => $"imsa-{service}-dead-letters";

    /// <summary>The password of one of these users, from IMSA_RABBITMQ_&lt;USER&gt;_PASSWORD (imsa-partners-dead-letters → IMSA_RABBITMQ_PARTNERS_DEAD_LETTERS_PASSWORD).</summary>
    public static string Password(string user)
    {
        var variable = $"IMSA_RABBITMQ_{user["imsa-".Length..].Replace('-', '_').ToUpperInvariant()}_PASSWORD";
        return Environment.GetEnvironmentVariable(variable) is { Length: > 0 } password
            ? password
            : throw new InvalidOperationException($"{variable} is not set: run the tests with deploy/local/test.sh, which exports the broker users' passwords.");
    }

    private static List<BrokerUserPermissions> Load()
    {
        var path = Path.Combine(TestRepository.Root, "deploy", "broker", "permissions.tsv");
        var permissions = new List<BrokerUserPermissions>();
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.TrimStart().StartsWith('#') || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length != 4)
            {
                throw new InvalidOperationException($"{path}: not four tab-separated fields: {line}");
            }

            permissions.Add(new BrokerUserPermissions(fields[0], fields[1], fields[2], fields[3]));
        }

        return permissions;
    }
}
