using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.ServiceDefaults;

/// <summary>"Idempotency" configuration.</summary>
public sealed class IdempotencyOptions
{
    /// <summary>How long a key and its response are kept: a retry within this window gets the first answer.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);

    public int BatchSize { get; set; } = 5_000;
}

/// <summary>How an endpoint takes part in Idempotency-Key handling (endpoint metadata; the default is <see cref="Kept"/>).</summary>
public enum IdempotentAnswer
{
    /// <summary>The answer is kept and a repeat gets it back (sealed, where the service seals answers).</summary>
    Kept,

    /// <summary>The answer holds a secret shown once: a repeat is refused (409) rather than shown it again.</summary>
    NotKept,

    /// <summary>No Idempotency-Key handling: the request changes nothing, or is not the caller's to repeat (the token endpoint).</summary>
    None,
}

/// <summary>
/// How a service keeps answers that must not lie in clear (personal data): sealed when stored, opened when replayed;
/// null from <see cref="Open"/> when the answer can no longer be opened (its case erased).
/// </summary>
public sealed class IdempotentAnswerSealing(
    Func<HttpContext, byte[], CancellationToken, Task<byte[]>> seal,
    Func<HttpContext, byte[], CancellationToken, Task<byte[]?>> open)
{
    public Func<HttpContext, byte[], CancellationToken, Task<byte[]>> Seal { get; } = seal;

    public Func<HttpContext, byte[], CancellationToken, Task<byte[]?>> Open { get; } = open;
}

/// <summary>Endpoint metadata: how the endpoint takes part (<see cref="IdempotentAnswerEndpoints"/>).</summary>
public sealed record IdempotencyMetadata(IdempotentAnswer Answer);

public static class IdempotentAnswerEndpoints
{
    /// <summary>The answer holds a secret shown once: kept nowhere; a repeat under the same key is refused with 409.</summary>
    public static TBuilder KeepsNoAnswer<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new IdempotencyMetadata(IdempotentAnswer.NotKept));

    /// <summary>No Idempotency-Key handling for this endpoint.</summary>
    public static TBuilder WithoutIdempotencyKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new IdempotencyMetadata(IdempotentAnswer.None));
}

/// <summary>A write request made under an Idempotency-Key, and its successful response (schema "idempotency").</summary>
public sealed class IdempotentRequest
{
    /// <summary>Whose key: the caller's organisation (the token's "sub"). Keys of different callers never meet.</summary>
    public required string Caller { get; init; }

    public required string Key { get; init; }

    /// <summary>SHA-256 of the method, path, query and body: the same key with another request is refused.</summary>
    public required byte[] Fingerprint { get; init; }

    /// <summary>False when the answer held a secret and was not kept (<see cref="IdempotentAnswer.NotKept"/>).</summary>
    public bool AnswerKept { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public int StatusCode { get; set; }

    public string? ContentType { get; set; }

    public string? Location { get; set; }

    public byte[] Body { get; set; } = [];
}

/// <summary>
/// Idempotency-Key (the IETF HTTP API draft "The Idempotency-Key HTTP Header Field") for every POST, PUT and DELETE
/// of an authenticated caller: the key's row is inserted in the same transaction as the request's own changes, and
/// the response is stored with it when it succeeds (2xx), so a client that lost the answer and sends the request again
/// gets the first answer back, and the change happens once. A concurrent request under the same key waits for the
/// first and then gets its answer. The same key with another request (method, path, query or body) is refused with
/// 422. A refused or failed request (4xx, 5xx) keeps nothing: it changed nothing, and may be sent again under the same
/// key. Endpoints take part by joining the request's transaction (<see cref="ServiceDatabase.BeginOrJoinTransactionAsync"/>).
/// </summary>
internal sealed class IdempotentRequests(RequestDelegate next)
{
    public const string HeaderName = "Idempotency-Key";

    /// <summary>Set on a response that is a stored answer, not a new execution.</summary>
    public const string ReplayedHeaderName = "Idempotent-Replayed";

    private const int MaxKeyLength = 255;

    public async Task InvokeAsync(HttpContext context, DbContext db, TimeProvider time)
    {
        var request = context.Request;
        if (!(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsDelete(request.Method))
            || !request.Headers.TryGetValue(HeaderName, out var values)
            || context.User.FindFirstValue("sub") is not { } caller
            || context.GetEndpoint()?.Metadata.GetMetadata<IdempotencyMetadata>()?.Answer is IdempotentAnswer.None)
        {
            await next(context);
            return;
        }

        // A structured-field string ("…") or a bare token; printable ASCII, as the draft asks.
        var key = values.ToString().Trim();
        if (key.Length >= 2 && key[0] == '"' && key[^1] == '"')
        {
            key = key[1..^1];
        }

        if (key.Length is 0 or > MaxKeyLength || key.Any(c => c is < ' ' or > '~'))
        {
            await Problems.Unprocessable(new Dictionary<string, string[]>
            {
                [HeaderName] = ["One key of 1 to 255 printable ASCII characters, e.g. a UUID."],
            }).ExecuteAsync(context);
            return;
        }

        var fingerprint = await FingerprintAsync(request, context.RequestAborted);
        var cancellationToken = context.RequestAborted;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // A concurrent request under this key waits here until the first commits (then finds its answer) or rolls
        // back (then goes ahead itself).
        var claimed = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO idempotency.requests (caller, key, fingerprint, created_at, status_code, body, answer_kept)
            VALUES ({caller}, {key}, {fingerprint}, {time.GetUtcNow()}, 0, {Array.Empty<byte>()}, FALSE)
            ON CONFLICT DO NOTHING
            """,
            cancellationToken);
        if (claimed == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            var stored = await db.Set<IdempotentRequest>().AsNoTracking()
                .SingleAsync(r => r.Caller == caller && r.Key == key, cancellationToken);
            await (stored.Fingerprint.AsSpan().SequenceEqual(fingerprint) ? ReplayAsync(context, stored, db) : KeyReusedAsync(context));
            return;
        }

        var body = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }

        var response = context.Response;
        if (response.StatusCode is >= 200 and < 300)
        {
            var location = response.Headers.Location.ToString() is { Length: > 0 } value ? value : null;
            var kept = context.GetEndpoint()?.Metadata.GetMetadata<IdempotencyMetadata>()?.Answer is not IdempotentAnswer.NotKept;
            var answer = !kept ? []
                : context.RequestServices.GetService<IdempotentAnswerSealing>() is { } sealing ? await sealing.Seal(context, buffer.ToArray(), CancellationToken.None)
                : buffer.ToArray();
            await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE idempotency.requests
                SET status_code = {response.StatusCode}, content_type = {response.ContentType}, location = {location}, body = {answer},
                    answer_kept = {kept}
                WHERE caller = {caller} AND key = {key}
                """,
                CancellationToken.None);
            // Not cancellable: what is answered must be what is kept.
            await transaction.CommitAsync(CancellationToken.None);
        }
        else
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(body, cancellationToken);
    }

    private static async Task<byte[]> FingerprintAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return hash.GetHashAndReset();
    }

    private static async Task ReplayAsync(HttpContext context, IdempotentRequest stored, DbContext db)
    {
        if (!stored.AnswerKept)
        {
            await TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "This request was carried out already.",
                detail: "Its answer held a secret shown only once, and was not kept. Rotate the secret if it was lost.").ExecuteAsync(context);
            return;
        }

        var sealing = context.RequestServices.GetService<IdempotentAnswerSealing>();
        var answer = sealing is null ? stored.Body : await sealing.Open(context, stored.Body, context.RequestAborted);
        if (answer is null)
        {
            await TypedResults.Problem(
                statusCode: StatusCodes.Status410Gone,
                title: "This request was carried out already.",
                detail: "Its answer concerned data that has since been erased.").ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        response.StatusCode = stored.StatusCode;
        response.ContentType = stored.ContentType;
        if (stored.Location is not null)
        {
            response.Headers.Location = stored.Location;
        }

        response.Headers[ReplayedHeaderName] = "true";
        response.Headers.CacheControl = "no-store";
        await response.Body.WriteAsync(answer, context.RequestAborted);
    }

    private static Task KeyReusedAsync(HttpContext context) =>
        Problems.Unprocessable(new Dictionary<string, string[]>
        {
            [HeaderName] = ["This key was used for another request (method, path or body): use a new key for a new request."],
        }).ExecuteAsync(context);
}

/// <summary>Maps <see cref="IdempotentRequest"/>, and deletes keys past their retention.</summary>
public static class IdempotentRequestsModel
{
    /// <summary>Maps the idempotency keys' table (schema "idempotency") into a service's model, so its migrations create it.</summary>
    public static ModelBuilder AddIdempotentRequests(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<IdempotentRequest>(request =>
        {
            request.ToTable("requests", "idempotency");
            request.HasKey(r => new { r.Caller, r.Key });
            request.Property(r => r.Caller).HasColumnName("caller").HasMaxLength(100);
            request.Property(r => r.Key).HasColumnName("key").HasMaxLength(255);
            request.Property(r => r.Fingerprint).HasColumnName("fingerprint");
            request.Property(r => r.CreatedAt).HasColumnName("created_at");
            request.Property(r => r.StatusCode).HasColumnName("status_code");
            request.Property(r => r.ContentType).HasColumnName("content_type").HasMaxLength(200);
            request.Property(r => r.Location).HasColumnName("location").HasMaxLength(2000);
            request.Property(r => r.Body).HasColumnName("body");
            request.Property(r => r.AnswerKept).HasColumnName("answer_kept");
            request.HasIndex(r => r.CreatedAt);
        });
        return modelBuilder;
    }

    /// <summary>Deletes up to one batch of keys older than the retention; returns how many.</summary>
    public static Task<int> DeleteExpiredAsync(DbContext db, IdempotencyOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(options);
        var before = now - options.Retention;
        return db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM idempotency.requests WHERE ctid IN (
                SELECT ctid FROM idempotency.requests WHERE created_at < {before} LIMIT {options.BatchSize})
            """,
            cancellationToken);
    }
}
