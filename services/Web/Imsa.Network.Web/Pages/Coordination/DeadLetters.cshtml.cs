using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Coordination;

/// <summary>A dead letter chosen for deletion, waiting for the coordinator's confirmation.</summary>
internal sealed record DeadLetterChoice(NetworkService Service, string Queue, Guid MessageId);

/// <summary>
/// The messages each service's consumers gave up on (every service's <c>GET /admin/dead-letters</c>, coordinators):
/// replay one or a whole queue once the cause is fixed, or delete one after a confirmation step. Each action carries
/// an optional reason for the service's audit trail.
/// </summary>
internal sealed class DeadLettersModel(NetworkApi api) : PageModel
{
    public IReadOnlyList<ServiceAnswer<IReadOnlyList<QueueDeadLetters>>> Services { get; private set; } = [];

    public bool Refused => Operations.AllRefused(Services);

    /// <summary>The dead letter whose deletion is to be confirmed (the "Delete…" link), shown above the lists.</summary>
    public DeadLetterChoice? Deleting { get; private set; }

    /// <summary>What was done: "replayed" or "deleted", with the queue, the message (one) and the count.</summary>
    public string? Done { get; private set; }

    public string? DoneQueue { get; private set; }

    public Guid? DoneMessage { get; private set; }

    public int DoneCount { get; private set; }

    /// <summary>A refused action, shown next to the form it came from (the confirmation) or above the lists.</summary>
    public ApiProblem? Refusal { get; private set; }

    public string IdempotencyKey { get; } = NetworkApi.NewIdempotencyKey();

    public async Task OnGetAsync(
        string? done, string? queue, Guid? message, int? count, string? service, Guid? delete, CancellationToken cancellationToken)
    {
        if (done is "replayed" or "deleted")
        {
            (Done, DoneQueue, DoneMessage, DoneCount) = (done, queue, message, count ?? 0);
        }
        else if (NetworkService.Named(service) is { } chosen && queue is { Length: > 0 } && delete is { } id)
        {
            Deleting = new DeadLetterChoice(chosen, queue, id);
        }

        await LoadAsync(cancellationToken);
    }

    /// <summary>Replays one dead letter (with <paramref name="messageId"/>) or every one of the queue.</summary>
    public async Task<IActionResult> OnPostReplayAsync(
        string? service, string? queue, Guid? messageId, string? reason, string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (NetworkService.Named(service) is not { } chosen || queue is not { Length: > 0 })
        {
            return await RefuseAsync(null, new ApiProblem(StatusCodes.Status404NotFound, []), cancellationToken);
        }

        var path = messageId is { } id
            ? $"admin/dead-letters/{Uri.EscapeDataString(queue)}/{id}/replay"
            : $"admin/dead-letters/{Uri.EscapeDataString(queue)}/replay";
        var result = await api.SendAsync<DeadLetterResult>(
            chosen.Client, HttpMethod.Post, path + Operations.ReasonQuery(reason), body: null, idempotencyKey, cancellationToken);
        return result.Problem is { } problem
            ? await RefuseAsync(null, problem, cancellationToken)
            : RedirectToPage(new { done = "replayed", queue, message = messageId, count = result.Value?.Count ?? 0 });
    }

    /// <summary>Deletes one dead letter for good: only from the confirmation, which names it.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(
        string? service, string? queue, Guid messageId, string? reason, string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (NetworkService.Named(service) is not { } chosen || queue is not { Length: > 0 })
        {
            return await RefuseAsync(null, new ApiProblem(StatusCodes.Status404NotFound, []), cancellationToken);
        }

        var result = await api.SendAsync<DeadLetterResult>(
            chosen.Client, HttpMethod.Delete, $"admin/dead-letters/{Uri.EscapeDataString(queue)}/{messageId}" + Operations.ReasonQuery(reason),
            body: null, idempotencyKey, cancellationToken);
        return result.Problem is { } problem
            ? await RefuseAsync(new DeadLetterChoice(chosen, queue, messageId), problem, cancellationToken)
            : RedirectToPage(new { done = "deleted", queue, message = messageId, count = result.Value?.Count ?? 0 });
    }

    public static string RefusalText(ApiProblem problem) => problem.Status switch
    {
        404 => "dead-letters.refused-404",
        _ => CasesModel.ProblemText(problem),
    };

    private async Task<IActionResult> RefuseAsync(DeadLetterChoice? deleting, ApiProblem problem, CancellationToken cancellationToken)
    {
        Deleting = deleting;
        Refusal = problem;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        // The three services at once: a page waits for the slowest, not for their sum.
        Services = await Task.WhenAll(NetworkService.All.Select(async service =>
        {
            var result = await api.GetAsync<List<QueueDeadLetters>>(service.Client, "admin/dead-letters", cancellationToken);
            return new ServiceAnswer<IReadOnlyList<QueueDeadLetters>>(service, result.Value ?? [], result.Problem);
        }));
        if (Refused)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
        }
    }
}
