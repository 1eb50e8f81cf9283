namespace Imsa.Network.Testing;

/// <summary>Reading a response header wherever HttpClient filed it (response or content headers).</summary>
public static class ResponseHeaders
{
    /// <summary>The header's values joined by ", ", or null when the response has none.</summary>
    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    /// <summary>Why the response is not refused sniffing, framing and referrers, or null when it is.</summary>
    public static string? MissingSecurityHeaders(this HttpResponseMessage response)
    {
        var missing = new List<string>();
        if (response.Header("X-Content-Type-Options") != "nosniff")
        {
            missing.Add($"X-Content-Type-Options: {response.Header("X-Content-Type-Options")}");
        }

        if (response.Header("X-Frame-Options") != "DENY")
        {
            missing.Add($"X-Frame-Options: {response.Header("X-Frame-Options")}");
        }

        if (response.Header("Content-Security-Policy")?.Contains("frame-ancestors 'none'", StringComparison.Ordinal) != true)
        {
            missing.Add($"Content-Security-Policy: {response.Header("Content-Security-Policy")}");
        }

        if (response.Header("Referrer-Policy") != "no-referrer")
        {
            missing.Add($"Referrer-Policy: {response.Header("Referrer-Policy")}");
        }

        if (response.Header("Server") is { } server)
        {
            missing.Add($"Server: {server}");
        }

        return missing.Count == 0 ? null : $"{response.RequestMessage?.RequestUri} has {string.Join("; ", missing)}";
    }
}
