using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Imsa.Network.ServiceDefaults;

/// <summary>Declares the 401 (and, for role-guarded endpoints, 403) problem responses every protected endpoint can give.</summary>
internal sealed class AuthorizationResponsesFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }

        operation.Responses ??= [];
        operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid access token, or the organisation or client no longer has access." });
        if (metadata.OfType<IAuthorizeData>().Any(a => a.Policy is not null || a.Roles is not null))
        {
            operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The caller's role may not do this." });
        }
    }
}

/// <summary>Example bodies for request and response types, registered with <see cref="ApiExamples.Add{T}"/>.</summary>
public sealed class ApiExamples
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    internal Dictionary<Type, object> ByType { get; } = [];

    public ApiExamples Add<T>(T example)
        where T : notnull
    {
        ByType[typeof(T)] = example;
        return this;
    }

    internal static System.Text.Json.Nodes.JsonNode? ToNode(object example) => JsonSerializer.SerializeToNode(example, example.GetType(), Json);
}

internal sealed class ExampleSchemaFilter(ApiExamples examples) : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && examples.ByType.TryGetValue(context.Type, out var example))
        {
            concrete.Example = ApiExamples.ToNode(example);
        }
    }
}
