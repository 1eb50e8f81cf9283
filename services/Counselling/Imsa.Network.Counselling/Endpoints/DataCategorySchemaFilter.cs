using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Domain;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Imsa.Network.Counselling.Endpoints;

/// <summary>
/// Marks in the OpenAPI document which data category each part of a case belongs to (<c>x-data-category</c>), so
/// a receiving service's developer sees what a consent must release for a dossier field to be present.
/// </summary>
internal sealed class DataCategorySchemaFilter : ISchemaFilter
{
    private static readonly Dictionary<Type, string> CategoryOf = new()
    {
        [typeof(PersonIdentity)] = DataCategories.Identity,
        [typeof(ContactDetails)] = DataCategories.Contact,
        [typeof(MigrationPlan)] = DataCategories.MigrationPlan,
        [typeof(VisaDetails)] = DataCategories.MigrationPlan,
        [typeof(FamilyMember)] = DataCategories.MigrationPlan,
        [typeof(LanguageAndQualifications)] = DataCategories.LanguageAndQualifications,
        [typeof(Qualification)] = DataCategories.LanguageAndQualifications,
        [typeof(Recognition)] = DataCategories.LanguageAndQualifications,
        [typeof(SessionResponse)] = DataCategories.CounsellingHistory,
        [typeof(NeedsAndOpenTasks)] = DataCategories.NeedsAndOpenTasks,
        [typeof(PriorService)] = DataCategories.NeedsAndOpenTasks,
        [typeof(OpenTask)] = DataCategories.NeedsAndOpenTasks,
        [typeof(SpecialCategories)] = DataCategories.SpecialCategories,
        [typeof(RiskFlag)] = DataCategories.SpecialCategories,
    };

    private static readonly Dictionary<string, string> DossierFields = new()
    {
        ["identity"] = DataCategories.Identity,
        ["contact"] = DataCategories.Contact,
        ["migrationPlan"] = DataCategories.MigrationPlan,
        ["languageAndQualifications"] = DataCategories.LanguageAndQualifications,
        ["counsellingHistory"] = DataCategories.CounsellingHistory,
        ["needsAndOpenTasks"] = DataCategories.NeedsAndOpenTasks,
        ["specialCategories"] = DataCategories.SpecialCategories,
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete)
        {
            return;
        }

        if (CategoryOf.TryGetValue(context.Type, out var category))
        {
            concrete.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            concrete.Extensions["x-data-category"] = new JsonNodeExtension(JsonValue.Create(category));
        }
        else if (context.Type == typeof(DossierResponse))
        {
            var map = new JsonObject();
            foreach (var (field, fieldCategory) in DossierFields)
            {
                map[field] = fieldCategory;
            }

            concrete.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            concrete.Extensions["x-data-categories"] = new JsonNodeExtension(map);
        }
    }
}
