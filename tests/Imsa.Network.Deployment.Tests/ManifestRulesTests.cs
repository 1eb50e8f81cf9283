using System.Text.Json.Nodes;

namespace Imsa.Network.Deployment.Tests;

/// <summary>
/// The checker itself, on hand-written objects: a set that keeps every rule passes, and each way of breaking one is
/// reported with the object it is about. Without these, a checker that found nothing would look like a good manifest.
/// </summary>
public sealed class ManifestRulesTests
{
    /// <summary>A Deployment with everything the rules ask for, and the objects around it.</summary>
    private const string Good = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: good}
        spec:
          selector: {matchLabels: {app: good}}
          template:
            metadata: {labels: {app: good}}
            spec:
              automountServiceAccountToken: false
              securityContext: {runAsNonRoot: true, runAsUser: 1654, seccompProfile: {type: RuntimeDefault}}
              containers:
                - name: app
                  image: example/good:1.0
                  env:
                    - name: Database__Password
                      valueFrom: {secretKeyRef: {name: good, key: password}}
                    - name: ConnectionStrings__Database
                      value: Host=db;Password=$(Database__Password)
                  readinessProbe: {httpGet: {path: /health/ready, port: http}}
                  livenessProbe: {httpGet: {path: /health/live, port: http}}
                  resources: {requests: {cpu: 10m, memory: 64Mi}, limits: {cpu: 100m, memory: 128Mi}}
                  securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
                  volumeMounts: [{name: tmp, mountPath: /tmp}]
              volumes: [{name: tmp, emptyDir: {}}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: good}
        spec: {selector: {app: good}, ports: [{port: 80, targetPort: 8080}]}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: good}
        spec: {maxUnavailable: 1, selector: {matchLabels: {app: good}}}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: good}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: good}
          minReplicas: 2
          maxReplicas: 4
          metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny}
        spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: good}
        spec: {podSelector: {matchLabels: {app: good}}, policyTypes: [Ingress], ingress: [{ports: [{port: 8080}]}]}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: good-config}
        data: {Encryption__ActiveKeyId: local1, Network__PublicUrl: "https://network.example.org/"}
        """;

    /// <summary>Each way of breaking a rule: what is changed, and the start of the message that must name it.</summary>
    private static readonly Dictionary<string, (Action<List<KubeObject>> Break, string Message)> Breaks = new(StringComparer.Ordinal)
    {
        ["no readiness probe"] = (set => Container(set).Remove("readinessProbe"), "Deployment good: container app has no readinessProbe"),
        ["no liveness probe"] = (set => Container(set).Remove("livenessProbe"), "Deployment good: container app has no livenessProbe"),
        ["liveness asks for readiness"] = (set => Container(set)["livenessProbe"]!["httpGet"]!["path"] = "/health/ready",
            "Deployment good: container app: its livenessProbe is not GET /health/live"),
        ["runs as root"] = (set => Pod(set)["securityContext"]!["runAsUser"] = 0, "Deployment good: container app runs as root"),
        ["may run as root"] = (set => Pod(set)["securityContext"]!.AsObject().Remove("runAsNonRoot"), "Deployment good: container app may run as root"),
        ["no seccomp profile"] = (set => Pod(set)["securityContext"]!.AsObject().Remove("seccompProfile"), "Deployment good: container app has no seccompProfile"),
        ["no memory limit"] = (set => Container(set)["resources"]!["limits"]!.AsObject().Remove("memory"), "Deployment good: container app has no memory limit"),
        ["no cpu request"] = (set => Container(set)["resources"]!["requests"]!.AsObject().Remove("cpu"), "Deployment good: container app has no cpu request"),
        ["no resources"] = (set => Container(set).Remove("resources"), "Deployment good: container app has no cpu request"),
        ["writable root filesystem"] = (set => Container(set)["securityContext"]!["readOnlyRootFilesystem"] = false,
            "Deployment good: container app can write its root filesystem"),
        ["no /tmp"] = (set => Container(set).Remove("volumeMounts"), "Deployment good: container app has a read-only root filesystem but no emptyDir at /tmp"),
        ["privilege escalation"] = (set => Container(set)["securityContext"]!["allowPrivilegeEscalation"] = true,
            "Deployment good: container app allows privilege escalation"),
        ["capabilities kept"] = (set => Container(set)["securityContext"]!["capabilities"] = new JsonObject(), "Deployment good: container app does not drop ALL capabilities"),
        ["service account token"] = (set => Pod(set).Remove("automountServiceAccountToken"), "Deployment good: automountServiceAccountToken is not false"),
        ["latest image"] = (set => Container(set)["image"] = "example/good:latest", "Deployment good: container app has no fixed image tag"),
        ["a Secret with its values"] = (set => set.AddRange(Manifest.Parse("apiVersion: v1\nkind: Secret\nmetadata: {name: leaked}\nstringData: {password: hunter2}\n")),
            "Secret leaked: a Secret in the manifests with its values"),
        ["a secret variable written out"] = (set => Container(set)["env"]![0] = new JsonObject { ["name"] = "Database__Password", ["value"] = "hunter2" },
            "Deployment good: container app sets Database__Password to a value written in the manifest"),
        ["a password in a connection string"] = (set => Container(set)["env"]![1]!["value"] = "Host=db;Username=imsa;Password=hunter2",
            "Deployment good: container app sets ConnectionStrings__Database with a password written in the manifest"),
        ["a master key in a ConfigMap"] = (set => set.Single(item => item.Kind == "ConfigMap").Body["data"]!["Encryption__MasterKeys__local1"] = "c2VjcmV0",
            "ConfigMap good-config: Encryption__MasterKeys__local1 looks secret"),
        ["no PodDisruptionBudget"] = (set => set.RemoveAll(item => item.Kind == "PodDisruptionBudget"), "Deployment good: no PodDisruptionBudget selects its pods"),
        ["a PodDisruptionBudget that blocks drains"] = (set => set.Single(item => item.Kind == "PodDisruptionBudget").Body["spec"] =
            new JsonObject { ["minAvailable"] = 2, ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "good" } } },
            "PodDisruptionBudget good: blocks node drains of Deployment good"),
        ["no HorizontalPodAutoscaler"] = (set => set.RemoveAll(item => item.Kind == "HorizontalPodAutoscaler"), "Deployment good: no HorizontalPodAutoscaler scales it"),
        ["replicas beside the autoscaler"] = (set => Find(set, "Deployment")["spec"]!["replicas"] = 3, "Deployment good: sets spec.replicas"),
        ["no Service"] = (set => set.RemoveAll(item => item.Kind == "Service"), "Deployment good: no Service selects its pods"),
        ["no default deny"] = (set => set.RemoveAll(item => item.Name == "default-deny"), "NetworkPolicy: none denies all ingress and egress"),
        ["a default deny that lets everything out"] = (set => set.Single(item => item.Name == "default-deny").Body["spec"]!["egress"] = new JsonArray(new JsonObject()),
            "NetworkPolicy: none denies all ingress and egress"),
        ["no policy of its own"] = (set => set.RemoveAll(item => item.Kind == "NetworkPolicy" && item.Name == "good"),
            "Deployment good: no NetworkPolicy of its own names its flows"),
        ["a document that is no object"] = (set => set.AddRange(Manifest.Parse("just: text\n")), "document 1: not a Kubernetes object"),
    };

    public static TheoryData<string> BreakNames => new(Breaks.Keys);

    [Fact]
    public void Checker_AcceptsASetThatKeepsEveryRule()
    {
        ManifestRules.Violations(Manifest.Parse(Good)).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(BreakNames))]
    public void Checker_ReportsTheBrokenRule_NamingTheObject(string broken)
    {
        var set = Manifest.Parse(Good).ToList();
        var (change, message) = Breaks[broken];
        change(set);

        ManifestRules.Violations(set).Should().Contain(violation => violation.StartsWith(message, StringComparison.Ordinal),
            $"\"{broken}\" breaks a rule and is reported as \"{message}...\"");
    }

    [Fact]
    public void Checker_HoldsAJobToThePodRulesButAsksNoProbes()
    {
        var set = Manifest.Parse(Good).ToList();
        var pod = Pod(set).DeepClone().AsObject();
        pod["restartPolicy"] = "Never";
        pod["containers"]![0]!.AsObject().Remove("readinessProbe");
        pod["containers"]![0]!.AsObject().Remove("livenessProbe");
        pod["containers"]![0]!["securityContext"]!["readOnlyRootFilesystem"] = false;
        set.Add(new KubeObject(99, new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new JsonObject { ["name"] = "migrate" },
            ["spec"] = new JsonObject { ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "good" } }, ["spec"] = pod } },
        }));

        ManifestRules.Violations(set).Should().Equal("Job migrate: container app can write its root filesystem (readOnlyRootFilesystem is not true)");
    }

    [Fact]
    public void Kubectl_MissingFromPath_FailsTheTestsSayingHowToInstallIt()
    {
        var find = () => Kubectl.Find(Path.Combine(Path.GetTempPath(), $"no-kubectl-{Guid.NewGuid():N}"));

        find.Should().Throw<InvalidOperationException>().WithMessage("kubectl is not on PATH*apt-get install kubernetes-client*");
    }

    [Theory]
    [InlineData("Identity__SigningKey", true)]
    [InlineData("Identity__ValidationKeys", true)]
    [InlineData("Encryption__MasterKeys__local1", true)]
    [InlineData("RabbitMq__DeadLetters__Password", true)]
    [InlineData("SignIn__Clients__0__ClientSecret", true)]
    [InlineData("People__TokenKey", true)]
    [InlineData("Pseudonyms__Key", true)]
    [InlineData("IMSA_DB_PASSWORD", true)]
    [InlineData("Encryption__ActiveKeyId", false)]
    [InlineData("Identity__Bootstrap__ClientId", false)]
    [InlineData("RabbitMq__Username", false)]
    [InlineData("ConnectionStrings__Database", false)]
    public void LooksSecret_KnowsASecretByTheLastPartOfItsName(string name, bool secret)
    {
        ManifestRules.LooksSecret(name).Should().Be(secret);
    }

    private static JsonObject Find(List<KubeObject> set, string kind) => set.Single(item => item.Kind == kind).Body;

    private static JsonObject Pod(List<KubeObject> set) => Find(set, "Deployment")["spec"]!["template"]!["spec"]!.AsObject();

    private static JsonObject Container(List<KubeObject> set) => Pod(set)["containers"]![0]!.AsObject();
}
