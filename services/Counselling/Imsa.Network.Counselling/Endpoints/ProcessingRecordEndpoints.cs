using Imsa.Network.Access;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Operations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Counselling.Endpoints;

internal static class ProcessingRecordEndpoints
{
    public static IEndpointRouteBuilder MapProcessingRecordEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/processing-record", Get)
            .RequireAuthorization(NetworkRoles.Coordinator)
            .WithTags("Admin: processing record")
            .WithSummary("The record of processing activities (GDPR Art. 30), as a Markdown document")
            .WithDescription("Written from the service's configuration: data categories, purposes, recipients by organisation kind and service type, "
                + "retention periods (Counselling's as configured, the other services' defaults), transfers into Germany and their basis, and the "
                + "technical and organisational measures. Coordinators only; a download (processing-record.md).")
            .Produces<string>(StatusCodes.Status200OK, "text/markdown");
        return app;
    }

    private static ContentHttpResult Get(
        HttpContext http, IOptions<RetentionOptions> retention, IEnumerable<RetentionRule> rules, TimeProvider time)
    {
        http.Response.Headers.ContentDisposition = "attachment; filename=\"processing-record.md\"";
        return TypedResults.Text(ProcessingRecord.Write(retention.Value, rules, time.GetUtcNow()), "text/markdown; charset=utf-8");
    }
}
