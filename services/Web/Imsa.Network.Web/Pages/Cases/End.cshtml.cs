using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Cases;

/// <summary>
/// Closing a case with a reason, restricting its processing at the person's request (GDPR Art. 18) and lifting that
/// again, or erasing it (the right to erasure) once the counsellor has confirmed, with a tick, that it cannot be
/// undone: each its own form on a page of its own, so none happens by a stray click on the case.
/// </summary>
internal sealed class EndModel(NetworkApi api) : PageModel
{
    public static readonly IReadOnlyList<string> Reasons = ["handed-over", "no-longer-planned", "lost-contact", "transferred", "other"];

    public static readonly IReadOnlyList<string> RestrictionReasons = ["accuracy-contested", "unlawful-processing", "legal-claims", "objection-pending"];

    [BindProperty]
    public string? RestrictionReason { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    [BindProperty]
    public bool Confirm { get; set; }

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public CaseView? Case { get; private set; }

    public ApiProblem? Problem { get; private set; }

    public bool Erased { get; private set; }

    public bool ConfirmMissing { get; private set; }

    public Guid CaseId { get; private set; }

    public async Task OnGetAsync(Guid id, bool erased, CancellationToken cancellationToken)
    {
        Erased = erased;
        await LoadAsync(id, cancellationToken);
    }

    public async Task<IActionResult> OnPostCloseAsync(Guid id, CancellationToken cancellationToken)
    {
        var closed = await api.SendAsync<CaseView>(NetworkApi.Counselling, HttpMethod.Post, $"cases/{id}/close", new { reason = Reason }, IdempotencyKey, cancellationToken);
        if (closed.Succeeded)
        {
            return RedirectToPage("/Cases/Case", new { id });
        }

        await LoadAsync(id, cancellationToken);
        Problem = closed.Problem;
        return Page();
    }

    public async Task<IActionResult> OnPostRestrictAsync(Guid id, CancellationToken cancellationToken)
    {
        var restricted = await api.SendAsync<CaseView>(
            NetworkApi.Counselling, HttpMethod.Put, $"cases/{id}/restriction", new { reason = RestrictionReason }, IdempotencyKey, cancellationToken);
        return await AfterAsync(id, restricted, cancellationToken);
    }

    public async Task<IActionResult> OnPostLiftAsync(Guid id, CancellationToken cancellationToken)
    {
        var lifted = await api.SendAsync<CaseView>(NetworkApi.Counselling, HttpMethod.Delete, $"cases/{id}/restriction", body: null, IdempotencyKey, cancellationToken);
        return await AfterAsync(id, lifted, cancellationToken);
    }

    private async Task<IActionResult> AfterAsync(Guid id, ApiResult<CaseView> result, CancellationToken cancellationToken)
    {
        if (result.Succeeded)
        {
            return RedirectToPage("/Cases/End", new { id });
        }

        await LoadAsync(id, cancellationToken);
        Problem = result.Problem;
        return Page();
    }

    public async Task<IActionResult> OnPostEraseAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!Confirm)
        {
            ConfirmMissing = true;
            await LoadAsync(id, cancellationToken);
            return Page();
        }

        var erased = await api.SendAsync<CaseView>(NetworkApi.Counselling, HttpMethod.Delete, $"cases/{id}", body: null, IdempotencyKey, cancellationToken);
        if (erased.Succeeded)
        {
            return RedirectToPage("/Cases/End", new { id, erased = true });
        }

        await LoadAsync(id, cancellationToken);
        Problem = erased.Problem;
        return Page();
    }

    public bool ReasonRefused => ReasonRefusedBy("Close");

    public bool RestrictionReasonRefused => ReasonRefusedBy("Restrict");

    // Both forms send a "reason": the refusal belongs to the form that was sent.
    private bool ReasonRefusedBy(string handler) =>
        Problem?.Fields.Contains("reason", StringComparer.OrdinalIgnoreCase) == true
        && string.Equals(Request.Query["handler"], handler, StringComparison.OrdinalIgnoreCase);

    private async Task LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        CaseId = id;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        if (Erased)
        {
            return;
        }

        var read = await CaseViews.ReadCaseAsync(api, id, cancellationToken);
        Case = read.Value;
        Problem = read.Problem;
    }
}
