using Imsa.Network.Web.Api;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Coordination;

internal sealed record PendingOrganisation(Guid Id, string Name, string Country, string Kind, string? ExternalRegistryId, string Status, DateTimeOffset RegisteredAt);

/// <summary>
/// Partners' verification queue (coordinators): each organisation waiting, oldest first, verified with one button;
/// and suspending an organisation by its id, with a reason for the audit trail.
/// </summary>
internal sealed class OrganisationsModel(NetworkApi api) : PageModel
{
    public IReadOnlyList<PendingOrganisation> Pending { get; private set; } = [];

    public ApiProblem? Problem { get; private set; }

    public ApiProblem? SuspendRefusal { get; private set; }

    public string? Done { get; private set; }

    public Guid? DoneFor { get; private set; }

    public async Task OnGetAsync(string? done, Guid? organisation, CancellationToken cancellationToken)
    {
        Done = done is "verified" or "suspended" ? done : null;
        DoneFor = organisation;
        await LoadAsync(cancellationToken);
    }

    public Task<IActionResult> OnPostVerifyAsync(Guid id, CancellationToken cancellationToken) =>
        TransitionAsync(id, "verify", "verified", reason: null, cancellationToken);

    public async Task<IActionResult> OnPostSuspendAsync(string? organisation, string? reason, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(organisation?.Trim(), out var id))
        {
            SuspendRefusal = new ApiProblem(StatusCodes.Status422UnprocessableEntity, ["organisation"]);
            await LoadAsync(cancellationToken);
            return Page();
        }

        return await TransitionAsync(id, "suspend", "suspended", reason, cancellationToken);
    }

    private async Task<IActionResult> TransitionAsync(Guid id, string action, string done, string? reason, CancellationToken cancellationToken)
    {
        var query = string.IsNullOrWhiteSpace(reason) ? "" : "?reason=" + Uri.EscapeDataString(reason.Trim());
        var result = await api.SendAsync<PendingOrganisation>(
            SignInEndpoints.PartnersClient, HttpMethod.Post, $"organisations/{id}/{action}{query}", body: null, idempotencyKey: null, cancellationToken);
        if (result.Problem is { } problem)
        {
            if (action == "suspend")
            {
                SuspendRefusal = problem;
            }
            else
            {
                Problem = problem;
            }

            await LoadAsync(cancellationToken);
            return Page();
        }

        return RedirectToPage(new { done, organisation = id });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var queue = await api.GetAsync<List<PendingOrganisation>>(SignInEndpoints.PartnersClient, "admin/organisations/verification-queue", cancellationToken);
        Problem ??= queue.Problem;
        Pending = queue.Value ?? [];
    }

    public static string RefusalText(ApiProblem problem) => problem.Status switch
    {
        409 => "organisations.refused-409",
        400 or 422 => "organisations.id-error",
        _ => CasesModel.ProblemText(problem),
    };
}
