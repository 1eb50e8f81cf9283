using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Imsa.Network.Deployment.Tests;

/// <summary>
/// deploy/compose/docker-compose.yml, which no Docker engine here can run (deploy/compose/README.md): read with
/// YamlDotNet, anchors and merge keys resolved as Compose resolves them, and held to what the network needs — each
/// process configured from deploy/environment with the keys Kubernetes gives it, no secret written into the files,
/// Partners' signing key, the web application, and the migrations as steps before the services.
/// </summary>
public sealed partial class ComposeTests
{
    private static readonly string ComposeFolder = Path.Combine(TestRepository.Root, "deploy", "compose");

    private static readonly string EnvironmentFolder = Path.Combine(TestRepository.Root, "deploy", "environment");

    /// <summary>The long-running processes of the network, each with its file in deploy/environment.</summary>
    private static readonly string[] ProcessNames = ["partners", "counselling", "handovers", "gateway", "web"];

    public static readonly TheoryData<string> Processes = new(ProcessNames);

    public static readonly TheoryData<string> Services = new(Workloads.Services);

    /// <summary>
    /// Keys the Kubernetes Deployment sets that Compose leaves to their defaults on purpose (deploy/compose/README.md):
    /// behind an ingress there, reached directly here; Partners' one sign-in client there is its second here.
    /// </summary>
    private static readonly Dictionary<string, string[]> KubernetesOnly = new(StringComparer.Ordinal)
    {
        ["gateway"] = ["AllowedHosts", "ForwardedHeaders__KnownNetworks__0"],
        ["web"] = ["AllowedHosts"],
        ["partners"] = ["SignIn__Clients__0__PostLogoutRedirectUris__0"],
    };

    private static JsonObject Compose { get; } = Load(File.ReadAllText(Path.Combine(ComposeFolder, "docker-compose.yml")));

    private static JsonObject Service(string name) =>
        Compose.At("services", name) as JsonObject ?? throw new InvalidOperationException($"docker-compose.yml has no service {name}.");

    [Theory]
    [MemberData(nameof(Processes))]
    public void EachProcess_TakesItsConfigurationFromDeployEnvironment(string process)
    {
        var service = Service(process);

        EnvFiles(service).Should().Equal([$"../environment/{process}.env"], $"{process} is configured as run.sh and the bench configure it");
        service.At("build", "args", "SERVICE").Text().Should().Be(char.ToUpperInvariant(process[0]) + process[1..], $"{process} runs its own image");
    }

    [Theory]
    [MemberData(nameof(Processes))]
    public void EachProcess_IsGivenEveryKeyItsKubernetesDeploymentIsGiven(string process)
    {
        var kubernetes = Manifest.Rendered("base");
        var expected = kubernetes.Environment(kubernetes.Single("Deployment", $"imsa-{process}")).Keys
            // Kubernetes passes the database's user and password separately, for the connection string to name them.
            .Where(key => !key.StartsWith("IMSA_DB_", StringComparison.Ordinal))
            .Except(KubernetesOnly.GetValueOrDefault(process, []));

        var given = EnvironmentOf(Service(process)).Keys;

        given.Should().Contain(expected, $"{process} has the same settings as on Kubernetes (deploy/compose/README.md names the exceptions)");
    }

    [Fact]
    public void TheWebApplication_IsPartOfTheNetwork_AfterTheServices()
    {
        var web = Service("web");

        web.At("depends_on", "partners", "condition").Text().Should().Be("service_healthy");
        Strings(web["ports"]).Should().ContainSingle().Which.Should().EndWith(":5104:8080", "the address of IMSA_WEB_PUBLIC_URL");
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void EachService_StartsOnlyAfterItsMigrationStep_AndNeverMigratesItself(string name)
    {
        var service = Service(name);
        var migration = Service($"{name}-migrate");
        var project = char.ToUpperInvariant(name[0]) + name[1..];

        service.At("depends_on", $"{name}-migrate", "condition").Text().Should().Be("service_completed_successfully");
        EnvironmentOf(service).Should().Contain("Database__MigrateOnStartup", "false", "as on Kubernetes, the step migrates, the service does not");

        Strings(migration["entrypoint"]).Should().Equal(["dotnet", $"/app/Imsa.Network.{project}.dll", "--migrate"]);
        migration.At("image").Text().Should().Be(service.At("image").Text(), "the step is the service's own build");
        migration.At("restart").Text().Should().Be("no");
        migration.At("depends_on", "postgres", "condition").Text().Should().Be("service_healthy");
        EnvFiles(migration).Should().BeEmpty("the step is given its connection string only, as Kubernetes' Job");
        var environment = EnvironmentOf(migration);
        environment.Keys.Should().BeEquivalentTo(["ASPNETCORE_ENVIRONMENT", "ConnectionStrings__Database"]);
        environment["ConnectionStrings__Database"].Should().Be(EnvFile(name)["ConnectionStrings__Database"], "the database the service itself uses");
    }

    [Fact]
    public void Partners_IsGivenTheSigningKey_AndNoOtherProcessIs()
    {
        EnvironmentOf(Service("partners")).Should().Contain("Identity__SigningKey", "${IMSA_TOKEN_SIGNING_KEY}", "Partners issues the access tokens");
        foreach (var other in ProcessNames.Where(p => p != "partners"))
        {
            EnvironmentOf(Service(other)).Keys.Should().NotContain("Identity__SigningKey", $"{other} only checks tokens");
        }

        foreach (var service in Workloads.Services)
        {
            EnvironmentOf(Service(service)).Should().Contain("Identity__ValidationKeys", "${IMSA_TOKEN_VALIDATION_KEYS}");
        }

        File.ReadAllText(Path.Combine(ComposeFolder, "make-env.sh")).Should()
            .Contain("openssl genpkey").And.Contain("IMSA_TOKEN_SIGNING_KEY=").And.Contain("IMSA_TOKEN_VALIDATION_KEYS=",
                "the one command that makes .env makes the key pair too");
    }

    [Fact]
    public void EveryPlaceholder_StopsComposeWhenMissing_AndIsInEnvExampleOrMadeByMakeEnv()
    {
        var guarded = Strings(Compose["x-placeholders"])
            .Select(entry => PlaceholderGuard().Match(entry))
            .Where(match => match.Success)
            .Select(match => match.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);
        var example = File.ReadAllLines(Path.Combine(ComposeFolder, ".env.example"))
            .Select(line => line.TrimStart('#'))
            .Where(line => line.Contains('=', StringComparison.Ordinal))
            .Select(line => line[..line.IndexOf('=', StringComparison.Ordinal)])
            .ToHashSet(StringComparer.Ordinal);
        var used = ProcessNames
            .SelectMany(process => EnvironmentOf(Service(process)).Values)
            .SelectMany(value => Placeholder().Matches(value).Select(match => match.Groups[1].Value))
            .Where(name => name.StartsWith("IMSA_", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

        used.Should().Contain("IMSA_TOKEN_SIGNING_KEY");
        used.Except(guarded).Should().BeEmpty("Compose fills a missing placeholder with an empty string unless x-placeholders stops it");
        used.Except(example).Should().BeEmpty(".env.example lists every value .env must have");
    }

    [Fact]
    public void NoPasswordSecretOrKey_IsWrittenIntoTheFiles_OnlyPlaceholders()
    {
        var inlined = new List<string>();
        foreach (var (name, service) in (Compose["services"] as JsonObject)!)
        {
            foreach (var (key, value) in ComposeEnvironment(service!.AsObject()))
            {
                if (LooksSecret(key) && !OnlyPlaceholders().IsMatch(value))
                {
                    inlined.Add($"docker-compose.yml, {name}: {key}");
                }
            }
        }

        foreach (var file in Directory.GetFiles(EnvironmentFolder, "*.env"))
        {
            foreach (var (key, value) in ReadEnvFile(file))
            {
                if (LooksSecret(key) && !OnlyPlaceholders().IsMatch(value))
                {
                    inlined.Add($"{Path.GetFileName(file)}: {key}");
                }
            }
        }

        inlined.Should().BeEmpty("secrets come from .env (make-env.sh), never from a committed file");
        foreach (var file in new[] { "docker-compose.yml", ".env.example", "Dockerfile" })
        {
            var text = File.ReadAllText(Path.Combine(ComposeFolder, file));
            text.Should().NotMatchRegex(@"[A-Za-z0-9+/]{40,}={0,2}", $"{file} holds no key material");
        }
    }

    [Fact]
    public void TheBroker_HasTheServicesUsers_AndTheConsumerTimeoutOfTheOtherBrokers()
    {
        var users = Service("rabbitmq-users");
        Service("counselling").At("depends_on", "rabbitmq-users", "condition").Text().Should().Be("service_completed_successfully");
        Compose.At("configs", "broker-permissions", "file").Text().Should().Be("../broker/permissions.tsv");
        users["configs"].Objects().Select(config => config["source"].Text()).Should().Contain("broker-permissions");

        Service("rabbitmq")["configs"].Objects().Should().ContainSingle(config => config["source"].Text() == "rabbitmq-consumer-timeout"
            && config["target"].Text() == "/etc/rabbitmq/conf.d/20-imsa-consumer-timeout.conf");
        var timeout = ConsumerTimeout().Match(Compose.At("configs", "rabbitmq-consumer-timeout", "content").Text() ?? "");
        var local = ConsumerTimeout().Match(File.ReadAllText(Path.Combine(TestRepository.Root, "deploy", "local", "infra.sh")));
        timeout.Success.Should().BeTrue();
        timeout.Groups[1].Value.Should().Be(local.Groups[1].Value, "the broker's consumer timeout is the same everywhere (docs/adr/0018-quorum-queues.md)");
    }

    [Fact]
    public void Loading_ResolvesMergeKeys_AsCompose()
    {
        var merged = Load("""
            x-base: &base
              restart: always
              environment: &env {A: "1"}
            services:
              one:
                <<: *base
                restart: "no"
                environment:
                  <<: *env
                  B: "2"
            """);

        merged.At("services", "one", "restart").Text().Should().Be("no", "a key of the mapping itself wins over a merged one");
        EnvironmentOf(merged.At("services", "one")!.AsObject()).Should().Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" });
    }

    /// <summary>What a process is given: its env_file's keys, then its environment (which wins, as in Compose).</summary>
    private static Dictionary<string, string> EnvironmentOf(JsonObject service)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in EnvFiles(service))
        {
            foreach (var (key, value) in ReadEnvFile(Path.GetFullPath(Path.Combine(ComposeFolder, file))))
            {
                environment[key] = value;
            }
        }

        foreach (var (key, value) in ComposeEnvironment(service))
        {
            environment[key] = value;
        }

        return environment;
    }

    private static IEnumerable<(string Key, string Value)> ComposeEnvironment(JsonObject service) =>
        service["environment"] switch
        {
            JsonObject map => map.Select(pair => (pair.Key, pair.Value.Text() ?? "")),
            JsonArray list => Strings(list).Select(item => item.Split('=', 2)).Select(parts => (parts[0], parts.Length > 1 ? parts[1] : "")),
            _ => [],
        };

    private static List<string> EnvFiles(JsonObject service) =>
        service["env_file"] switch
        {
            JsonValue single => [single.ToString()],
            JsonArray list => Strings(list),
            _ => [],
        };

    private static Dictionary<string, string> EnvFile(string process) =>
        ReadEnvFile(Path.Combine(EnvironmentFolder, $"{process}.env")).ToDictionary(StringComparer.Ordinal);

    private static IEnumerable<KeyValuePair<string, string>> ReadEnvFile(string path) =>
        File.ReadAllLines(path)
            .Where(line => line.Length > 0 && !line.TrimStart().StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .Select(parts => KeyValuePair.Create(parts[0], parts[1]));

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray list ? [.. list.Select(item => item.Text() ?? "")] : [];

    /// <summary>A key that holds a password, a client secret or key material (not a key's id).</summary>
    private static bool LooksSecret(string key) =>
        SecretKey().IsMatch(key) && !key.EndsWith("KeyId", StringComparison.Ordinal);

    [GeneratedRegex(@"(?i)(password|_pass$|secret|key$|keys$|keys__|^ADMIN$|^USERS$)")]
    private static partial Regex SecretKey();

    /// <summary>A value made of placeholders only (with separators between them, as "${USER}:${PASSWORD}").</summary>
    [GeneratedRegex(@"^\s*(\$\{[A-Z0-9_]+(:?[?-][^}]*)?\}[\s:=;]*)+$")]
    private static partial Regex OnlyPlaceholders();

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^\$\{([A-Z0-9_]+):\?")]
    private static partial Regex PlaceholderGuard();

    [GeneratedRegex(@"(?m)^\s*consumer_timeout\s*=\s*([0-9]+)\b")]
    private static partial Regex ConsumerTimeout();

    /// <summary>The YAML as JSON, with "&lt;&lt;" merge keys resolved: merged mappings first, the mapping's own keys over them.</summary>
    private static JsonObject Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (JsonObject)ToJson(stream.Documents[0].RootNode)!;
    }

    private static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var result = new JsonObject();
                foreach (var value in mapping.Children.Where(pair => ((YamlScalarNode)pair.Key).Value == "<<").Select(pair => pair.Value))
                {
                    var sources = value is YamlSequenceNode many ? many.Children : [value];
                    foreach (var source in sources)
                    {
                        foreach (var (mergedKey, mergedValue) in (JsonObject)ToJson(source)!)
                        {
                            result[mergedKey] = mergedValue?.DeepClone();
                        }
                    }
                }

                foreach (var (key, value) in mapping.Children.Where(pair => ((YamlScalarNode)pair.Key).Value != "<<"))
                {
                    result[((YamlScalarNode)key).Value!] = ToJson(value);
                }

                return result;
            case YamlSequenceNode sequence:
                return new JsonArray([.. sequence.Children.Select(ToJson)]);
            case YamlScalarNode scalar:
                return scalar.Value is null ? null : JsonValue.Create(scalar.Value);
            default:
                throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}.");
        }
    }
}
