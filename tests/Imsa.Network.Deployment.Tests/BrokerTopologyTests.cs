namespace Imsa.Network.Deployment.Tests;

/// <summary>One row of deploy/broker/permissions.tsv: a broker user and its three permission patterns.</summary>
internal sealed record BrokerPermission(string User, string Configure, string Write, string Read);

/// <summary>
/// deploy/broker/permissions.tsv is the single source of the broker's users and what each may do (deploy/local/infra.sh,
/// deploy/compose and the tests apply it): the Messaging Topology Operator's User and Permission objects must say
/// exactly the same, and the services must connect as those users.
/// </summary>
public sealed class BrokerTopologyTests
{
    private static readonly string PermissionsFile = Path.Combine(TestRepository.Root, "deploy", "broker", "permissions.tsv");

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void EveryUserOfPermissionsTsv_HasItsUserAndPermission_WithTheSamePatterns(string target)
    {
        var rows = ReadPermissions(File.ReadAllText(PermissionsFile));

        rows.Should().HaveCount(6, "three services, each with its own user and its dead-letter operations' user");
        Differences(rows, Manifest.Rendered(target)).Should().BeEmpty(
            $"deploy/kubernetes/{target} has a User and a Permission for each row of deploy/broker/permissions.tsv, with its regular expressions as they are, and no others");
    }

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void EachService_ConnectsAsItsOwnUsers_OnTheVirtualHostTheyArePermittedOn(string target)
    {
        var objects = Manifest.Rendered(target);
        var cluster = objects.OfKind("RabbitmqCluster").Should().ContainSingle().Subject;
        var virtualHost = objects.OfKind("Vhost").Should().ContainSingle().Subject.At("spec", "name").Text() ?? "";

        foreach (var service in Workloads.Services)
        {
            var environment = objects.Environment(objects.Single("Deployment", $"imsa-{service}"));
            environment.Should().Contain("RabbitMq__VirtualHost", virtualHost);
            environment["RabbitMq__Host"].Should().StartWith(cluster.Name, $"imsa-{service} reaches the RabbitmqCluster's Service");
            foreach (var (user, key) in new[] { ($"imsa-{service}", "RabbitMq__"), ($"imsa-{service}-dead-letters", "RabbitMq__DeadLetters__") })
            {
                var credentials = objects.Single("User", user).At("spec", "importCredentialsSecret", "name").Text();
                environment.Should().Contain($"{key}Username", $"secret:{credentials}/username", $"imsa-{service} connects as {user}");
                environment.Should().Contain($"{key}Password", $"secret:{credentials}/password");
            }
        }
    }

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void TheCluster_HasTheConsumerTimeoutTheDeliveryLimitIsReckonedWith_AsTheLocalBroker(string target)
    {
        var cluster = Manifest.Rendered(target).OfKind("RabbitmqCluster").Should().ContainSingle().Subject;
        var additional = cluster.At("spec", "rabbitmq", "additionalConfig").Text() ?? "";
        var local = File.ReadAllText(Path.Combine(TestRepository.Root, "deploy", "local", "infra.sh"));

        ConsumerTimeout(additional).Should().Be(7_200_000, "two hours (docs/adr/0018-quorum-queues.md)");
        ConsumerTimeout(local).Should().Be(ConsumerTimeout(additional), "deploy/local/infra.sh writes the same into conf.d");
    }

    private static long? ConsumerTimeout(string config) =>
        System.Text.RegularExpressions.Regex.Match(config, @"^\s*consumer_timeout\s*=\s*([0-9]+)\b", System.Text.RegularExpressions.RegexOptions.Multiline) is { Success: true } match
            ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    [Fact]
    public void Differences_NameTheUserWhosePatternDrifted_AndTheUsersOnOneSideOnly()
    {
        var rows = new[]
        {
            new BrokerPermission("imsa-a", "^a-.*$", "^a-.*$", "^a-.*$"),
            new BrokerPermission("imsa-b", "^$", "^b$", "^b_error$"),
        };
        var objects = Manifest.Parse("""
            apiVersion: rabbitmq.com/v1beta1
            kind: RabbitmqCluster
            metadata: {name: broker}
            spec: {replicas: 3}
            ---
            apiVersion: rabbitmq.com/v1beta1
            kind: Vhost
            metadata: {name: network}
            spec: {name: network, rabbitmqClusterReference: {name: broker}}
            ---
            apiVersion: rabbitmq.com/v1beta1
            kind: User
            metadata: {name: imsa-a}
            spec: {rabbitmqClusterReference: {name: broker}, importCredentialsSecret: {name: broker-a}}
            ---
            apiVersion: rabbitmq.com/v1beta1
            kind: Permission
            metadata: {name: imsa-a}
            spec:
              rabbitmqClusterReference: {name: broker}
              vhost: network
              user: imsa-a
              permissions: {configure: '^a-.*$', write: '^(a-.*|b-.*)$', read: '^a-.*$'}
            ---
            apiVersion: rabbitmq.com/v1beta1
            kind: User
            metadata: {name: imsa-c}
            spec: {rabbitmqClusterReference: {name: broker}, importCredentialsSecret: {name: broker-c}}
            """);

        Differences(rows, objects).Should().BeEquivalentTo(
            "Permission imsa-a: write is '^(a-.*|b-.*)$', permissions.tsv says '^a-.*$'",
            "imsa-b: no User object",
            "imsa-b: no Permission object",
            "User imsa-c: not in permissions.tsv");
    }

    [Fact]
    public void ReadPermissions_SkipsCommentsAndBlankLines_AsInfraShDoes_AndRefusesARowWithoutFourFields()
    {
        ReadPermissions("# user\tconfigure\twrite\tread\n\n  # indented\nimsa-a\t^$\t^a$\t^a_error$\n").Should().Equal(
            new BrokerPermission("imsa-a", "^$", "^a$", "^a_error$"));

        var read = () => ReadPermissions("imsa-a\t^$\t^a$\n");
        read.Should().Throw<FormatException>().WithMessage("*line 1*four tab-separated fields*");
    }

    /// <summary>The rows of a permissions file, comments and blank lines left out (imsa_broker_permissions in deploy/local/infra.sh).</summary>
    internal static IReadOnlyList<BrokerPermission> ReadPermissions(string text) =>
        text.Split('\n')
            .Select((line, index) => (Line: line.TrimEnd('\r'), Number: index + 1))
            .Where(row => row.Line.Trim().Length > 0 && !row.Line.TrimStart().StartsWith('#'))
            .Select(row => row.Line.Split('\t') is [var user, var configure, var write, var read]
                ? new BrokerPermission(user, configure, write, read)
                : throw new FormatException($"permissions.tsv line {row.Number} does not have four tab-separated fields: {row.Line}"))
            .ToList();

    /// <summary>What the topology objects say otherwise than <paramref name="rows"/>, one line per difference, naming the object.</summary>
    internal static IReadOnlyList<string> Differences(IReadOnlyList<BrokerPermission> rows, IReadOnlyList<KubeObject> objects)
    {
        var differences = new List<string>();
        var cluster = objects.OfKind("RabbitmqCluster").SingleOrDefault()?.Name;
        var virtualHost = objects.OfKind("Vhost").SingleOrDefault()?.At("spec", "name").Text();
        var users = objects.OfKind("User").ToList();
        var permissions = objects.OfKind("Permission").ToList();
        foreach (var row in rows)
        {
            var user = users.FirstOrDefault(item => item.Name == row.User);
            if (user is null)
            {
                differences.Add($"{row.User}: no User object");
            }
            else
            {
                if (user.At("spec", "rabbitmqClusterReference", "name").Text() != cluster)
                {
                    differences.Add($"{user}: not a user of the RabbitmqCluster {cluster}");
                }

                if (user.At("spec", "importCredentialsSecret", "name").Text() is null)
                {
                    differences.Add($"{user}: no importCredentialsSecret to take its name ({row.User}) and password from");
                }

                if (user.At("spec", "tags") is System.Text.Json.Nodes.JsonArray { Count: > 0 })
                {
                    differences.Add($"{user}: has tags; a service's user has none (no management access)");
                }
            }

            var permission = permissions.FirstOrDefault(item => item.At("spec", "user").Text() == row.User);
            if (permission is null)
            {
                differences.Add($"{row.User}: no Permission object");
                continue;
            }

            if (permission.At("spec", "vhost").Text() != virtualHost)
            {
                differences.Add($"{permission}: on virtual host '{permission.At("spec", "vhost").Text()}', not '{virtualHost}'");
            }

            if (permission.At("spec", "rabbitmqClusterReference", "name").Text() != cluster)
            {
                differences.Add($"{permission}: not on the RabbitmqCluster {cluster}");
            }

            foreach (var (name, expected) in new[] { ("configure", row.Configure), ("write", row.Write), ("read", row.Read) })
            {
                var actual = permission.At("spec", "permissions", name).Text();
                if (actual != expected)
                {
                    differences.Add($"{permission}: {name} is '{actual}', permissions.tsv says '{expected}'");
                }
            }
        }

        differences.AddRange(users.Where(user => rows.All(row => row.User != user.Name)).Select(user => $"{user}: not in permissions.tsv"));
        differences.AddRange(permissions.Where(permission => rows.All(row => row.User != permission.At("spec", "user").Text()))
            .Select(permission => $"{permission}: not in permissions.tsv"));
        return differences;
    }
}
