using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Cases;

internal sealed record SessionView(Guid Id, DateOnly HeldOn, string Format, IReadOnlyList<string> Topics, string? Notes);

internal sealed class SessionForm
{
    public DateOnly? HeldOn { get; set; }

    public string? Format { get; set; }

    public string? Notes { get; set; }

    /// <summary>Topic codes discussed (Counselling's GET /reference/topics).</summary>
    public List<string> Topics { get; set; } = [];

    public string IdempotencyKey { get; set; } = "";
}

/// <summary>The case's counselling sessions, newest first, and recording one (category counselling-history).</summary>
internal sealed class SessionsModel(NetworkApi api, TimeProvider time) : PageModel
{
    public static readonly IReadOnlyList<string> Formats = ["in-person", "phone", "video", "group", "messenger"];

    [BindProperty]
    public SessionForm Form { get; set; } = new();

    public IReadOnlyList<SessionView> Sessions { get; private set; } = [];

    public ApiProblem? Problem { get; private set; }

    public Guid CaseId { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        Form.IdempotencyKey = NetworkApi.NewIdempotencyKey();
        Form.HeldOn = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        await LoadAsync(id, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        var request = new { heldOn = Form.HeldOn, format = Form.Format, topics = Form.Topics.Count == 0 ? null : Form.Topics, notes = string.IsNullOrWhiteSpace(Form.Notes) ? null : Form.Notes.Trim() };
        var recorded = await api.SendAsync<SessionView>(NetworkApi.Counselling, HttpMethod.Post, $"cases/{id}/sessions", request, Form.IdempotencyKey, cancellationToken);
        if (recorded.Succeeded)
        {
            return RedirectToPage("/Cases/Sessions", new { id });
        }

        await LoadAsync(id, cancellationToken);
        Problem = recorded.Problem;
        return Page();
    }

    public FieldError Error(string field) =>
        new(field, [.. Problem?.Fields.Where(name => string.Equals(name, field, StringComparison.OrdinalIgnoreCase)) ?? []]);

    private async Task LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        CaseId = id;
        var sessions = await api.GetAsync<List<SessionView>>(NetworkApi.Counselling, $"cases/{id}/sessions", cancellationToken);
        Sessions = sessions.Value ?? [];
        Problem = sessions.Problem;
    }
}
