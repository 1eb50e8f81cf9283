using System.Globalization;
using System.Text.Json.Nodes;

namespace Imsa.Network.Deployment.Tests;

/// <summary>The base and the production overlay, rendered with kubectl kustomize, against the rules and against what the code needs.</summary>
public sealed class ManifestTests
{
    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void EveryRenderedObject_KeepsTheRules(string target)
    {
        var objects = Manifest.Rendered(target);

        objects.Should().NotBeEmpty();
        ManifestRules.Violations(objects).Should().BeEmpty(
            $"every object kubectl kustomize deploy/kubernetes/{target} renders keeps the rules of ManifestRules (deploy/kubernetes/README.md, \"What the tests check\")");
    }

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void TheNetwork_IsTheThreeServicesTheGatewayAndTheWebApplication_WithAMigrationJobPerService(string target)
    {
        var objects = Manifest.Rendered(target);

        objects.OfKind("Deployment").Select(deployment => deployment.Name).Should().BeEquivalentTo(
            "imsa-partners", "imsa-counselling", "imsa-handovers", "imsa-gateway", "imsa-web");
        objects.OfKind("Job").Select(job => job.Name).Should().BeEquivalentTo(
            "imsa-partners-migrate", "imsa-counselling-migrate", "imsa-handovers-migrate");
    }

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void ReadinessProbes_AskTheServicesWhetherTheirDatabaseAndBrokerAreThere_AndNameAHostTheyAccept(string target)
    {
        var objects = Manifest.Rendered(target);
        var deployments = objects.OfKind("Deployment").ToList();

        // The gateway's own /health/ready is every service's readiness: as its readiness probe it would take every
        // route down when one service is (base/gateway.yaml).
        deployments.ToDictionary(deployment => deployment.Name, deployment => deployment.Container().At("readinessProbe", "httpGet", "path").Text())
            .Should().BeEquivalentTo(new Dictionary<string, string?>
            {
                ["imsa-partners"] = "/health/ready",
                ["imsa-counselling"] = "/health/ready",
                ["imsa-handovers"] = "/health/ready",
                ["imsa-gateway"] = "/health/live",
                ["imsa-web"] = "/health/ready",
            });
        foreach (var deployment in deployments)
        {
            var environment = objects.Environment(deployment);
            var allowed = environment.TryGetValue("AllowedHosts", out var hosts) ? hosts.Split(';') : [];
            foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
            {
                var host = deployment.Container()[probe].At("httpGet", "httpHeaders").Objects()
                    .FirstOrDefault(header => header["name"].Text() == "Host")?["value"].Text();
                allowed.Should().Contain(host ?? "(the pod's address)",
                    $"{deployment}'s {probe} must name a Host its AllowedHosts accepts, or it is answered 400");
            }
        }
    }

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void EachDatabase_IsMigratedByItsJob_WithTheServiceImageAndNothingButTheDatabase(string target)
    {
        var objects = Manifest.Rendered(target);

        foreach (var service in Workloads.Services)
        {
            var deployment = objects.Single("Deployment", $"imsa-{service}");
            var job = objects.Single("Job", $"imsa-{service}-migrate");
            var project = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(service);

            objects.Environment(deployment).Should().Contain("Database__MigrateOnStartup", "false",
                $"{deployment} leaves its migrations to {job} (the step before a rollout)");
            job.Container()["command"]!.AsArray().Select(part => part.Text()).Should().Equal(
                ["dotnet", $"/app/Imsa.Network.{project}.dll", "--migrate"],
                $"{job} runs the service's image in the mode that migrates and exits (issue 17, item 3)");
            job.Container()["image"].Text().Should().Be(deployment.Container()["image"].Text(), $"{job} migrates for the release it precedes");

            var environment = objects.Environment(job);
            environment.Should().ContainKey("ConnectionStrings__Database");
            environment.Keys.Where(key => key.StartsWith("RabbitMq__", StringComparison.Ordinal) || (ManifestRules.LooksSecret(key) && key != "IMSA_DB_PASSWORD"))
                .Should().BeEmpty($"{job} is given its database and nothing else");
        }
    }

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/production")]
    public void EverySecretReferenced_IsListedWithItsKeysInTheReadme(string target)
    {
        var readme = File.ReadAllLines(Path.Combine(Manifest.KubernetesFolder, "README.md"));
        var references = SecretReferences(Manifest.Rendered(target)).Distinct().ToList();

        references.Should().NotBeEmpty();
        var missing = references
            .Where(reference => !readme.Any(line => line.Contains($"`{reference.Secret}`", StringComparison.Ordinal)
                && (reference.Key is null || line.Contains($"`{reference.Key}`", StringComparison.Ordinal))))
            .Select(reference => reference.Key is null ? reference.Secret : $"{reference.Secret} (key {reference.Key})");
        missing.Should().BeEmpty("deploy/kubernetes/README.md lists every Secret the manifests refer to, with its keys on the same line");
    }

    [Fact]
    public void Production_RunsTheReleaseFromTheRegistry_WithMoreReplicasAndResources_InItsOwnNamespace()
    {
        var test = Manifest.Rendered("base");
        var production = Manifest.Rendered("overlays/production");

        test.Select(item => item.At("metadata", "namespace").Text()).Distinct().Should().Equal("imsa-test");
        production.Select(item => item.At("metadata", "namespace").Text()).Distinct().Should().Equal("imsa-network");
        foreach (var deployment in production.OfKind("Deployment"))
        {
            var before = test.Single("Deployment", deployment.Name);
            var image = deployment.Container()["image"].Text();
            image.Should().StartWith("registry.example.org/imsa-network/").And.NotEndWith(":local");

            var memory = Memory(deployment.Container().At("resources", "limits", "memory"));
            var testMemory = Memory(before.Container().At("resources", "limits", "memory"));
            testMemory.Should().NotBeNull($"{before} of the base has a memory limit");
            memory.Should().BeGreaterThan(testMemory!.Value, $"{deployment} gets more memory in production");
            var autoscaler = production.Single("HorizontalPodAutoscaler", deployment.Name);
            var testAutoscaler = test.Single("HorizontalPodAutoscaler", deployment.Name);
            autoscaler.At("spec", "minReplicas").Number().Should().BeGreaterThanOrEqualTo(testAutoscaler.At("spec", "minReplicas").Number() ?? 1);
        }

        // Partners and the web application keep one replica until they share their keys and sessions (README.md, "Known gaps").
        foreach (var name in new[] { "imsa-counselling", "imsa-handovers", "imsa-gateway" })
        {
            production.Single("HorizontalPodAutoscaler", name).At("spec", "minReplicas").Number().Should().BeGreaterThan(
                test.Single("HorizontalPodAutoscaler", name).At("spec", "minReplicas").Number() ?? 1, $"{name} runs more replicas in production");
        }
    }

    /// <summary>Every Secret the objects name, with the key where one is named: env, volumes, and the operators' references.</summary>
    internal static IEnumerable<(string Secret, string? Key)> SecretReferences(IEnumerable<KubeObject> objects)
    {
        string[] references = ["secretKeyRef", "secretRef", "importCredentialsSecret", "accessKeyId", "secretAccessKey"];
        foreach (var item in objects)
        {
            var stack = new Stack<(string? Property, JsonNode? Node)>();
            stack.Push((null, item.Body));
            while (stack.Count > 0)
            {
                var (property, node) = stack.Pop();
                if (node is JsonArray list)
                {
                    foreach (var child in list)
                    {
                        stack.Push((property, child));
                    }

                    continue;
                }

                if (node is not JsonObject map)
                {
                    continue;
                }

                if (references.Contains(property) && map["name"].Text() is { } name)
                {
                    yield return (name, map["key"].Text());
                }

                if (map["secretName"].Text() is { } secretName)
                {
                    var keys = map["items"].Objects().Select(entry => entry["key"].Text()).ToList();
                    foreach (var key in keys.Count > 0 ? keys : [null])
                    {
                        yield return (secretName, key);
                    }
                }

                foreach (var (childProperty, child) in map)
                {
                    stack.Push((childProperty, child));
                }
            }
        }
    }

    /// <summary>A memory quantity in bytes: a plain number, or one with a binary suffix (Ki, Mi, Gi, Ti); null when there is none.</summary>
    internal static long? Memory(JsonNode? quantity)
    {
        if (quantity.Text() is not { } text)
        {
            return null;
        }

        var suffixes = new Dictionary<string, long>(StringComparer.Ordinal) { ["Ki"] = 1L << 10, ["Mi"] = 1L << 20, ["Gi"] = 1L << 30, ["Ti"] = 1L << 40 };
        var suffix = suffixes.Keys.FirstOrDefault(unit => text.EndsWith(unit, StringComparison.Ordinal));
        return suffix is null
            ? long.Parse(text, CultureInfo.InvariantCulture)
            : long.Parse(text[..^suffix.Length], CultureInfo.InvariantCulture) * suffixes[suffix];
    }
}
