using Imsa.Network.Web.Api;
using Imsa.Network.Web.Pages.Notifications;
using Microsoft.AspNetCore.Mvc;

namespace Imsa.Network.Web.Pages.Organisation;

/// <summary>
/// The organisation's notification rules (Partners' <c>/organisations/{id}/notification-minimums</c>): for each kind of
/// notification, the least its people get by e-mail — no minimum, at least the daily summary, or at once. A person's
/// settings then no longer offer a choice below it.
/// </summary>
internal sealed class NotificationsModel(NetworkApi api) : OrganisationPage(api)
{
    public NotificationMinimumsView? Minimums { get; private set; }

    public bool Saved { get; private set; }

    /// <summary>The minimum per kind as the form sent it ("offer-received" → "digest").</summary>
    [BindProperty]
    public Dictionary<string, string> Kinds { get; set; } = [];

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public async Task OnGetAsync(bool saved, CancellationToken cancellationToken)
    {
        Saved = saved;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        if (await LoadAsync(cancellationToken) is { } minimums)
        {
            Kinds = minimums.Kinds.ToDictionary(kind => kind.Kind, kind => kind.Minimum, StringComparer.Ordinal);
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var saved = await SendAsync<NotificationMinimumsView>(HttpMethod.Put, Own("notification-minimums"), new { kinds = Kinds }, IdempotencyKey, cancellationToken);
        if (saved.Succeeded)
        {
            return RedirectToPage(new { saved = true });
        }

        Problem = saved.Problem;
        if (!ReferenceEquals(Problem, ApiProblem.Unreachable))
        {
            IdempotencyKey = NetworkApi.NewIdempotencyKey();
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>The minimum the form shows for a kind: what was sent back after a refusal, else Partners'.</summary>
    public string Chosen(NotificationMinimumView kind) => Kinds.TryGetValue(kind.Kind, out var minimum) ? minimum : kind.Minimum;

    private async Task<NotificationMinimumsView?> LoadAsync(CancellationToken cancellationToken)
    {
        var minimums = await GetAsync<NotificationMinimumsView>($"{Own("notification-minimums")}?{NotificationChoices.LanguageQuery}", cancellationToken);
        Problem ??= minimums.Problem;
        return Minimums = minimums.Value;
    }
}
