using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Cases;

/// <summary>A case as its owner reads it: its data by category, its consents and its handovers, and what to do next.</summary>
internal sealed class CaseModel(NetworkApi api) : PageModel
{
    public CaseView? Case { get; private set; }

    public IReadOnlyList<ConsentView> Consents { get; private set; } = [];

    public ApiProblem? Problem { get; private set; }

    /// <summary>Back from the edit page, saved.</summary>
    public bool Saved { get; private set; }

    public async Task OnGetAsync(Guid id, bool saved, CancellationToken cancellationToken)
    {
        Saved = saved;
        var read = await CaseViews.ReadCaseAsync(api, id, cancellationToken);
        Case = read.Value;
        Problem = read.Problem;
        if (Case is not null)
        {
            var consents = await api.GetAsync<List<ConsentView>>(NetworkApi.Counselling, $"cases/{id}/consents", cancellationToken);
            Consents = consents.Value ?? [];
            Problem = consents.Problem;
        }
    }
}
