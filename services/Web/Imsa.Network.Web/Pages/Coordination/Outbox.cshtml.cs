using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Coordination;

/// <summary>A quarantined event chosen for deletion, waiting for the coordinator's confirmation.</summary>
internal sealed record QuarantineChoice(NetworkService Service, Guid MessageId);

/// <summary>
/// The events each service's outbox relay could not publish (every service's <c>GET /admin/outbox/quarantine</c>,
/// coordinators): put one back in line for publishing, or delete it for good after a confirmation step.
/// </summary>
internal sealed class OutboxModel(NetworkApi api) : PageModel
{
    public IReadOnlyList<ServiceAnswer<IReadOnlyList<QuarantinedMessage>>> Services { get; private set; } = [];

    public bool Refused => Operations.AllRefused(Services);

    public QuarantineChoice? Deleting { get; private set; }

    /// <summary>What was done: "retried" or "deleted", with the event's id.</summary>
    public string? Done { get; private set; }

    public Guid? DoneMessage { get; private set; }

    public ApiProblem? Refusal { get; private set; }

    public string IdempotencyKey { get; } = NetworkApi.NewIdempotencyKey();

    public async Task OnGetAsync(string? done, Guid? message, string? service, Guid? delete, CancellationToken cancellationToken)
    {
        if (done is "retried" or "deleted")
        {
            (Done, DoneMessage) = (done, message);
        }
        else if (NetworkService.Named(service) is { } chosen && delete is { } id)
        {
            Deleting = new QuarantineChoice(chosen, id);
        }

        await LoadAsync(cancellationToken);
    }

    public Task<IActionResult> OnPostRetryAsync(string? service, Guid messageId, string? idempotencyKey, CancellationToken cancellationToken) =>
        ActAsync(service, HttpMethod.Post, $"admin/outbox/quarantine/{messageId}/retry", messageId, "retried", reason: null, idempotencyKey, cancellationToken);

    /// <summary>Deletes one quarantined event for good: only from the confirmation, which names it.</summary>
    public Task<IActionResult> OnPostDeleteAsync(string? service, Guid messageId, string? reason, string? idempotencyKey, CancellationToken cancellationToken) =>
        ActAsync(service, HttpMethod.Delete, $"admin/outbox/quarantine/{messageId}", messageId, "deleted", reason, idempotencyKey, cancellationToken);

    public static string RefusalText(ApiProblem problem) => problem.Status switch
    {
        404 => "outbox.refused-404",
        _ => CasesModel.ProblemText(problem),
    };

    private async Task<IActionResult> ActAsync(
        string? service, HttpMethod method, string path, Guid messageId, string done, string? reason, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var chosen = NetworkService.Named(service);
        var result = chosen is null
            ? new ApiResult<object>(null, new ApiProblem(StatusCodes.Status404NotFound, []))
            : await api.SendAsync<object>(chosen.Client, method, path + Operations.ReasonQuery(reason), body: null, idempotencyKey, cancellationToken);
        if (result.Problem is { } problem)
        {
            Deleting = method == HttpMethod.Delete && chosen is not null ? new QuarantineChoice(chosen, messageId) : null;
            Refusal = problem;
            await LoadAsync(cancellationToken);
            return Page();
        }

        return RedirectToPage(new { done, message = messageId });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        // The three services at once: a page waits for the slowest, not for their sum.
        Services = await Task.WhenAll(NetworkService.All.Select(async service =>
        {
            var result = await api.GetAsync<List<QuarantinedMessage>>(service.Client, "admin/outbox/quarantine", cancellationToken);
            return new ServiceAnswer<IReadOnlyList<QuarantinedMessage>>(service, result.Value ?? [], result.Problem);
        }));
        if (Refused)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
        }
    }
}
