using Imsa.Network.Handovers.Domain;

namespace Imsa.Network.Handovers.Endpoints;

internal static class ReferenceEndpoints
{
    public static IEndpointRouteBuilder MapReferenceEndpoints(this IEndpointRouteBuilder app)
    {
        var reference = app.MapGroup("/reference").WithTags("Reference data").AllowAnonymous();
        reference.MapGet("/decline-reasons", () => TypedResults.Ok(Enum.GetValues<DeclineReason>()))
            .WithSummary("Decline reasons")
            .WithDescription("The coded reasons a receiving service gives when it declines a handover ('other' needs a note).");
        return app;
    }
}
