using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Imsa.Network.ServiceDefaults;

/// <summary>
/// Turns a request the framework could not read (malformed JSON, a value of the wrong type, a missing body)
/// into a 400 problem that says so. The framework's messages name the parameter, never the submitted values.
/// </summary>
/// <remarks>
/// Any other exception becomes a 500 problem without details; it is logged here by type and stack trace only,
/// since an exception's message can quote data (a database error quotes the offending row).
/// </remarks>
internal sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            LogUnhandled(exception.GetType().FullName, httpContext.Request.Method, httpContext.GetEndpoint()?.DisplayName, exception.StackTrace);
            return false;
        }

        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = badRequest.StatusCode,
                Title = "The request could not be read.",
                Detail = badRequest.Message,
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} in {Method} {Endpoint}; stack: {StackTrace}")]
    private partial void LogUnhandled(string? exceptionType, string method, string? endpoint, string? stackTrace);
}
