using Imsa.Network.Contracts.Reference;

namespace Imsa.Network.Counselling.Endpoints;

internal static class ReferenceEndpoints
{
    public static IEndpointRouteBuilder MapReferenceEndpoints(this IEndpointRouteBuilder app)
    {
        var reference = app.MapGroup("/reference").WithTags("Reference data").AllowAnonymous();
        reference.MapGet("/topics", () => TypedResults.Ok(Topics.All))
            .WithSummary("Counselling topics")
            .WithDescription("The topic codes used in cases, open tasks and handovers, with German and English labels.");
        return app;
    }
}
