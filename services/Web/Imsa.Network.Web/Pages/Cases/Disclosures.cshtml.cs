using Imsa.Network.Web.Api;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Cases;

internal sealed record DisclosureView(Guid Id, Guid OrganisationId, string? ReaderReference, DateTimeOffset At, IReadOnlyList<string> Categories, Guid HandoverId);

/// <summary>The case's disclosure log: who read which categories, when, under which handover.</summary>
internal sealed class DisclosuresModel(NetworkApi api) : PageModel
{
    public IReadOnlyList<DisclosureView> Disclosures { get; private set; } = [];

    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();

    public ApiProblem? Problem { get; private set; }

    public Guid CaseId { get; private set; }

    public async Task OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        CaseId = id;
        var read = await api.GetAsync<List<DisclosureView>>(NetworkApi.Counselling, $"cases/{id}/disclosures", cancellationToken);
        Disclosures = [.. (read.Value ?? []).OrderByDescending(d => d.At)];
        Problem = read.Problem;
        if (Disclosures.Count > 0)
        {
            var directory = await api.GetAsync<DirectoryPage>(SignInEndpoints.PartnersClient, "directory/services?limit=500", cancellationToken);
            Names = (directory.Value?.Items ?? []).ToDictionary(entry => entry.OrganisationId, entry => entry.Name);
        }
    }
}
