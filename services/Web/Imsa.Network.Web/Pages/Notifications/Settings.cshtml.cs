using Imsa.Network.Web.Api;
using Imsa.Network.Web.Localization;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Notifications;

/// <summary>
/// The person's notification settings (Partners' <c>/people/me/notification-settings</c>): the language of their
/// e-mails, and for each kind their role receives an e-mail at once, in the daily summary or none — the choices below
/// their organisation's minimum are shown but not offered, with the reason. Only the kinds changed here are sent, so
/// a kind left as it was keeps following the default.
/// </summary>
internal sealed class SettingsModel(NetworkApi api) : PageModel
{
    private const string Path = "people/me/notification-settings";

    public NotificationSettingsView? Settings { get; private set; }

    public ApiProblem? Problem { get; private set; }

    public bool Saved { get; private set; }

    /// <summary>The e-mails' language; empty for "as the application".</summary>
    [BindProperty]
    public string? Language { get; set; }

    /// <summary>The choice per kind as the form sent it ("offer-received" → "digest").</summary>
    [BindProperty]
    public Dictionary<string, string> Kinds { get; set; } = [];

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    public async Task OnGetAsync(bool saved, CancellationToken cancellationToken)
    {
        Saved = saved;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        if (await LoadAsync(cancellationToken) is { } settings)
        {
            Language = settings.Language;
            Kinds = settings.Kinds.ToDictionary(kind => kind.Kind, kind => kind.Choice, StringComparer.Ordinal);
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } current)
        {
            var changed = current.Kinds
                .Where(kind => Kinds.TryGetValue(kind.Kind, out var choice) && choice != kind.Choice)
                .ToDictionary(kind => kind.Kind, kind => Kinds[kind.Kind], StringComparer.Ordinal);
            var language = string.IsNullOrEmpty(Language) ? null : Language;
            var saved = await api.SendAsync<NotificationSettingsView>(
                SignInEndpoints.PartnersClient, HttpMethod.Put, Path, new { language, kinds = changed }, IdempotencyKey, cancellationToken);
            if (saved.Succeeded)
            {
                return RedirectToPage(new { saved = true });
            }

            Problem = saved.Problem;
        }

        if (!ReferenceEquals(Problem, ApiProblem.Unreachable))
        {
            IdempotencyKey = NetworkApi.NewIdempotencyKey();
        }

        return Page();
    }

    /// <summary>Whether the refusal names <paramref name="field"/> ("language", "kinds.offer-received").</summary>
    public bool Refused(string field) => Problem?.Fields.Contains(field, StringComparer.OrdinalIgnoreCase) == true;

    /// <summary>A page-level refusal is shown unless a field already says what went wrong.</summary>
    public ApiProblem? PageProblem => Problem is { Fields.Count: 0 } or { Status: not (400 or 422) } ? Problem : null;

    /// <summary>A field's aria-describedby: its hint (if any) and, when refused, its error.</summary>
    public string? DescribedBy(string id, string field, bool hint)
    {
        var ids = string.Join(' ', new[] { hint ? id + "-hint" : null, Refused(field) ? id + "-error" : null }.OfType<string>());
        return ids.Length == 0 ? null : ids;
    }

    /// <summary>The choice the form shows for a kind: what was sent back after a refusal, else what applies.</summary>
    public string Chosen(NotificationKindSetting kind) => Kinds.TryGetValue(kind.Kind, out var choice) ? choice : kind.Choice;

    /// <summary>The languages of notification e-mails, by their own names.</summary>
    public static IReadOnlyList<Language> EmailLanguages => Localization.Languages.All;

    private async Task<NotificationSettingsView?> LoadAsync(CancellationToken cancellationToken)
    {
        var settings = await api.GetAsync<NotificationSettingsView>(SignInEndpoints.PartnersClient, $"{Path}?{NotificationChoices.LanguageQuery}", cancellationToken);
        Problem = settings.Problem;
        return Settings = settings.Value;
    }
}
