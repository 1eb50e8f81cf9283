using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Imsa.Network.Bench.Journeys;

/// <summary>One answer: its status, its whole body, and when it was read in full (Stopwatch timestamp).</summary>
public readonly record struct Answer(int Status, byte[] Body, double Milliseconds, long ReadAt)
{
    public bool Is(int status) => Status == status;

    public JsonDocument Json() => JsonDocument.Parse(Body);

    /// <summary>The start of the body, for a failure message (problem responses are short).</summary>
    public string Excerpt() => System.Text.Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 400)));
}

/// <summary>
/// The three services' REST APIs over one <see cref="HttpClient"/> (HTTP/1.1 keep-alive connections on loopback):
/// a request is sent with the caller's bearer token and its answer read in full before it counts as answered.
/// </summary>
public sealed class JourneyApi(HttpClient client, Uri partners, Uri counselling, Uri handovers)
{
    private static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web);

    public Uri Partners { get; } = partners;

    public Uri Counselling { get; } = counselling;

    public Uri Handovers { get; } = handovers;

    public static byte[] Body(object value) => JsonSerializer.SerializeToUtf8Bytes(value, RequestJson);

    /// <param name="idempotencyKey">For a write: its Idempotency-Key (a new one when none is given), as every client of the APIs sends.</param>
    public async Task<Answer> SendAsync(
        HttpMethod method, Uri uri, AuthenticationHeaderValue? token, byte[]? body, CancellationToken cancellationToken, string? idempotencyKey = null)
    {
        using var message = new HttpRequestMessage(method, uri);
        if (method != HttpMethod.Get)
        {
            message.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString());
        }

        if (body is not null)
        {
            message.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        }

        message.Headers.Authorization = token;
        var sent = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var read = Stopwatch.GetTimestamp();
        return new Answer((int)response.StatusCode, bytes, Stopwatch.GetElapsedTime(sent, read).TotalMilliseconds, read);
    }

    /// <summary>An access token for an API client (client credentials at the Partners token endpoint).</summary>
    public async Task<AuthenticationHeaderValue> TokenAsync(string clientId, string clientSecret, CancellationToken cancellationToken)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        });
        using var response = await client.PostAsync(new Uri(Partners, "connect/token"), form, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /connect/token for {clientId} answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("access_token").GetString());
    }
}
