using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Imsa.Network.ServiceDefaults;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Imsa.Network.Testing;

/// <summary>What a service's <see cref="BadInputTests{TProgram}"/> need to reach each operation's own input checks.</summary>
/// <param name="RouteValues">A value for each route parameter, e.g. "id": an organisation, case or handover the callers may act on.</param>
/// <param name="Tokens">
/// A token for each authorization policy an endpoint names ("coordinator", "partner", "receiving-service"), and
/// under "" one for endpoints that need only a valid token.
/// </param>
/// <param name="Bodies">A valid body for an operation ("POST /handovers") whose document example is not valid here.</param>
public sealed record InputScene(
    IReadOnlyDictionary<string, string> RouteValues,
    IReadOnlyDictionary<string, string> Tokens,
    IReadOnlyDictionary<string, JsonNode> Bodies);

/// <summary>
/// Bad input, generated from the service's own OpenAPI document: for every operation with a body or a query, and
/// every field of it (nested objects and list items included), a value with a NUL character, an over-long string, a
/// huge list, a list with a null entry, a date at the edge of the calendar, a number at the edge of an int, a value of
/// the wrong type; and a body of several megabytes. Each must be answered with a 4xx problem that names the field, and
/// change nothing in the service's database. An endpoint added later is probed without anyone listing it here.
/// </summary>
public abstract class BadInputTests<TProgram>(ServiceFixture<TProgram> service)
    where TProgram : class
{
    private const string Nul = "a\u0000b";

    /// <summary>Creates what the probes act on: the callers, the resources in the route, and valid bodies.</summary>
    protected abstract Task<InputScene> SetUpAsync();

    [Fact]
    public async Task EveryOperation_RefusesBadInput_WithAProblemNamingTheField_AndChangesNothing()
    {
        var scene = await SetUpAsync();
        var document = (await service.Client.GetFromJsonAsync<JsonObject>("/swagger/v1/swagger.json"))!;
        var endpoints = service.Factory.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().ToList();
        var routeValues = new Dictionary<string, string>(scene.RouteValues, StringComparer.OrdinalIgnoreCase);
        routeValues.TryAdd("queue", service.Factory.Services.GetRequiredService<Imsa.Network.Messaging.ReceiveQueues>().Names[0]);
        routeValues.TryAdd("messageId", Guid.NewGuid().ToString());

        var before = await SettledFingerprintAsync();
        var failures = new List<string>();
        var probed = 0;
        var kinds = new HashSet<ProbeKind>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, node) in item!.AsObject())
            {
                var operation = node!.AsObject();
                var name = $"{method.ToUpperInvariant()} {path}";
                var probes = Probes(document, operation, scene.Bodies.GetValueOrDefault(name)).ToList();
                if (probes.Count == 0)
                {
                    continue;
                }

                var endpoint = endpoints.SingleOrDefault(e => Matches(e, method, path))
                    ?? throw new InvalidOperationException($"{name} is in the document but not in the route table.");
                var token = TokenFor(endpoint, scene.Tokens);
                var uri = Fill(path, routeValues);
                foreach (var probe in probes)
                {
                    probed++;
                    kinds.Add(probe.Kind);
                    using var response = await SendAsync(method, uri, token, probe);
                    if (await RefusalProblemAsync(probe, response) is { } wrong)
                    {
                        failures.Add($"{name} with {probe}: {wrong}");
                    }

                    var after = await service.Database.FingerprintAsync();
                    if (after != before)
                    {
                        failures.Add($"{name} with {probe}: changed the database ({(int)response.StatusCode})");
                        before = await SettledFingerprintAsync();
                    }
                }
            }
        }

        // Each kind of bad input found a field to go in (dates are found by their format in the document).
        Assert.Equal(Enum.GetValues<ProbeKind>().Order(), kinds.Order());
        Assert.True(failures.Count == 0, $"{failures.Count} of {probed} probes were not refused as they should be:\n" + string.Join("\n", failures));
    }

    /// <summary>The probes of one operation: its query parameters one by one (with a valid body), then every field of its body.</summary>
    private static IEnumerable<Probe> Probes(JsonObject document, JsonObject operation, JsonNode? sceneBody)
    {
        JsonObject? bodySchema = null;
        JsonNode? body = null;
        var form = false;
        if (operation["requestBody"]?["content"] is JsonObject { Count: > 0 } content)
        {
            var (mediaType, media) = content.First();
            form = mediaType == "application/x-www-form-urlencoded";
            bodySchema = Resolve(document, media!["schema"]!.AsObject());
            body = sceneBody?.DeepClone() ?? Sample(document, bodySchema);
        }

        foreach (var parameter in (operation["parameters"]?.AsArray() ?? []).Select(p => p!.AsObject()).Where(p => (string?)p["in"] == "query"))
        {
            var name = (string)parameter["name"]!;
            var schema = Resolve(document, parameter["schema"]!.AsObject());
            var (type, format) = ((string?)schema["type"], (string?)schema["format"]);
            Probe InQuery(ProbeKind kind, string value) => new(name, kind, value, body, form);
            if (type == "integer")
            {
                yield return InQuery(ProbeKind.WrongType, "ten");
                yield return InQuery(ProbeKind.NumberOutOfRange, int.MaxValue.ToString(CultureInfo.InvariantCulture));
                yield return InQuery(ProbeKind.NumberOutOfRange, int.MinValue.ToString(CultureInfo.InvariantCulture));
            }
            else if (type == "string")
            {
                yield return InQuery(ProbeKind.ControlCharacter, Nul);
                yield return InQuery(ProbeKind.TooLong, new string('x', InputLimits.MaxFreeTextLength + 1));
                if (format is "uuid" or "date" or "date-time")
                {
                    yield return InQuery(ProbeKind.WrongType, "not-a-" + format);
                }
            }
        }

        if (bodySchema is null || body is null)
        {
            yield break;
        }

        foreach (var probe in FieldProbes(document, bodySchema, body, "", replacement => replacement!, form))
        {
            yield return probe;
        }

        if (!form && body is JsonObject)
        {
            // Names no field could have: half a surrogate pair (not text at all), a NUL.
            var rest = body.ToJsonString()[1..];
            var comma = rest == "}" ? "" : ",";
            yield return Probe.InBodyOf("$", ProbeKind.BadPropertyName, body, form) with { RawJson = "{\"\\ud800\":1" + comma + rest };
            yield return Probe.InBodyOf("$", ProbeKind.BadPropertyName, body, form) with { RawJson = "{\"a\\u0000b\":1" + comma + rest };
        }

        var huge = body.DeepClone().AsObject();
        huge[form ? huge.First().Key : "padding"] = new string('x', 3 * InputLimits.MaxBodyBytes);
        yield return Probe.InBodyOf("", ProbeKind.HugeBody, huge, form);
    }

    /// <summary>
    /// The probes of the value at <paramref name="path"/> (described by <paramref name="schema"/>, now
    /// <paramref name="value"/>) and of everything in it; <paramref name="put"/> makes a whole body with the value replaced.
    /// </summary>
    private static IEnumerable<Probe> FieldProbes(
        JsonObject document, JsonObject schema, JsonNode? value, string path, Func<JsonNode?, JsonNode> put, bool form)
    {
        var type = (string?)schema["type"] ?? (schema["properties"] is not null ? "object" : null);
        var format = (string?)schema["format"];
        var isRoot = path.Length == 0;
        if (!isRoot && !form)
        {
            yield return Probe.InBodyOf(path, ProbeKind.WrongType, put(type is "integer" or "number" or "boolean" or "object" or "array" ? "x" : 12345), form);
        }

        switch (type)
        {
            case "string":
                yield return Probe.InBodyOf(path, ProbeKind.ControlCharacter, put(Nul), form);
                yield return Probe.InBodyOf(path, ProbeKind.TooLong, put(new string('x', InputLimits.MaxFreeTextLength + 1)), form);
                if (format == "date")
                {
                    yield return Probe.InBodyOf(path, ProbeKind.DateOutOfRange, put("9999-12-31"), form);
                    yield return Probe.InBodyOf(path, ProbeKind.DateOutOfRange, put("0001-01-01"), form);
                }
                else if (format == "date-time")
                {
                    yield return Probe.InBodyOf(path, ProbeKind.DateOutOfRange, put("9999-12-31T23:59:59+00:00"), form);
                    yield return Probe.InBodyOf(path, ProbeKind.DateOutOfRange, put("0001-01-01T00:00:00+00:00"), form);
                }

                break;
            case "integer":
                yield return Probe.InBodyOf(path, ProbeKind.NumberOutOfRange, put(int.MaxValue), form);
                yield return Probe.InBodyOf(path, ProbeKind.NumberOutOfRange, put(int.MinValue), form);
                break;
            case "array":
                var items = Resolve(document, schema["items"]!.AsObject());
                var item = value is JsonArray { Count: > 0 } list ? list[0] : Sample(document, items);
                yield return Probe.InBodyOf(path, ProbeKind.TooMany, put(new JsonArray([.. Enumerable.Range(0, InputLimits.MaxArrayItems + 1).Select(_ => item?.DeepClone())])), form);
                yield return Probe.InBodyOf(path, ProbeKind.NullEntry, put(new JsonArray((JsonNode?)null)), form);
                foreach (var probe in FieldProbes(document, items, item, $"{path}[0]", replacement => put(new JsonArray(replacement)), form))
                {
                    yield return probe;
                }

                break;
            case "object":
                var current = value as JsonObject ?? Sample(document, schema).AsObject();
                foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
                {
                    var propertySchema = Resolve(document, property!.AsObject());
                    var child = current[name] ?? Sample(document, propertySchema);
                    var childPath = isRoot ? name : $"{path}.{name}";
                    JsonNode With(JsonNode? replacement)
                    {
                        var copy = current.DeepClone().AsObject();
                        copy[name] = replacement;
                        return put(copy);
                    }

                    foreach (var probe in FieldProbes(document, propertySchema, child, childPath, With, form))
                    {
                        yield return probe;
                    }
                }

                break;
        }
    }

    /// <summary>A plausible value for a schema: its example, or one made up from its type.</summary>
    private static JsonNode Sample(JsonObject document, JsonObject schema)
    {
        if (schema["example"] is { } example)
        {
            return example.DeepClone();
        }

        return ((string?)schema["type"], (string?)schema["format"]) switch
        {
            ("string", "uuid") => Guid.NewGuid().ToString(),
            ("string", "date") => "2026-06-15",
            ("string", "date-time") => "2026-06-15T10:00:00+00:00",
            ("string", _) => "x",
            ("integer" or "number", _) => 1,
            ("boolean", _) => true,
            ("array", _) => new JsonArray(Sample(document, Resolve(document, schema["items"]!.AsObject()))),
            _ => new JsonObject((schema["properties"]?.AsObject() ?? [])
                .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Sample(document, Resolve(document, p.Value!.AsObject()))))),
        };
    }

    private static JsonObject Resolve(JsonObject document, JsonObject schema)
    {
        var reference = (string?)schema["$ref"] ?? (string?)schema["allOf"]?[0]?["$ref"];
        return reference is null ? schema : document["components"]!["schemas"]![reference.Split('/')[^1]]!.AsObject();
    }

    /// <summary>Null when the answer is the refusal the probe deserves; else what is wrong with it.</summary>
    private static async Task<string?> RefusalProblemAsync(Probe probe, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var expected = probe.Kind switch
        {
            ProbeKind.HugeBody => StatusCodes.Status413PayloadTooLarge,
            ProbeKind.WrongType or ProbeKind.DateOutOfRange => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
        var text = await response.Content.ReadAsStringAsync();
        if (status != expected)
        {
            return $"answered {status}, not {expected}: {Shorten(text)}";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"answered {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, not a problem: {Shorten(text)}";
        }

        // A query value of the wrong type is named in the detail by the framework; a huge body has no one field.
        if (probe.Kind == ProbeKind.HugeBody || (probe.InQuery && probe.Kind == ProbeKind.WrongType))
        {
            return null;
        }

        var errors = JsonNode.Parse(text)?["errors"] as JsonObject;
        var named = errors?.Select(e => e.Key).ToList() ?? [];
        return named.Any(key => Related(key, probe.Field)) ? null : $"the problem does not name {probe.Field}: {Shorten(text)}";
    }

    /// <summary>The key names the field, the object or list that holds it, or something inside it.</summary>
    private static bool Related(string key, string field) =>
        string.Equals(key, field, StringComparison.OrdinalIgnoreCase)
        || (key.Length > 0 && field.StartsWith(key, StringComparison.OrdinalIgnoreCase) && field[key.Length] is '.' or '[')
        || (key.StartsWith(field, StringComparison.OrdinalIgnoreCase) && key.Length > field.Length && key[field.Length] is '.' or '[');

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private async Task<HttpResponseMessage> SendAsync(string method, string uri, string? token, Probe probe)
    {
        var query = probe.QueryValue is null ? "" : $"?{Uri.EscapeDataString(probe.Field)}={Uri.EscapeDataString(probe.QueryValue)}";
        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), uri + query);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (probe.Body is { } body)
        {
            request.Content = probe.Form
                ? new FormUrlEncodedContent(body.AsObject().Select(p => KeyValuePair.Create(p.Key, p.Value?.ToString() ?? "")))
                : new StringContent(probe.RawJson ?? body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return await service.Client.SendAsync(request);
    }

    /// <summary>The database's fingerprint once what the scene set going (events, projections) has come to rest.</summary>
    private async Task<string> SettledFingerprintAsync()
    {
        var last = await service.Database.FingerprintAsync();
        var since = DateTime.UtcNow;
        return await Eventually.Until(
            async () =>
            {
                var now = await service.Database.FingerprintAsync();
                if (now != last)
                {
                    (last, since) = (now, DateTime.UtcNow);
                }

                return DateTime.UtcNow - since > TimeSpan.FromSeconds(1) ? now : null;
            },
            settled => settled is not null,
            "the database to come to rest") ?? "";
    }

    private static bool Matches(RouteEndpoint endpoint, string method, string path)
    {
        var raw = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => $"{{{parameter.Name}}}",
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            _ => "",
        }))));
        return string.Equals(raw, path, StringComparison.OrdinalIgnoreCase)
            && endpoint.Metadata.OfType<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()
                .Any(m => m.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase));
    }

    private static string? TokenFor(RouteEndpoint endpoint, IReadOnlyDictionary<string, string> tokens)
    {
        if (endpoint.Metadata.OfType<IAllowAnonymous>().Any())
        {
            return null;
        }

        // A person's-role policy passes every API client: the organisation-kind policy beside it chooses the token.
        var policy = endpoint.Metadata.OfType<IAuthorizeData>().Select(a => a.Policy)
            .LastOrDefault(p => p is not null && !p.StartsWith("person:", StringComparison.Ordinal)) ?? "";
        return tokens.TryGetValue(policy, out var token)
            ? token
            : throw new InvalidOperationException($"The scene has no token for the policy \"{policy}\" of {endpoint.RoutePattern.RawText}.");
    }

    private static string Fill(string path, Dictionary<string, string> values) =>
        string.Join('/', path.Split('/').Select(segment => segment.StartsWith('{')
            ? Uri.EscapeDataString(values.TryGetValue(segment.Trim('{', '}'), out var value)
                ? value
                : throw new InvalidOperationException($"The scene has no value for the route parameter {segment} of {path}."))
            : segment));
}

internal enum ProbeKind
{
    ControlCharacter,
    TooLong,
    TooMany,
    NullEntry,
    DateOutOfRange,
    NumberOutOfRange,
    WrongType,
    HugeBody,
    BadPropertyName,
}

/// <summary>One bad request: a query parameter or a body with one field made bad.</summary>
internal sealed record Probe(string Field, ProbeKind Kind, string? QueryValue, JsonNode? Body, bool Form)
{
    /// <summary>The body as sent, when it is not what <see cref="Body"/> serialises to.</summary>
    public string? RawJson { get; init; }

    public bool InQuery => QueryValue is not null;

    public static Probe InBodyOf(string field, ProbeKind kind, JsonNode body, bool form) => new(field, kind, null, body, form);

    public override string ToString() => $"{Kind} in {(InQuery ? "query " : "")}{(Field.Length == 0 ? "the body" : Field)}";
}
