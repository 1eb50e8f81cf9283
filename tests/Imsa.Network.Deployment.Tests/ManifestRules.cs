using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Imsa.Network.Deployment.Tests;

/// <summary>
/// What every rendered set of objects keeps (deploy/kubernetes/README.md, "What the tests check"). Each violation is one
/// line that starts with the object it is about ("Deployment imsa-partners: ..."), so a failing test says what to fix.
/// </summary>
internal static partial class ManifestRules
{
    private static readonly string[] ResourceNames = ["cpu", "memory"];

    public static IReadOnlyList<string> Violations(IReadOnlyList<KubeObject> objects)
    {
        var violations = new List<string>();
        foreach (var item in objects)
        {
            if (item.Kind.Length == 0 || item.Name.Length == 0 || item.ApiVersion.Length == 0)
            {
                violations.Add($"{item}: not a Kubernetes object (apiVersion, kind and metadata.name are needed)");
                continue;
            }

            if (item.Kind == "Secret")
            {
                violations.Add($"{item}: a Secret in the manifests{(item.At("data") is null && item.At("stringData") is null ? "" : " with its values")}; " +
                    "Secrets are created in the cluster and only referenced (deploy/kubernetes/README.md, \"Secrets\")");
            }

            if (item.Kind == "ConfigMap")
            {
                violations.AddRange(item.At("data").Strings().Keys.Where(LooksSecret)
                    .Select(key => $"{item}: {key} looks secret; give it from a Secret (secretKeyRef), not a ConfigMap"));
            }
        }

        var named = objects.Where(item => item.Kind.Length > 0 && item.Name.Length > 0).ToList();
        var autoscalers = named.Where(item => item.Kind == "HorizontalPodAutoscaler").ToList();
        var budgets = named.Where(item => item.Kind == "PodDisruptionBudget").ToList();
        var services = named.Where(item => item.Kind == "Service").ToList();
        var policies = named.Where(item => item.Kind == "NetworkPolicy").ToList();

        foreach (var deployment in named.Where(item => item.Kind == "Deployment"))
        {
            var labels = deployment.At("spec", "template", "metadata", "labels").Strings();
            CheckPod(deployment, deployment.At("spec", "template", "spec") as JsonObject, probes: true, violations);
            CheckAutoscaler(deployment, autoscalers, budgets, violations);
            if (!services.Any(service => Selects(service.At("spec", "selector"), labels)))
            {
                violations.Add($"{deployment}: no Service selects its pods");
            }

            if (!budgets.Any(budget => Selects(budget.At("spec", "selector", "matchLabels"), labels)))
            {
                violations.Add($"{deployment}: no PodDisruptionBudget selects its pods");
            }

            CheckPolicies(deployment, labels, policies, violations);
        }

        foreach (var job in named.Where(item => item.Kind == "Job"))
        {
            CheckPod(job, job.At("spec", "template", "spec") as JsonObject, probes: false, violations);
            if (job.At("spec", "template", "spec", "restartPolicy").Text() is not ("Never" or "OnFailure"))
            {
                violations.Add($"{job}: restartPolicy is neither Never nor OnFailure");
            }

            CheckPolicies(job, job.At("spec", "template", "metadata", "labels").Strings(), policies, violations);
        }

        if (!policies.Any(IsDefaultDeny))
        {
            violations.Add("NetworkPolicy: none denies all ingress and egress in the namespace " +
                "(podSelector {}, policyTypes Ingress and Egress, no rules)");
        }

        return violations;
    }

    /// <summary>
    /// A configuration key or environment variable that holds a secret by its name: a password, a secret, a key (the
    /// last part of the name ends so: Password, ClientSecret, SigningKey, ValidationKeys, TokenKey, Key), or a master key.
    /// Encryption__ActiveKeyId and the like name a key without holding it.
    /// </summary>
    public static bool LooksSecret(string name)
    {
        var parts = name.Split("__");
        return SecretName().IsMatch(parts[^1]) || parts.Contains("MasterKeys", StringComparer.OrdinalIgnoreCase);
    }

    public static bool IsDefaultDeny(KubeObject policy) =>
        policy.At("spec", "podSelector") is JsonObject selector && selector.Count == 0
        && policy.At("spec", "policyTypes") is JsonArray types
        && types.Any(type => type.Text() == "Ingress") && types.Any(type => type.Text() == "Egress")
        && policy.At("spec", "ingress") is null or JsonArray { Count: 0 }
        && policy.At("spec", "egress") is null or JsonArray { Count: 0 };

    /// <summary>A selector (a Service's, or matchLabels) that is not empty and whose every pair is among <paramref name="labels"/>.</summary>
    public static bool Selects(JsonNode? selector, IReadOnlyDictionary<string, string> labels)
    {
        var wanted = selector.Strings();
        return wanted.Count > 0 && wanted.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
    }

    private static void CheckPod(KubeObject owner, JsonObject? pod, bool probes, List<string> violations)
    {
        if (pod is null)
        {
            violations.Add($"{owner}: no pod template");
            return;
        }

        if (pod["automountServiceAccountToken"]?.GetValueKind() != System.Text.Json.JsonValueKind.False)
        {
            violations.Add($"{owner}: automountServiceAccountToken is not false (nothing here calls the Kubernetes API)");
        }

        if (pod["hostNetwork"].Text() == "true" || pod["hostPID"].Text() == "true")
        {
            violations.Add($"{owner}: uses the node's network or process namespace");
        }

        var volumes = pod["volumes"].Objects().ToList();
        foreach (var volume in volumes.Where(volume => volume["hostPath"] is not null))
        {
            violations.Add($"{owner}: volume {volume["name"].Text()} mounts a path of the node (hostPath)");
        }

        var podSecurity = pod["securityContext"];
        var containers = pod["containers"].Objects().Concat(pod["initContainers"].Objects()).ToList();
        if (containers.Count == 0)
        {
            violations.Add($"{owner}: no containers");
        }

        foreach (var container in containers)
        {
            var name = $"{owner}: container {container["name"].Text()}";
            var security = container["securityContext"];
            if ((security.At("runAsNonRoot") ?? podSecurity.At("runAsNonRoot")).Text() != "true")
            {
                violations.Add($"{name} may run as root (runAsNonRoot is not true)");
            }

            if ((security.At("runAsUser") ?? podSecurity.At("runAsUser")).Number() is not > 0)
            {
                violations.Add($"{name} runs as root or as the image's user (runAsUser is not a user id above 0)");
            }

            if ((security.At("seccompProfile", "type") ?? podSecurity.At("seccompProfile", "type")).Text() != "RuntimeDefault")
            {
                violations.Add($"{name} has no seccompProfile RuntimeDefault");
            }

            if (security.At("allowPrivilegeEscalation").Text() != "false")
            {
                violations.Add($"{name} allows privilege escalation (allowPrivilegeEscalation is not false)");
            }

            if (security.At("privileged").Text() == "true")
            {
                violations.Add($"{name} is privileged");
            }

            if (security.At("readOnlyRootFilesystem").Text() != "true")
            {
                violations.Add($"{name} can write its root filesystem (readOnlyRootFilesystem is not true)");
            }
            else
            {
                var tmp = container["volumeMounts"].Objects().FirstOrDefault(mount => mount["mountPath"].Text() == "/tmp");
                if (tmp is null || !volumes.Any(volume => volume["name"].Text() == tmp["name"].Text() && volume["emptyDir"] is not null))
                {
                    violations.Add($"{name} has a read-only root filesystem but no emptyDir at /tmp (.NET writes temporary files there)");
                }
            }

            if (security.At("capabilities", "drop") is not JsonArray drop || !drop.Any(capability => capability.Text() == "ALL"))
            {
                violations.Add($"{name} does not drop ALL capabilities");
            }

            if (security.At("capabilities", "add") is JsonArray { Count: > 0 })
            {
                violations.Add($"{name} adds capabilities");
            }

            foreach (var kind in new[] { "requests", "limits" })
            {
                foreach (var resource in ResourceNames.Where(resource => container.At("resources", kind, resource) is null))
                {
                    violations.Add($"{name} has no {resource} {kind[..^1]} (resources.{kind}.{resource})");
                }
            }

            var image = container["image"].Text() ?? "";
            var tag = image.Contains(':', StringComparison.Ordinal) ? image[(image.LastIndexOf(':') + 1)..] : "";
            if (tag.Length == 0 || tag.Contains('/', StringComparison.Ordinal) || tag == "latest")
            {
                violations.Add($"{name} has no fixed image tag ({image})");
            }

            CheckEnvironment(name, container, violations);
            if (probes)
            {
                CheckProbe(name, container, "readinessProbe", path => path is "/health/ready" or "/health/live", "GET /health/ready", violations);
                CheckProbe(name, container, "livenessProbe", path => path == "/health/live", "GET /health/live", violations);
            }
        }
    }

    private static void CheckEnvironment(string name, JsonObject container, List<string> violations)
    {
        foreach (var variable in container["env"].Objects())
        {
            var key = variable["name"].Text() ?? "";
            var value = variable["value"].Text();
            if (value is null)
            {
                continue;
            }

            if (LooksSecret(key))
            {
                violations.Add($"{name} sets {key} to a value written in the manifest; take it from a Secret (secretKeyRef)");
            }
            else if (InlinePassword().IsMatch(value))
            {
                violations.Add($"{name} sets {key} with a password written in the manifest; refer to a variable from a Secret ($(NAME))");
            }
        }
    }

    private static void CheckProbe(string name, JsonObject container, string probe, Func<string, bool> pathIsRight, string wanted, List<string> violations)
    {
        var check = container[probe];
        if (check is null)
        {
            violations.Add($"{name} has no {probe} ({wanted})");
            return;
        }

        var path = check.At("httpGet", "path").Text() ?? "";
        if (!pathIsRight(path) || check.At("httpGet", "port") is null)
        {
            violations.Add($"{name}: its {probe} is not {wanted} on its port (it is {(path.Length > 0 ? "GET " + path : "no HTTP GET")})");
        }
    }

    private static void CheckAutoscaler(KubeObject deployment, List<KubeObject> autoscalers, List<KubeObject> budgets, List<string> violations)
    {
        var autoscaler = autoscalers.FirstOrDefault(hpa =>
            hpa.At("spec", "scaleTargetRef", "kind").Text() == "Deployment" && hpa.At("spec", "scaleTargetRef", "name").Text() == deployment.Name);
        if (autoscaler is null)
        {
            violations.Add($"{deployment}: no HorizontalPodAutoscaler scales it");
            return;
        }

        if (autoscaler.ApiVersion != "autoscaling/v2")
        {
            violations.Add($"{autoscaler}: is {autoscaler.ApiVersion}, not autoscaling/v2");
        }

        var min = autoscaler.At("spec", "minReplicas").Number() ?? 1;
        var max = autoscaler.At("spec", "maxReplicas").Number() ?? 0;
        if (min < 1 || max < min)
        {
            violations.Add($"{autoscaler}: minReplicas {min} and maxReplicas {max} do not make a range of at least one replica");
        }

        if (autoscaler.At("spec", "metrics") is not JsonArray { Count: > 0 })
        {
            violations.Add($"{autoscaler}: no metrics to scale by");
        }

        if (deployment.At("spec", "replicas") is not null)
        {
            violations.Add($"{deployment}: sets spec.replicas, which every apply would reset under its HorizontalPodAutoscaler");
        }

        var labels = deployment.At("spec", "template", "metadata", "labels").Strings();
        foreach (var budget in budgets.Where(budget => Selects(budget.At("spec", "selector", "matchLabels"), labels)))
        {
            // A budget no number of running pods can satisfy blocks every node drain.
            if (budget.At("spec", "maxUnavailable").Text() == "0"
                || budget.At("spec", "minAvailable").Number() >= min)
            {
                violations.Add($"{budget}: blocks node drains of {deployment} (with {min} replica(s) it allows no pod to go)");
            }
        }
    }

    private static void CheckPolicies(KubeObject owner, IReadOnlyDictionary<string, string> labels, List<KubeObject> policies, List<string> violations)
    {
        // The namespace-wide policies (default deny, DNS) select every pod; a workload's own flows need a policy of its own.
        if (!policies.Any(policy => Selects(policy.At("spec", "podSelector", "matchLabels"), labels)))
        {
            violations.Add($"{owner}: no NetworkPolicy of its own names its flows (only namespace-wide ones select its pods)");
        }
    }

    [GeneratedRegex("(password|secret|key|keys)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    /// <summary>"Password=..." in a connection string whose value is not a $(VARIABLE) from elsewhere.</summary>
    [GeneratedRegex(@"(^|;)\s*(Password|Pwd)\s*=\s*(?!\$\()[^;]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InlinePassword();
}
