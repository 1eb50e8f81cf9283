using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Imsa.Network.Deployment.Tests;

/// <summary>One Kubernetes object of a rendered manifest; named in every message as "Kind name".</summary>
/// <param name="Index">Its place in the rendered stream, from 1, for a document that has no kind or name.</param>
internal sealed record KubeObject(int Index, JsonObject Body)
{
    public string Kind => Body["kind"].Text() ?? "";

    public string Name => Body.At("metadata", "name").Text() ?? "";

    public string ApiVersion => Body["apiVersion"].Text() ?? "";

    /// <summary>The node at <paramref name="path"/> (property names and, for arrays, indexes), or null.</summary>
    public JsonNode? At(params object[] path) => Body.At(path);

    public override string ToString() => Kind.Length > 0 && Name.Length > 0 ? $"{Kind} {Name}" : $"document {Index}";
}

/// <summary>YAML read into <see cref="JsonNode"/> trees, and the repository's kustomizations rendered once per test run.</summary>
internal static class Manifest
{
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<KubeObject>>> RenderedTargets = new(StringComparer.Ordinal);

    /// <summary>deploy/kubernetes in the checkout the tests run from.</summary>
    public static string KubernetesFolder { get; } = Path.Combine(TestRepository.Root, "deploy", "kubernetes");

    /// <summary>The objects <c>kubectl kustomize deploy/kubernetes/{target}</c> renders, rendered once per run.</summary>
    public static IReadOnlyList<KubeObject> Rendered(string target) =>
        RenderedTargets.GetOrAdd(target, key => new Lazy<IReadOnlyList<KubeObject>>(
            () => Parse(Kubectl.Kustomize(Path.Combine(KubernetesFolder, key))))).Value;

    /// <summary>Every document of a YAML stream; a document that is not a mapping becomes an empty object (which the rules report).</summary>
    public static IReadOnlyList<KubeObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents
            .Select((document, index) => new KubeObject(index + 1, ToJson(document.RootNode) as JsonObject ?? []))
            .ToList();
    }

    public static JsonNode? At(this JsonNode? node, params object[] path)
    {
        foreach (var step in path)
        {
            node = step switch
            {
                string name => node is JsonObject map ? map[name] : null,
                int index => node is JsonArray list && index < list.Count ? list[index] : null,
                _ => throw new ArgumentException($"A path step is a property name or an index, not {step}.", nameof(path)),
            };
        }

        return node;
    }

    /// <summary>A scalar as text (numbers and booleans too), or null.</summary>
    public static string? Text(this JsonNode? node) => node is JsonValue value ? value.ToString() : null;

    /// <summary>An integer scalar, or null (a percentage such as "50%" is no integer).</summary>
    public static long? Number(this JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
        && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    public static IEnumerable<JsonObject> Objects(this JsonNode? node) => node is JsonArray list ? list.OfType<JsonObject>() : [];

    /// <summary>The pairs of a map of strings (labels, a ConfigMap's data).</summary>
    public static IReadOnlyDictionary<string, string> Strings(this JsonNode? node) =>
        node is JsonObject map
            ? map.Where(pair => pair.Value is JsonValue).ToDictionary(pair => pair.Key, pair => pair.Value.Text() ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(child =>
            KeyValuePair.Create(((YamlScalarNode)child.Key).Value ?? "", ToJson(child.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new FormatException($"Cannot read the YAML node at {node.Start}."),
    };

    /// <summary>Plain scalars as YAML 1.2's core schema reads them (null, booleans, integers); every other scalar is text.</summary>
    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ => JsonValue.Create(value),
        };
    }
}
