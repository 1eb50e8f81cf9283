using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Inbox;

/// <summary>
/// One offer, as Handovers shows it to the receiver (no personal data): accept it, or decline it with a coded reason;
/// once held, report the first contact and other outcomes. Each write is sent once (the form's idempotency key) and
/// answered with a redirect back here, so a reload sends nothing again.
/// </summary>
internal sealed class OfferModel(NetworkApi api) : PageModel
{
    public Handover? Handover { get; private set; }

    /// <summary>The refusal of the page's read, or of the form named by <see cref="Form"/>.</summary>
    public ApiProblem? Problem { get; private set; }

    /// <summary>The form the last post came from (accept, decline, outcome), to show its refusal beside it.</summary>
    public string? Form { get; private set; }

    /// <summary>What was just done (after the redirect): accepted, declined, outcome.</summary>
    public string? Done { get; private set; }

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    [BindProperty]
    public string? Reason { get; set; }

    [BindProperty]
    public string? Note { get; set; }

    [BindProperty]
    public string? Outcome { get; set; }

    [BindProperty]
    public DateOnly? OccurredOn { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, string? done, CancellationToken cancellationToken)
    {
        Done = done is "accepted" or "declined" or "outcome" ? done : null;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        await ReadAsync(id, cancellationToken);
        return Page();
    }

    public Task<IActionResult> OnPostAcceptAsync(Guid id, CancellationToken cancellationToken) =>
        SendAsync(id, "accept", "accept", body: null, "accepted", cancellationToken);

    public Task<IActionResult> OnPostDeclineAsync(Guid id, CancellationToken cancellationToken) =>
        SendAsync(id, "decline", "decline", new { reason = Reason, note = string.IsNullOrWhiteSpace(Note) ? null : Note }, "declined", cancellationToken);

    public Task<IActionResult> OnPostOutcomeAsync(Guid id, CancellationToken cancellationToken) =>
        SendAsync(id, "outcome", "outcomes", new { outcome = Outcome, occurredOn = OccurredOn }, "outcome", cancellationToken);

    private async Task<IActionResult> SendAsync(Guid id, string form, string action, object? body, string done, CancellationToken cancellationToken)
    {
        var result = await api.SendAsync<Handover>(
            NetworkApi.Handovers, HttpMethod.Post, $"handovers/{id}/{action}", body, IdempotencyKey, cancellationToken);
        if (result.Succeeded)
        {
            return RedirectToPage(new { id, done });
        }

        Form = form;
        Problem = result.Problem;
        // A refused request changed nothing: the next attempt is a new one. A request that may not have arrived keeps its key.
        if (!ReferenceEquals(Problem, ApiProblem.Unreachable))
        {
            IdempotencyKey = NetworkApi.NewIdempotencyKey();
        }

        await ReadAsync(id, cancellationToken);
        return Page();
    }

    private async Task ReadAsync(Guid id, CancellationToken cancellationToken)
    {
        var read = await api.GetAsync<Handover>(NetworkApi.Handovers, $"handovers/{id}", cancellationToken);
        Handover = read.Value;
        if (read.Problem is { } problem)
        {
            Form = null;
            Problem = problem;
        }
    }
}
