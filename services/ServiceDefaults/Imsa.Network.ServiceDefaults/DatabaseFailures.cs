using System.Collections.Frozen;
using System.Data;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Imsa.Network.ServiceDefaults;

/// <summary>
/// Tells a database failure that passes (PostgreSQL restarting, failing over, refusing connections, overloaded; a
/// broken connection or a timeout; a serialization failure, deadlock or lock timeout) from one that is the
/// request's or the message's own (a constraint, a bad value). The first is waited out and retried — a consumer
/// retries for as long as it lasts, an HTTP request answers 503 with Retry-After — the second is not.
/// </summary>
public static class DatabaseFailures
{
    // SQLSTATEs that pass, beyond those Npgsql already calls transient (connection exceptions, serialization
    // failure, deadlock, lock not available, insufficient resources, cannot connect now): the server shutting down.
    private static readonly FrozenSet<string> PassingStates = FrozenSet.Create(
        StringComparer.Ordinal,
        PostgresErrorCodes.AdminShutdown,
        PostgresErrorCodes.CrashShutdown,
        PostgresErrorCodes.CannotConnectNow,
        PostgresErrorCodes.SerializationFailure,
        PostgresErrorCodes.DeadlockDetected,
        PostgresErrorCodes.LockNotAvailable);

    /// <summary>
    /// Whether the request's database connection broke: whatever exception followed (EF Core reports a command on a
    /// broken connection as an InvalidOperationException), the database went away under it.
    /// </summary>
    public static bool ConnectionBroke(IServiceProvider requestServices)
    {
        ArgumentNullException.ThrowIfNull(requestServices);
        return requestServices.GetService<DbContext>()?.Database.GetDbConnection() is NpgsqlConnection connection
            && connection.FullState.HasFlag(ConnectionState.Broken);
    }

    public static bool IsTransient(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // The server's own answer decides: a unique violation wrapped in a retry-worthy type is still final.
                case PostgresException postgres:
                    return postgres.IsTransient || PassingStates.Contains(postgres.SqlState);
                case NpgsqlException { IsTransient: true }:
                case TimeoutException:
                case SocketException:
                    return true;
            }
        }

        return false;
    }
}
