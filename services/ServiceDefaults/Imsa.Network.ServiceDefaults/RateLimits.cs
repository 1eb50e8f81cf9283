using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Imsa.Network.ServiceDefaults;

/// <summary>
/// A limit on one flow ("Limits:&lt;name&gt;"): at most <see cref="Count"/> requests per <see cref="Window"/> for one
/// caller — an organisation (<see cref="RateLimitEndpoints.WithQuota"/>) or a client address
/// (<see cref="RateLimitEndpoints.WithAddressLimit"/>).
/// </summary>
public sealed class RateLimitOptions
{
    public int Count { get; set; }

    /// <summary>A fixed window, begun by the caller's first request in it.</summary>
    public TimeSpan Window { get; set; }
}

/// <summary>One caller's count in its current window (schema "limits"); a row outlives its window only until the cleanup.</summary>
public sealed class RateLimitCounter
{
    /// <summary>What is counted for whom, e.g. "quota:cases:&lt;organisation id&gt;".</summary>
    public required string Key { get; init; }

    public int Hits { get; set; }

    public DateTimeOffset WindowEndsAt { get; set; }

    /// <summary>Set by <see cref="RateLimitCounters.BlockAsync"/>: the caller is refused until then.</summary>
    public DateTimeOffset? BlockedUntil { get; set; }
}

/// <param name="Hits">Requests counted in the window, this one included.</param>
public sealed record RateLimitCount(int Hits, DateTimeOffset WindowEndsAt, DateTimeOffset? BlockedUntil);

/// <summary>
/// Counters every instance of a service shares, in its database: each hit is one atomic statement, so N instances
/// allow what one would. They commit on a connection of their own, outside any request transaction, so a count is
/// never held up by, or rolled back with, the request it counts.
/// </summary>
public sealed class RateLimitCounters(IConfiguration configuration, TimeProvider time)
{
    /// <summary>Counts one more request for <paramref name="key"/> in its window, beginning a new window when the last has ended.</summary>
    public async Task<RateLimitCount> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO limits.counters AS c (key, hits, window_ends_at) VALUES ($1, 1, $3)
            ON CONFLICT (key) DO UPDATE SET
                hits = CASE WHEN c.window_ends_at <= $2 THEN 1 ELSE c.hits + 1 END,
                blocked_until = CASE WHEN c.window_ends_at <= $2 THEN NULL ELSE c.blocked_until END,
                window_ends_at = CASE WHEN c.window_ends_at <= $2 THEN $3 ELSE c.window_ends_at END
            RETURNING hits, window_ends_at, blocked_until
            """,
            connection)
        {
            Parameters = { new() { Value = key }, new() { Value = now }, new() { Value = now + window } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new RateLimitCount(
            reader.GetInt32(0), reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    /// <summary>Refuses <paramref name="key"/> until <paramref name="until"/> (or longer, if it is refused longer already); its count is kept as long.</summary>
    public async Task BlockAsync(string key, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            UPDATE limits.counters
            SET blocked_until = GREATEST(blocked_until, $2), window_ends_at = GREATEST(window_ends_at, $2)
            WHERE key = $1
            """,
            connection)
        {
            Parameters = { new() { Value = key }, new() { Value = until } },
        };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The latest time until which one of <paramref name="keys"/> is refused; null when none is refused now.</summary>
    public async Task<DateTimeOffset?> BlockedUntilAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT max(blocked_until) FROM limits.counters WHERE key = ANY($1) AND blocked_until > $2", connection)
        {
            Parameters = { new() { Value = keys.ToArray() }, new() { Value = time.GetUtcNow() } },
        };
        // Npgsql reads a timestamptz as a UTC DateTime.
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime until ? new DateTimeOffset(until, TimeSpan.Zero) : null;
    }

    /// <summary>
    /// Counts a request under <paramref name="limit"/>: null when it is allowed, else how long until the window ends
    /// (Retry-After). A refused request counts too; it does not lengthen the window.
    /// </summary>
    public async Task<TimeSpan?> TakeAsync(string key, RateLimitOptions limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limit);
        var count = await HitAsync(key, limit.Window, cancellationToken);
        return count.Hits <= limit.Count ? null : count.WindowEndsAt - time.GetUtcNow();
    }

    /// <summary>How long until <paramref name="key"/> may go on, when it has <paramref name="limit"/>'s count in its current window already; else null. Counts nothing.</summary>
    public async Task<TimeSpan?> RefusedForAsync(string key, RateLimitOptions limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limit);
        var now = time.GetUtcNow();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT hits, window_ends_at FROM limits.counters WHERE key = $1 AND window_ends_at > $2", connection)
        {
            Parameters = { new() { Value = key }, new() { Value = now } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && reader.GetInt32(0) >= limit.Count ? reader.GetFieldValue<DateTimeOffset>(1) - now : null;
    }

    /// <summary>Deletes up to <paramref name="batchSize"/> counters whose window (and any block) has ended; returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            DELETE FROM limits.counters WHERE ctid IN (
                SELECT ctid FROM limits.counters WHERE window_ends_at < $1 LIMIT $2)
            """,
            connection)
        {
            Parameters = { new() { Value = time.GetUtcNow() }, new() { Value = batchSize } },
        };
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        // A pool of its own (Npgsql pools per connection string): a request counted here often holds a connection of
        // the service's pool in its transaction already, so sharing that pool would let a burst of writes wait on
        // each other until the pool's timeout.
        var connection = new NpgsqlConnection(_connectionString ??= new NpgsqlConnectionStringBuilder(ServiceDatabase.Tuned(configuration.GetConnectionString("Database")
            ?? throw new InvalidOperationException("The connection string 'Database' is not configured.")))
        {
            ApplicationName = "imsa-limits",
            MaxPoolSize = 20,
        }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private string? _connectionString;
}

/// <summary>The 429 answer of every limit: an RFC 9457 problem with Retry-After in whole seconds.</summary>
public static class TooManyRequests
{
    public static Task WriteAsync(HttpContext context, TimeSpan retryAfter, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Seconds(retryAfter);
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests.",
                Detail = detail,
            },
        }).AsTask();
    }

    /// <summary>Retry-After: whole seconds, rounded up, at least 1.</summary>
    public static string Seconds(TimeSpan retryAfter) =>
        Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}

/// <summary>Endpoint metadata: the limit an endpoint is counted under, and whose ("quota", "address" or "guesses").</summary>
public sealed record RateLimitMetadata(string Name, string Kind);

public static class RateLimitEndpoints
{
    /// <summary>
    /// The caller's organisation (the token's "org"; "sub" in a token issued before it) may call this endpoint at most "Limits:<paramref name="name"/>"
    /// times per window (<see cref="RateLimits.AddRateLimit"/>); beyond, 429 with Retry-After and the endpoint does not run.
    /// </summary>
    public static RouteHandlerBuilder WithQuota(this RouteHandlerBuilder builder, string name) => builder.WithRateLimit(name, perAddress: false);

    /// <summary>
    /// One client address may call this endpoint at most "Limits:<paramref name="name"/>" times per window: the address
    /// of the connection, or the one a configured proxy names (<see cref="TrustedProxyOptions"/>), never a caller's own header.
    /// </summary>
    public static RouteHandlerBuilder WithAddressLimit(this RouteHandlerBuilder builder, string name) => builder.WithRateLimit(name, perAddress: true);

    /// <summary>
    /// Guessing a code: one client address (as for <see cref="WithAddressLimit"/>) may get at most "Limits:<paramref name="name"/>"
    /// answers 404 (a wrong code) per window; then every request of it gets 429 with Retry-After until the window ends.
    /// A right code counts nothing, so many legitimate callers behind one address are not held up by each other.
    /// </summary>
    public static RouteHandlerBuilder WithGuessLimit(this RouteHandlerBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithMetadata(new RateLimitMetadata(name, "guesses"))
            .AddEndpointFilter(async (invocation, next) =>
            {
                var http = invocation.HttpContext;
                var limit = LimitNamed(http, name);
                var counters = http.RequestServices.GetRequiredService<RateLimitCounters>();
                var key = $"guesses:{name}:{http.Connection.RemoteIpAddress?.ToString() ?? "unknown"}";
                if (await counters.RefusedForAsync(key, limit, http.RequestAborted) is { } retryAfter)
                {
                    await TooManyRequests.WriteAsync(http, retryAfter,
                        $"At most {limit.Count} wrong codes from one address per {limit.Window:c}. Try again after Retry-After seconds.");
                    return Results.Empty;
                }

                var result = await next(invocation);
                if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status404NotFound }
                    or INestedHttpResult { Result: IStatusCodeHttpResult { StatusCode: StatusCodes.Status404NotFound } })
                {
                    await counters.HitAsync(key, limit.Window, CancellationToken.None);
                }

                return result;
            })
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    private static RouteHandlerBuilder WithRateLimit(this RouteHandlerBuilder builder, string name, bool perAddress)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithMetadata(new RateLimitMetadata(name, perAddress ? "address" : "quota"))
            .AddEndpointFilter(async (invocation, next) =>
            {
                var http = invocation.HttpContext;
                var caller = perAddress
                    ? http.Connection.RemoteIpAddress?.ToString() ?? "unknown"
                    : http.User.FindFirstValue("org") ?? http.User.FindFirstValue("sub");
                if (caller is null)
                {
                    return await next(invocation);
                }

                var limit = LimitNamed(http, name);
                var counters = http.RequestServices.GetRequiredService<RateLimitCounters>();
                var key = $"{(perAddress ? "address" : "quota")}:{name}:{caller}";
                if (await counters.TakeAsync(key, limit, http.RequestAborted) is not { } retryAfter)
                {
                    return await next(invocation);
                }

                await TooManyRequests.WriteAsync(http, retryAfter, perAddress
                    ? $"At most {limit.Count} of these requests from one address per {limit.Window:c}. Try again after Retry-After seconds."
                    : $"At most {limit.Count} of these requests per organisation per {limit.Window:c}. Nothing was done: send it again after "
                        + "Retry-After seconds (a write with the same Idempotency-Key).");
                return Results.Empty;
            })
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    private static RateLimitOptions LimitNamed(HttpContext http, string name)
    {
        var limit = http.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().Get(name);
        return limit.Window > TimeSpan.Zero
            ? limit
            : throw new InvalidOperationException($"The limit \"{name}\" is not declared: call AddRateLimit(\"{name}\", …) in the service's composition.");
    }
}

/// <summary>"Limits": the counters' table and its cleanup, and the limits a service declares.</summary>
public static class RateLimits
{
    /// <summary>Declares the limit "Limits:<paramref name="name"/>" with its defaults; configuration may change either.</summary>
    public static IHostApplicationBuilder AddRateLimit(this IHostApplicationBuilder builder, string name, int count, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RateLimitOptions>(name)
            .Configure(limit => (limit.Count, limit.Window) = (count, window))
            .BindConfiguration($"Limits:{name}")
            .Validate(limit => limit.Count > 0 && limit.Window > TimeSpan.Zero, $"Limits:{name} needs a Count above 0 and a Window above zero.")
            .ValidateOnStart();
        return builder;
    }

    /// <summary>Maps the counters' table (schema "limits") into a service's model, so its migrations create it.</summary>
    public static ModelBuilder AddRateLimits(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<RateLimitCounter>(counter =>
        {
            counter.ToTable("counters", "limits");
            counter.HasKey(c => c.Key);
            counter.Property(c => c.Key).HasColumnName("key").HasMaxLength(200);
            counter.Property(c => c.Hits).HasColumnName("hits");
            counter.Property(c => c.WindowEndsAt).HasColumnName("window_ends_at");
            counter.Property(c => c.BlockedUntil).HasColumnName("blocked_until");
            counter.HasIndex(c => c.WindowEndsAt);
        });
        return modelBuilder;
    }
}

/// <summary>"Limits:Cleanup": how often ended counters are deleted.</summary>
public sealed class RateLimitCleanupOptions
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    public int BatchSize { get; set; } = 5_000;
}

/// <summary>Deletes counters whose window has ended, in batches.</summary>
internal sealed class RateLimitRetention(RateLimitCounters counters, IOptions<RateLimitCleanupOptions> options, ILogger<RateLimitRetention> logger)
    : PeriodicJob(logger)
{
    protected override TimeSpan Interval => options.Value.Interval;

    protected override async Task<bool> RunPassAsync(CancellationToken cancellationToken) =>
        await counters.DeleteExpiredAsync(options.Value.BatchSize, cancellationToken) >= options.Value.BatchSize;
}
