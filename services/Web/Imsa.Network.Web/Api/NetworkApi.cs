using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Imsa.Network.Web.SignIn;

namespace Imsa.Network.Web.Api;

/// <summary>What an API answered: the value, or a problem (RFC 9457) the page shows as a translated message.</summary>
internal sealed record ApiResult<T>(T? Value, ApiProblem? Problem)
    where T : class
{
    public bool Succeeded => Problem is null;

    /// <summary>The answer's ETag, when the API versions what it answered (a case): sent back as If-Match on a change.</summary>
    public string? ETag { get; init; }
}

/// <summary>
/// A refusal, reduced to what the page explains: the status and the fields the problem names. The API's own wording
/// and detail stay in its logs; the person reads a message in their language.
/// </summary>
internal sealed record ApiProblem(int Status, IReadOnlyList<string> Fields)
{
    public static readonly ApiProblem Unreachable = new(StatusCodes.Status503ServiceUnavailable, []);
}

/// <summary>The API refused the person's token (expired or revoked): the browser signs in again.</summary>
internal sealed class SignInAgainException() : Exception("The API refused the session's access token.");

/// <summary>
/// Calls the network's APIs with the signed-in person's own token, so every check and every log entry is the API's
/// own. Named HTTP clients: "counselling", "handovers", "partners" (<see cref="SignInEndpoints.PartnersClient"/>).
/// </summary>
internal sealed class NetworkApi(IHttpClientFactory clients, IHttpContextAccessor accessor, ILogger<NetworkApi> logger)
{
    public const string Counselling = "counselling";

    public const string Handovers = "handovers";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<ApiResult<T>> GetAsync<T>(string service, string pathAndQuery, CancellationToken cancellationToken)
        where T : class =>
        SendAsync<T>(service, HttpMethod.Get, pathAndQuery, body: null, idempotencyKey: null, cancellationToken);

    /// <summary>
    /// A call with the person's token: a JSON body for a write, and the form's idempotency key (made when the page
    /// was drawn, <see cref="NewIdempotencyKey"/>), so a form sent twice — a double click, a reload, a retry after a
    /// timeout — acts once. An answer without a body (204) is a success with no value.
    /// </summary>
    public async Task<ApiResult<T>> SendAsync<T>(
        string service, HttpMethod method, string pathAndQuery, object? body, string? idempotencyKey, CancellationToken cancellationToken,
        string? ifMatch = null)
        where T : class
    {
        var session = accessor.HttpContext?.WebSession() ?? throw new SignInAgainException();
        return await SendCoreAsync<T>(service, method, pathAndQuery, body, idempotencyKey, session.AccessToken, cancellationToken, ifMatch);
    }

    /// <summary>
    /// A call without a token, for what the APIs offer anyone (the person's consent withdrawal): the API sees this
    /// application as the caller, and counts it as such.
    /// </summary>
    public Task<ApiResult<T>> SendWithoutTokenAsync<T>(
        string service, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
        where T : class =>
        SendCoreAsync<T>(service, method, path, body, idempotencyKey: null, accessToken: null, cancellationToken);

    private async Task<ApiResult<T>> SendCoreAsync<T>(
        string service, HttpMethod method, string pathAndQuery, object? body, string? idempotencyKey, string? accessToken,
        CancellationToken cancellationToken, string? ifMatch = null)
        where T : class
    {
        using var request = new HttpRequestMessage(method, pathAndQuery.TrimStart('/'));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        if (idempotencyKey is { Length: > 0 })
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (ifMatch is { Length: > 0 })
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        try
        {
            using var response = await clients.CreateClient(service).SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new SignInAgainException();
            }

            if (!response.IsSuccessStatusCode)
            {
                return new ApiResult<T>(null, await ProblemAsync(response, cancellationToken));
            }

            var etag = response.Headers.ETag?.ToString();
            return response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0
                ? new ApiResult<T>(null, null) { ETag = etag }
                : new ApiResult<T>(await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken), null) { ETag = etag };
        }
        catch (HttpRequestException exception)
        {
            // The service's name only: paths and queries may carry what a person searched for.
            logger.ApiFailed(exception, service);
            return new ApiResult<T>(null, ApiProblem.Unreachable);
        }
        catch (JsonException exception)
        {
            logger.ApiFailed(exception, service);
            return new ApiResult<T>(null, ApiProblem.Unreachable);
        }
    }

    /// <summary>
    /// A download with the person's token (the statistics' CSV), passed on as the API sent it; null with a problem
    /// when it refused.
    /// </summary>
    public async Task<(byte[]? Content, string? ContentType, ApiProblem? Problem)> DownloadAsync(string service, string path, CancellationToken cancellationToken)
    {
        var session = accessor.HttpContext?.WebSession() ?? throw new SignInAgainException();
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        try
        {
            using var response = await clients.CreateClient(service).SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new SignInAgainException();
            }

            return response.IsSuccessStatusCode
                ? (await response.Content.ReadAsByteArrayAsync(cancellationToken), response.Content.Headers.ContentType?.MediaType, null)
                : (null, null, await ProblemAsync(response, cancellationToken));
        }
        catch (HttpRequestException exception)
        {
            logger.ApiFailed(exception, service);
            return (null, null, ApiProblem.Unreachable);
        }
    }

    /// <summary>A new idempotency key, for a form to carry in a hidden field from the moment it is drawn.</summary>
    public static string NewIdempotencyKey() => Guid.NewGuid().ToString("N");

    private static async Task<ApiProblem> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var fields = new List<string>();
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                if (problem.RootElement.ValueKind == JsonValueKind.Object
                    && problem.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                {
                    fields.AddRange(errors.EnumerateObject().Select(error => error.Name));
                }
            }
            catch (JsonException)
            {
                // A problem without a readable body is still the status it came with.
            }
        }

        return new ApiProblem((int)response.StatusCode, fields);
    }
}
