using Imsa.Network.Reference;

namespace Imsa.Network.Partners.Endpoints;

internal static class ReferenceEndpoints
{
    public static IEndpointRouteBuilder MapReferenceEndpoints(this IEndpointRouteBuilder app)
    {
        var reference = app.MapGroup("/reference").WithTags("Reference data").AllowAnonymous();
        reference.MapGet("/service-types", () => TypedResults.Ok(ServiceTypes.All))
            .WithSummary("Service types of receiving services (MBE, JMD, MFD, AVB, IQ, FI, FM, OTHER)");
        reference.MapGet("/migration-purposes", () => TypedResults.Ok(MigrationPurposes.All))
            .WithSummary("Migration purposes with their legal basis");
        reference.MapGet("/residence-situations", () => TypedResults.Ok(ResidenceSituations.All))
            .WithSummary("Residence situations an eligibility can name");
        reference.MapGet("/german-states", () => TypedResults.Ok(GermanStates.All))
            .WithSummary("German states (ISO 3166-2:DE) with their official keys");
        reference.MapGet("/languages", () => TypedResults.Ok(Languages.Codes.Order(StringComparer.Ordinal)))
            .WithSummary("ISO 639-1 language codes");
        reference.MapGet("/topics", () => TypedResults.Ok(Topics.All))
            .WithSummary("Counselling topics with German and English labels");
        return app;
    }
}
