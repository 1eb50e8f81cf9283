using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Cases;

internal sealed class HandoverRequestForm
{
    public Guid? Receiver { get; set; }

    public string? Message { get; set; }

    /// <summary>Topic codes the receiver is asked to continue with (Handovers' request takes them); matching suggests services counselling on one.</summary>
    public List<string> Topics { get; set; } = [];

    public string IdempotencyKey { get; set; } = "";
}

/// <summary>
/// Partners' ranked suggestions for the case with their reasons (exclusions on request), and the handover request to
/// one of them, with the topics to continue with and a note (one form, a button per service); Handovers checks the rest (an active consent naming the service, its capacity) and says which failed.
/// The ticked topics also narrow the suggestions: the case's open tasks' at first, the counsellor's choice after
/// "update" (a post, so the case's topics never travel in an address).
/// </summary>
internal sealed class MatchingModel(NetworkApi api, TimeProvider time) : PageModel
{
    [BindProperty]
    public HandoverRequestForm Form { get; set; } = new();

    public CaseView? Case { get; private set; }

    public MatchView? Match { get; private set; }

    public bool Exclusions { get; private set; }

    /// <summary>The services an active consent names: only they can be asked.</summary>
    public IReadOnlySet<Guid> Consented { get; private set; } = new HashSet<Guid>();

    public ApiProblem? Problem { get; private set; }

    public Task OnGetAsync(Guid id, bool exclusions, CancellationToken cancellationToken) =>
        LoadAsync(id, exclusions, topicsChosen: false, cancellationToken);

    /// <summary>The suggestions again, for the topics ticked.</summary>
    public async Task<IActionResult> OnPostMatchAsync(Guid id, bool exclusions, CancellationToken cancellationToken)
    {
        await LoadAsync(id, exclusions, topicsChosen: true, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, bool exclusions, CancellationToken cancellationToken)
    {
        var read = await CaseViews.ReadCaseAsync(api, id, cancellationToken);
        if (read.Value is { } found)
        {
            var request = new { caseId = id, receiverOrganisationId = Form.Receiver, topics = Form.Topics.Count == 0 ? null : Form.Topics, plannedArrival = found.MigrationPlan.PlannedArrival, message = string.IsNullOrWhiteSpace(Form.Message) ? null : Form.Message.Trim() };
            var requested = await api.SendAsync<HandoverView>(NetworkApi.Handovers, HttpMethod.Post, "handovers", request, Form.IdempotencyKey, cancellationToken);
            if (requested.Value is { } handover)
            {
                return RedirectToPage("/Cases/Handover", new { id, handoverId = handover.Id });
            }

            read = read with { Problem = requested.Problem ?? ApiProblem.Unreachable };
        }

        await LoadAsync(id, exclusions, topicsChosen: true, cancellationToken);
        Problem = read.Problem;
        return Page();
    }

    /// <summary>A new key for the request form; after a refusal it keeps its key, so a retry acts once.</summary>
    public string Key() =>
        Problem is not null && Form.IdempotencyKey.Length > 0 ? Form.IdempotencyKey : NetworkApi.NewIdempotencyKey();

    /// <summary>Whether a handover can be requested from this page: the case is open and a suggested service is named by a consent.</summary>
    public bool CanRequest => Case?.Status == "open" && Match is not null && Match.Matches.Any(service => Consented.Contains(service.OrganisationId));

    private async Task LoadAsync(Guid id, bool exclusions, bool topicsChosen, CancellationToken cancellationToken)
    {
        Exclusions = exclusions;
        var read = await CaseViews.ReadCaseAsync(api, id, cancellationToken);
        Case = read.Value;
        Problem = read.Problem;
        if (Case is null)
        {
            return;
        }

        // What is still to do is what the receiver is asked to continue with, unless the counsellor chooses otherwise.
        Form.Topics = [.. (topicsChosen ? Form.Topics : Case.OpenTopics()).Where(CaseViews.Topics.Contains).Distinct(StringComparer.Ordinal)];

        var consents = await api.GetAsync<List<ConsentView>>(NetworkApi.Counselling, $"cases/{id}/consents", cancellationToken);
        Consented = (consents.Value ?? []).Where(c => c.State == "active").SelectMany(c => c.Recipients).ToHashSet();
        var matched = await CaseViews.MatchAsync(api, Case, exclusions, Form.Topics, time, cancellationToken);
        Match = matched?.Value;
        Problem ??= consents.Problem ?? matched?.Problem;
    }
}
