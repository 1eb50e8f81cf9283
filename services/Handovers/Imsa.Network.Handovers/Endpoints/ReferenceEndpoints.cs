using Imsa.Network.Handovers.Domain;

namespace Imsa.Network.Handovers.Endpoints;

internal static class ReferenceEndpoints
{
    public static IEndpointRouteBuilder MapReferenceEndpoints(this IEndpointRouteBuilder app)
    {
        var reference = app.MapGroup("/reference").WithTags("Reference data").AllowAnonymous();
        reference.MapGet("/decline-reasons", () => TypedResults.Ok(DeclineReasons.ByReceiver))
            .WithSummary("Decline reasons")
            .WithDescription("The coded reasons a receiving service gives when it declines a handover ('other' needs a note). A request the service "
                + "could not offer is declined by the service itself with one of case-not-found, no-consent, receiver-unavailable, case-restricted, "
                + "origin-not-active or duplicate.");
        return app;
    }
}
