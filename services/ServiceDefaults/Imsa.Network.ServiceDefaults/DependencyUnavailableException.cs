namespace Imsa.Network.ServiceDefaults;

/// <summary>
/// A dependency other than the database (the broker, say) cannot be reached now; an HTTP request that meets it is
/// answered 503 with Retry-After (<see cref="ExceptionProblems"/>). Its message names the dependency, never data.
/// </summary>
public sealed class DependencyUnavailableException : Exception
{
    public DependencyUnavailableException()
    {
    }

    public DependencyUnavailableException(string message)
        : base(message)
    {
    }

    public DependencyUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
