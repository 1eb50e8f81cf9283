using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Imsa.Network.ServiceDefaults;

/// <summary>
/// Turns an exception into the problem response it deserves: a request the framework could not read (malformed
/// JSON, a value of the wrong type, a missing body) is a 400 that says so — the framework's messages name the
/// parameter, never the submitted values; the database being unreachable or briefly unable
/// (<see cref="DatabaseFailures.IsTransient"/>), or another dependency (<see cref="DependencyUnavailableException"/>),
/// is a 503 with Retry-After, so a client retries rather than gives up.
/// </summary>
/// <remarks>
/// Any other exception becomes a 500 problem without details; it is logged here by type and stack trace only,
/// since an exception's message can quote data (a database error quotes the offending row).
/// </remarks>
internal sealed partial class ExceptionProblems(IProblemDetailsService problems, ILogger<ExceptionProblems> logger) : IExceptionHandler
{
    /// <summary>How long a client is asked to wait before trying again while a dependency is away.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException badRequest)
        {
            httpContext.Response.StatusCode = badRequest.StatusCode;
            var problem = badRequest.InnerException is JsonException { Path: { } path } json
                ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { [FieldName(path)] = [FieldMessage(json)] })
                : new ProblemDetails();
            problem.Status = badRequest.StatusCode;
            problem.Title = "The request could not be read.";
            problem.Detail = badRequest.Message;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, Exception = exception, ProblemDetails = problem });
        }

        if (exception is DependencyUnavailableException || DatabaseFailures.IsTransient(exception) || DatabaseFailures.ConnectionBroke(httpContext.RequestServices))
        {
            LogUnavailable(exception.GetType().FullName, httpContext.Request.Method, httpContext.GetEndpoint()?.DisplayName);
            return await WriteUnavailableAsync(problems, httpContext, exception);
        }

        LogUnhandled(exception.GetType().FullName, httpContext.Request.Method, httpContext.GetEndpoint()?.DisplayName, exception.StackTrace);
        return false;
    }

    /// <summary>A JSON path as the API spells the field: "$.contacts[0].role" is "contacts[0].role".</summary>
    private static string FieldName(string path) => path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>What is wrong with the value, never the value itself (the serializer's own messages quote none either).</summary>
    private static string FieldMessage(JsonException exception) =>
        exception is DateOutOfRangeException ? exception.Message : "Not a value of the type this field takes.";

    /// <summary>503 with Retry-After: a dependency is away for now; the client should try again, with the same Idempotency-Key.</summary>
    public static ValueTask<bool> WriteUnavailableAsync(IProblemDetailsService problems, HttpContext httpContext, Exception? exception = null)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Temporarily unavailable.",
                Detail = "A service this one depends on cannot be reached right now. Try again in a few seconds; send the same "
                    + "Idempotency-Key with a write, so that it takes effect once however often it is sent.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unavailable: {ExceptionType} in {Method} {Endpoint}; answered 503")]
    private partial void LogUnavailable(string? exceptionType, string method, string? endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} in {Method} {Endpoint}; stack: {StackTrace}")]
    private partial void LogUnhandled(string? exceptionType, string method, string? endpoint, string? stackTrace);
}
