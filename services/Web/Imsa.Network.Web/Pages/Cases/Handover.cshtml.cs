using Imsa.Network.Web.Api;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Cases;

/// <summary>A handover as its origin follows it: status, timeline and outcome (Handovers' GET); and withdrawing it.</summary>
internal sealed class HandoverModel(NetworkApi api) : PageModel
{
    /// <summary>A handover can be withdrawn until it has ended.</summary>
    private static readonly HashSet<string> Ended = ["declined", "withdrawn", "revoked", "completed"];

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public HandoverView? Handover { get; private set; }

    public string? ReceiverName { get; private set; }

    public ApiProblem? Problem { get; private set; }

    public bool CanWithdraw => Handover is not null && !Ended.Contains(Handover.Status);

    public async Task OnGetAsync(Guid id, Guid handoverId, CancellationToken cancellationToken) =>
        await LoadAsync(id, handoverId, cancellationToken);

    public async Task<IActionResult> OnPostWithdrawAsync(Guid id, Guid handoverId, CancellationToken cancellationToken)
    {
        var withdrawn = await api.SendAsync<HandoverView>(NetworkApi.Handovers, HttpMethod.Post, $"handovers/{handoverId}/withdraw", body: null, IdempotencyKey, cancellationToken);
        if (withdrawn.Succeeded)
        {
            return RedirectToPage("/Cases/Handover", new { id, handoverId });
        }

        await LoadAsync(id, handoverId, cancellationToken);
        Problem = withdrawn.Problem;
        return Page();
    }

    private async Task LoadAsync(Guid id, Guid handoverId, CancellationToken cancellationToken)
    {
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        var read = await api.GetAsync<HandoverView>(NetworkApi.Handovers, $"handovers/{handoverId}", cancellationToken);
        // Only a handover of this case, so the page's address cannot mix one case with another's handover.
        Handover = read.Value?.CaseId == id ? read.Value : null;
        Problem = read.Value is null ? read.Problem : Handover is null ? new ApiProblem(StatusCodes.Status404NotFound, []) : null;
        if (Handover is not null)
        {
            var directory = await api.GetAsync<DirectoryPage>(SignInEndpoints.PartnersClient, "directory/services?limit=500", cancellationToken);
            ReceiverName = directory.Value?.Items.FirstOrDefault(entry => entry.OrganisationId == Handover.ReceiverOrganisationId)?.Name;
        }
    }
}
