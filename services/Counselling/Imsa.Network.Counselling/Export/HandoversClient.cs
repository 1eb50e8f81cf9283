using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Imsa.Network.Counselling.Export;

/// <summary>"Export" configuration.</summary>
public sealed class ExportOptions
{
    /// <summary>The Handovers service's base address as this service reaches it (run.sh: http://127.0.0.1:5103/).</summary>
    public Uri? HandoversUrl { get; set; }

    /// <summary>How long the export waits for Handovers' part before answering 503.</summary>
    public TimeSpan HandoversTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Thrown when Handovers' part of an export cannot be had: the export is not given incomplete.</summary>
internal sealed class HandoversUnavailableException(string reason) : Exception(reason);

/// <summary>
/// Handovers' part of a case's export: the case's handovers with their timelines, asked of the Handovers service with
/// the caller's own token (<c>GET /handovers/outgoing?caseId=…&amp;timeline=true</c>), so it answers only what the
/// owner may read there. No service reads another's database.
/// </summary>
public sealed class HandoversClient(HttpClient http)
{
    public const string Name = "handovers";

    internal async Task<JsonArray> CaseHandoversAsync(Guid caseId, AuthenticationHeaderValue callerToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"handovers/outgoing?caseId={caseId}&timeline=true");
        request.Headers.Authorization = callerToken;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HandoversUnavailableException($"Handovers answered {(int)response.StatusCode}.");
            }

            return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonArray
                ?? throw new HandoversUnavailableException("Handovers answered something other than a list.");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            throw new HandoversUnavailableException(ex.GetType().Name);
        }
    }
}
