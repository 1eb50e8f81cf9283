using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Inbox;

/// <summary>
/// The receiving service's inbox: Handovers' <c>GET /handovers/inbox</c> with the person's token, filtered as the API
/// filters (arrival month, one topic, one status; by default the offers waiting for an answer), nearest deadline first.
/// </summary>
internal sealed class IndexModel(NetworkApi api) : PageModel
{
    public string? ArrivalMonth { get; private set; }

    public string? Topic { get; private set; }

    public string? Status { get; private set; }

    public IReadOnlyList<Handover> Offers { get; private set; } = [];

    public ApiProblem? Problem { get; private set; }

    public async Task OnGetAsync(string? arrivalMonth, string? topic, string? status, CancellationToken cancellationToken)
    {
        ArrivalMonth = Blank(arrivalMonth);
        Topic = Blank(topic);
        Status = Blank(status);
        var query = new List<string>();
        Add(query, "arrivalMonth", ArrivalMonth);
        Add(query, "topic", Topic);
        Add(query, "status", Status);
        var result = await api.GetAsync<List<Handover>>(
            NetworkApi.Handovers, "handovers/inbox" + (query.Count == 0 ? "" : "?" + string.Join('&', query)), cancellationToken);
        Problem = result.Problem;
        Offers = result.Value ?? [];
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void Add(List<string> query, string name, string? value)
    {
        if (value is not null)
        {
            query.Add(name + "=" + Uri.EscapeDataString(value));
        }
    }
}
