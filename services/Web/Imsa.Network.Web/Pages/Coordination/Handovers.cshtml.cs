using Imsa.Network.Web.Api;
using Imsa.Network.Web.Pages.Cases;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Coordination;

/// <summary>A handover as coordinators see it: ids, parties, codes and dates; never the message.</summary>
internal sealed record AdminHandover(
    Guid Id,
    Guid OriginOrganisationId,
    Guid ReceiverOrganisationId,
    string Status,
    IReadOnlyList<string> Topics,
    DateTimeOffset RequestedAt,
    DateTimeOffset? AnswerDueAt,
    DateTimeOffset? EscalatedAt,
    DateTimeOffset? FollowUpDueAt);

internal sealed record StaleHandovers(IReadOnlyList<AdminHandover> Unanswered, IReadOnlyList<AdminHandover> WithoutFirstContact);

/// <summary>
/// Handovers that need a coordinator (Handovers' <c>/admin/handovers/escalated</c> and <c>/stale</c>), and the
/// reassignment of an unanswered offer to another receiving service.
/// </summary>
internal sealed class HandoversModel(NetworkApi api) : PageModel
{
    public IReadOnlyList<AdminHandover> Escalated { get; private set; } = [];

    public StaleHandovers Stale { get; private set; } = new([], []);

    public ApiProblem? Problem { get; private set; }

    /// <summary>The handover whose reassignment was refused, with the refusal shown next to its form.</summary>
    public Guid? Refused { get; private set; }

    public ApiProblem? Refusal { get; private set; }

    /// <summary>The service and reason of a refused reassignment, shown again in its form.</summary>
    public (Guid? Receiver, string? Reason) Chosen { get; private set; }

    public Guid? Reassigned { get; private set; }

    /// <summary>The network's receiving services (Partners' directory), to reassign an offer to one of them by name.</summary>
    public IReadOnlyList<DirectoryEntry> Services { get; private set; } = [];

    public string? NameOf(Guid organisationId) => Services.FirstOrDefault(service => service.OrganisationId == organisationId)?.Name;

    public string IdempotencyKey { get; } = NetworkApi.NewIdempotencyKey();

    public Task OnGetAsync(Guid? reassigned, CancellationToken cancellationToken)
    {
        Reassigned = reassigned;
        return LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostReassignAsync(
        Guid id, string? receiver, string? reason, string? idempotencyKey, CancellationToken cancellationToken)
    {
        Chosen = (Guid.TryParse(receiver, out var chosen) ? chosen : null, reason);
        if (!Guid.TryParse(receiver?.Trim(), out var receiverId))
        {
            Refused = id;
            Refusal = new ApiProblem(StatusCodes.Status422UnprocessableEntity, ["receiverOrganisationId"]);
            await LoadAsync(cancellationToken);
            return Page();
        }

        var result = await api.SendAsync<AdminHandover>(
            NetworkApi.Handovers, HttpMethod.Post, $"admin/handovers/{id}/reassign",
            new { receiverOrganisationId = receiverId, reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim() },
            idempotencyKey, cancellationToken);
        if (result.Problem is { } problem)
        {
            Refused = id;
            Refusal = problem;
            await LoadAsync(cancellationToken);
            return Page();
        }

        return RedirectToPage(new { reassigned = id });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var escalated = await api.GetAsync<List<AdminHandover>>(NetworkApi.Handovers, "admin/handovers/escalated", cancellationToken);
        var stale = await api.GetAsync<StaleHandovers>(NetworkApi.Handovers, "admin/handovers/stale", cancellationToken);
        Problem = escalated.Problem ?? stale.Problem;
        Escalated = escalated.Value ?? [];
        Stale = stale.Value ?? new([], []);
        if (Escalated.Count + Stale.Unanswered.Count + Stale.WithoutFirstContact.Count > 0)
        {
            var directory = await api.GetAsync<DirectoryPage>(SignInEndpoints.PartnersClient, "directory/services?limit=500", cancellationToken);
            Services = [.. (directory.Value?.Items ?? []).OrderBy(service => service.Name, StringComparer.CurrentCulture)];
        }
    }

    public static string RefusalText(ApiProblem problem) => problem.Status switch
    {
        409 => "handovers.refused-409",
        400 or 422 => "handovers.receiver-error",
        _ => CasesModel.ProblemText(problem),
    };
}
