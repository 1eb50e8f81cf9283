using Imsa.Network.Web.Api;
using Imsa.Network.Web.Pages.Cases;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Notifications;

/// <summary>
/// The person's notifications (Partners' <c>GET /people/me/notifications</c> with their token), newest first, a page
/// at a time (<c>?before=</c> the last one shown), all or the unread only. "Open" marks one read and goes where it
/// leads — only to a path of this application, never another site; "Mark all as read" marks them all.
/// </summary>
internal sealed class IndexModel(NetworkApi api, NotificationBadge badge) : PageModel
{
    public const int PageSize = 20;

    public bool UnreadOnly { get; private set; }

    /// <summary>The page starts after this notification (the last of the previous page); null on the first page.</summary>
    public Guid? Before { get; private set; }

    public NotificationListView? List { get; private set; }

    public IReadOnlyList<NotificationView> Items => List?.Items ?? [];

    public ApiProblem? Problem { get; private set; }

    /// <summary>An "Open" whose notification leads outside this application: marked read, not followed.</summary>
    public bool NotHere { get; private set; }

    public string? Done { get; private set; }

    public async Task OnGetAsync(bool unread, Guid? before, string? done, bool notHere, CancellationToken cancellationToken)
    {
        Done = done is "all-read" ? done : null;
        NotHere = notHere;
        await LoadAsync(unread, before, cancellationToken);
    }

    /// <summary>Marks the notification read, then follows its link (a local path only); the list again if it has none.</summary>
    public async Task<IActionResult> OnPostOpenAsync(Guid id, string? link, bool unread, Guid? before, CancellationToken cancellationToken)
    {
        // Marking read twice changes nothing: no idempotency key needed.
        var read = await api.SendAsync<object>(
            SignInEndpoints.PartnersClient, HttpMethod.Post, $"people/me/notifications/{id}/read", body: null, idempotencyKey: null, cancellationToken);
        if (!read.Succeeded)
        {
            Problem = read.Problem;
            await LoadAsync(unread, before, cancellationToken);
            return Page();
        }

        return SessionCookie.IsLocalPath(link) ? LocalRedirect(link!) : RedirectToPage(new { notHere = true });
    }

    public async Task<IActionResult> OnPostReadAllAsync(bool unread, CancellationToken cancellationToken)
    {
        var read = await api.SendAsync<object>(
            SignInEndpoints.PartnersClient, HttpMethod.Post, "people/me/notifications/read-all", body: null, idempotencyKey: null, cancellationToken);
        if (!read.Succeeded)
        {
            Problem = read.Problem;
            await LoadAsync(unread, before: null, cancellationToken);
            return Page();
        }

        return RedirectToPage(new { done = "all-read", unread = unread ? true : (bool?)null });
    }

    /// <summary>The list's address with the same filter: the first page, or the page after <paramref name="before"/>.</summary>
    public string PageLink(Guid? before)
    {
        var query = new List<string>();
        if (UnreadOnly)
        {
            query.Add("unread=true");
        }

        if (before is { } id)
        {
            query.Add("before=" + id);
        }

        return "/notifications" + (query.Count == 0 ? "" : "?" + string.Join('&', query));
    }

    /// <summary>The translated message for a refusal: a notification not the person's (404) has its own.</summary>
    public static string ProblemText(ApiProblem problem) => problem.Status == StatusCodes.Status404NotFound
        ? "notifications.problem.404"
        : CasesModel.ProblemText(problem);

    private async Task LoadAsync(bool unread, Guid? before, CancellationToken cancellationToken)
    {
        UnreadOnly = unread;
        Before = before;
        var query = $"people/me/notifications?unread={(unread ? "true" : "false")}&limit={PageSize}&{NotificationChoices.LanguageQuery}"
            + (before is { } id ? "&before=" + id : "");
        var result = await api.GetAsync<NotificationListView>(SignInEndpoints.PartnersClient, query, cancellationToken);
        Problem ??= result.Problem;
        List = result.Value;
        if (List is not null)
        {
            // The header shows this count rather than asking Partners again.
            badge.Know(List.Unread);
        }
    }
}
