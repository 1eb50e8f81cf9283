namespace Imsa.Network.Web;

/// <summary>What the application logs: service names and statuses, never a token, a code or what a person typed.</summary>
internal static partial class WebLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The {Service} API could not be reached or answered in a way this application does not understand")]
    public static partial void ApiFailed(this ILogger logger, Exception exception, string service);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The token server refused the code exchange: {Status}")]
    public static partial void ExchangeRefused(this ILogger logger, int status);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The token server could not be reached for the code exchange")]
    public static partial void ExchangeFailed(this ILogger logger, Exception exception);
}
