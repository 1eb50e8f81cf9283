using System.Text.Json.Nodes;

namespace Imsa.Network.Deployment.Tests;

/// <summary>What the tests look up in a rendered set: objects by kind and name, a workload's container and the environment it gets.</summary>
internal static class Workloads
{
    /// <summary>The three services with a database and broker users of their own.</summary>
    public static readonly IReadOnlyList<string> Services = ["partners", "counselling", "handovers"];

    public static KubeObject Single(this IReadOnlyList<KubeObject> objects, string kind, string name) =>
        objects.SingleOrDefault(item => item.Kind == kind && item.Name == name)
        ?? throw new InvalidOperationException($"No {kind} {name} among the rendered objects.");

    public static IEnumerable<KubeObject> OfKind(this IReadOnlyList<KubeObject> objects, string kind) =>
        objects.Where(item => item.Kind == kind);

    public static JsonObject Container(this KubeObject workload) =>
        workload.At("spec", "template", "spec", "containers", 0) as JsonObject
        ?? throw new InvalidOperationException($"{workload} has no container.");

    /// <summary>
    /// The environment the first container of <paramref name="workload"/> is given: the ConfigMaps of its envFrom, then
    /// its env (later wins, as in Kubernetes). A variable from a Secret reads "secret:NAME/KEY".
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment(this IReadOnlyList<KubeObject> objects, KubeObject workload)
    {
        var container = workload.Container();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container["envFrom"].Objects())
        {
            if (source.At("configMapRef", "name").Text() is { } configMap)
            {
                foreach (var (key, value) in objects.Single("ConfigMap", configMap).At("data").Strings())
                {
                    environment[key] = value;
                }
            }
        }

        foreach (var variable in container["env"].Objects())
        {
            var name = variable["name"].Text() ?? "";
            environment[name] = variable["value"].Text()
                ?? (variable.At("valueFrom", "secretKeyRef") is { } secret
                    ? $"secret:{secret["name"].Text()}/{secret["key"].Text()}"
                    : "");
        }

        return environment;
    }
}
