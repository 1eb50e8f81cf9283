using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Imsa.Network.ServiceDefaults;

/// <summary>RFC 9457 problem responses the endpoints return for bad input.</summary>
public static class Problems
{
    /// <summary>422: the request was well-formed but its content is not acceptable; <paramref name="errors"/> names the fields.</summary>
    public static ProblemHttpResult Unprocessable(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "One or more fields are not valid.",
        });

    /// <summary>404 for a resource that does not exist or is not the caller's (the two are indistinguishable).</summary>
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found.");

    /// <summary>409: the request conflicts with the current state.</summary>
    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict with the current state.", detail: detail);
}
