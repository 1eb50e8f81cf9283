using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Cases;

/// <summary>
/// The case's export for the person (GDPR Art. 15 and 20), made by Counselling with the counsellor's token: a document
/// to print in the person's language, or the JSON to take elsewhere. Both are downloaded, never kept here.
/// </summary>
internal sealed class ExportModel(NetworkApi api) : PageModel
{
    public static readonly IReadOnlyList<(string Code, string Name)> Languages = [("de", "Deutsch"), ("en", "English"), ("fr", "Français"), ("ar", "العربية")];

    public Guid CaseId { get; private set; }

    public string Language { get; private set; } = "en";

    public ApiProblem? Problem { get; private set; }

    /// <summary>The page, with the document's language preset to the person's preferred one when it is offered.</summary>
    public async Task OnGetAsync(Guid id, string? language, CancellationToken cancellationToken)
    {
        CaseId = id;
        var read = await api.GetAsync<CaseView>(NetworkApi.Counselling, $"cases/{id}", cancellationToken);
        Problem = read.Problem;
        Language = Known(language) ?? Known(read.Value?.Contact?.PreferredLanguage) ?? Language;
    }

    public Task<IActionResult> OnGetDocumentAsync(Guid id, string? language, CancellationToken cancellationToken) =>
        DownloadAsync(id, $"cases/{id}/export?format=html&language={Known(language) ?? "en"}", "text/html; charset=utf-8", $"imsa-case-{id}.html", language, cancellationToken);

    public Task<IActionResult> OnGetJsonAsync(Guid id, string? language, CancellationToken cancellationToken) =>
        DownloadAsync(id, $"cases/{id}/export?language={Known(language) ?? "en"}", "application/json", $"imsa-case-{id}.json", language, cancellationToken);

    private async Task<IActionResult> DownloadAsync(
        Guid id, string path, string contentType, string fileName, string? language, CancellationToken cancellationToken)
    {
        var (content, _, problem) = await api.DownloadAsync(NetworkApi.Counselling, path, cancellationToken);
        if (problem is null)
        {
            Response.Headers.CacheControl = "no-store";
            return File(content!, contentType, fileName);
        }

        CaseId = id;
        Language = Known(language) ?? Language;
        Problem = problem;
        Response.StatusCode = problem.Status;
        return Page();
    }

    private static string? Known(string? language) => Languages.Any(l => l.Code == language) ? language : null;
}
