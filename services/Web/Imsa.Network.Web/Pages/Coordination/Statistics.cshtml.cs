using System.Globalization;
using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Coordination;

/// <summary>One count of Handovers' statistics: a number, "&lt;5" (from 1 to 4) or "*" (hidden so that no small one can be worked out).</summary>
internal sealed record StatisticsCell(string Key, string Handovers)
{
    public int? Count => int.TryParse(Handovers, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;
}

internal sealed record AnswerStatistics(string Answered, string Accepted, string Declined, double? AcceptanceRate, double? DeclineRate);

internal sealed record NetworkStatistics(
    DateTimeOffset ComputedAt,
    string Handovers,
    IReadOnlyList<StatisticsCell> ByOriginCountry,
    IReadOnlyList<StatisticsCell> ByDestinationState,
    IReadOnlyList<StatisticsCell> ByServiceType,
    IReadOnlyList<StatisticsCell> ByPurpose,
    IReadOnlyList<StatisticsCell> ByMonth,
    AnswerStatistics Answers,
    IReadOnlyList<StatisticsCell> DeclineReasons,
    double? MedianHoursToAnswer,
    double? MedianDaysToFirstContact,
    string Open,
    string Escalated,
    string Stale);

/// <summary>A chart of one dimension: its title's text key and its cells.</summary>
internal sealed record StatisticsChart(string Id, string Title, IReadOnlyList<StatisticsCell> Cells)
{
    public int Largest => Cells.Max(cell => cell.Count) is { } largest and > 0 ? largest : 1;
}

/// <summary>
/// The network's statistics (Handovers' <c>GET /admin/statistics</c>, coordinators): each dimension as a bar chart
/// drawn on the server in SVG, the same figures in a table beside it, and the API's CSV passed through.
/// </summary>
internal sealed class StatisticsModel(NetworkApi api) : PageModel
{
    public NetworkStatistics? Statistics { get; private set; }

    public ApiProblem? Problem { get; private set; }

    public IReadOnlyList<StatisticsChart> Charts { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var result = await api.GetAsync<NetworkStatistics>(NetworkApi.Handovers, "admin/statistics", cancellationToken);
        Problem = result.Problem;
        Statistics = result.Value;
        if (Statistics is { } s)
        {
            Charts =
            [
                new("origin", "statistics.by-origin", s.ByOriginCountry),
                new("state", "statistics.by-state", s.ByDestinationState),
                new("service-type", "statistics.by-service-type", s.ByServiceType),
                new("purpose", "statistics.by-purpose", s.ByPurpose),
                new("month", "statistics.by-month", s.ByMonth),
                new("decline", "statistics.decline-reasons", s.DeclineReasons),
            ];
        }
    }

    /// <summary>The CSV as Handovers writes it, fetched with the coordinator's token.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        var (content, _, problem) = await api.DownloadAsync(NetworkApi.Handovers, "admin/statistics/csv", cancellationToken);
        if (problem is not null)
        {
            Problem = problem;
            Response.StatusCode = problem.Status;
            return Page();
        }

        return File(content!, "text/csv; charset=utf-8", "imsa-network-statistics.csv");
    }
}
