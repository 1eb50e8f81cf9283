using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages;

/// <summary>A line of Counselling's case list, as much of it as this page shows.</summary>
internal sealed record CaseLine(Guid Id, string Status, DateTimeOffset OpenedAt);

internal sealed record CaseListPage(IReadOnlyList<CaseLine> Items, int Page, int PageSize, int Total);

/// <summary>
/// The counsellor's case list: Counselling's <c>GET /cases</c> with the person's token, newest first. The API filters
/// by status; it has no search, so the reference (the case's id) is matched here among the newest 200.
/// </summary>
internal sealed class CasesModel(NetworkApi api) : PageModel
{
    public static readonly IReadOnlyList<string> Statuses = ["open", "closed", "erased"];

    public string? Reference { get; private set; }

    public string? Status { get; private set; }

    public bool StatusRefused { get; private set; }

    public IReadOnlyList<CaseLine> Cases { get; private set; } = [];

    public ApiProblem? Problem { get; private set; }

    public async Task OnGetAsync(string? reference, string? status, CancellationToken cancellationToken)
    {
        Reference = reference?.Trim();
        Status = string.IsNullOrEmpty(status) ? null : status;
        var query = "cases?pageSize=200" + (Status is null ? "" : "&status=" + Uri.EscapeDataString(Status));
        var result = await api.GetAsync<CaseListPage>(NetworkApi.Counselling, query, cancellationToken);
        Problem = result.Problem;
        StatusRefused = Problem?.Fields.Contains("status", StringComparer.OrdinalIgnoreCase) == true;
        Cases = [.. (result.Value?.Items ?? [])
            .Where(line => string.IsNullOrEmpty(Reference) || line.Id.ToString().StartsWith(Reference, StringComparison.OrdinalIgnoreCase))];
    }

    /// <summary>The translated message for a refusal; the field it names is marked next to the field.</summary>
    public static string ProblemText(ApiProblem problem) => problem.Status switch
    {
        403 => "problem.403",
        404 => "problem.404",
        400 or 422 => "problem.422",
        429 => "problem.429",
        _ => "problem.other",
    };
}
