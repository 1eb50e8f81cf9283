using Imsa.Network.Web.Api;
using Imsa.Network.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Caching.Memory;

namespace Imsa.Network.Web.Pages.Cases;

internal sealed class ConsentForm
{
    public List<Guid> Recipients { get; set; } = [];

    public List<string> Categories { get; set; } = [];

    public bool ExplicitSpecialCategories { get; set; }

    public string? Method { get; set; }

    public DateOnly? ValidUntil { get; set; }

    public string TextLanguage { get; set; } = "";

    public string TextVersion { get; set; } = "";

    public string TextSha256 { get; set; } = "";

    public string IdempotencyKey { get; set; } = "";
}

/// <summary>What Counselling answers when a consent is recorded: the withdrawal code is in its receipt, this once.</summary>
internal sealed record ConsentRecorded(ConsentView Consent, RecordedReceipt Receipt);

internal sealed record RecordedReceipt(RecordedWithdrawal Withdrawal);

internal sealed record RecordedWithdrawal(string? Code);

/// <summary>
/// Records a consent: the consent text in the person's language (of those Counselling ships) to read with them or
/// print, the receiving services suggested for the case as recipients, the categories, and the validity. The
/// withdrawal code comes back once; it is kept in this server's memory for the receipt page, briefly, and nowhere else.
/// </summary>
internal sealed class ConsentModel(NetworkApi api, IMemoryCache memory, TimeProvider time) : PageModel
{
    public static readonly IReadOnlyList<string> Methods = ["signed-form", "verbal-with-witness", "electronic"];

    /// <summary>Long enough to print the receipt and hand it over; the code is not needed here after that.</summary>
    public static readonly TimeSpan CodeKeptFor = TimeSpan.FromMinutes(30);

    [BindProperty]
    public ConsentForm Form { get; set; } = new();

    public CaseView? Case { get; private set; }

    public IReadOnlyList<ConsentTextView> Texts { get; private set; } = [];

    public ConsentTextView? Text { get; private set; }

    public IReadOnlyList<MatchedService> Suggestions { get; private set; } = [];

    public ApiProblem? Problem { get; private set; }

    public static string CodeKey(string person, Guid consentId) => $"withdrawal-code:{person}:{consentId}";

    public async Task OnGetAsync(Guid id, string? text, CancellationToken cancellationToken)
    {
        await LoadAsync(id, text, cancellationToken);
        Form.IdempotencyKey = NetworkApi.NewIdempotencyKey();
        Form.Categories = [.. CaseViews.Categories.Where(category => category != CaseViews.SpecialCategories)];
        Form.Method = Methods[0];
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        Form.ValidUntil = (Case?.MigrationPlan.PlannedArrival is { } arrival && arrival > today ? arrival : today).AddYears(1);
        if (Text is not null)
        {
            (Form.TextLanguage, Form.TextVersion, Form.TextSha256) = (Text.Language, Text.Version, Text.Sha256);
        }
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        var f = Form;
        var request = new
        {
            recipients = f.Recipients,
            categories = f.Categories,
            explicitSpecialCategories = f.ExplicitSpecialCategories,
            method = f.Method,
            obtainedAt = time.GetUtcNow(),
            textLanguage = f.TextLanguage,
            textVersion = f.TextVersion,
            textSha256 = f.TextSha256,
            // The end of the chosen day, in UTC: a consent valid "until 1 May" covers 1 May.
            validUntil = f.ValidUntil is { } until ? new DateTimeOffset(until.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero) : (DateTimeOffset?)null,
        };
        var recorded = await api.SendAsync<ConsentRecorded>(NetworkApi.Counselling, HttpMethod.Post, $"cases/{id}/consents", request, f.IdempotencyKey, cancellationToken);
        if (recorded.Value is { } answer)
        {
            if (answer.Receipt.Withdrawal.Code is { } code)
            {
                memory.Set(CodeKey(this.Person(), answer.Consent.Id), code, CodeKeptFor);
            }

            return RedirectToPage("/Cases/Receipt", new { id, consentId = answer.Consent.Id });
        }

        await LoadAsync(id, f.TextLanguage, cancellationToken);
        Problem = recorded.Problem ?? ApiProblem.Unreachable;
        return Page();
    }

    public IEnumerable<string> Refused(string field) =>
        Problem?.Fields.Where(name => string.Equals(name, field, StringComparison.OrdinalIgnoreCase)) ?? [];

    /// <summary>The error under a field, for the first of <paramref name="fields"/> the API refused.</summary>
    public FieldError Error(params string[] fields) => new(fields[0], [.. fields.SelectMany(Refused)]);

    private async Task LoadAsync(Guid id, string? textLanguage, CancellationToken cancellationToken)
    {
        var read = await CaseViews.ReadCaseAsync(api, id, cancellationToken);
        Case = read.Value;
        Problem = read.Problem;
        if (Case is null)
        {
            return;
        }

        var texts = await api.GetAsync<List<ConsentTextView>>(NetworkApi.Counselling, "reference/consent-texts", cancellationToken);
        // The newest version valid now in each language: Counselling refuses one whose validFrom lies ahead.
        var now = time.GetUtcNow();
        Texts = [.. (texts.Value ?? []).Where(t => t.ValidFrom is null || t.ValidFrom <= now).GroupBy(t => t.Language)
            .Select(versions => versions.OrderByDescending(t => t.Version, StringComparer.Ordinal).First())];
        // The language chosen, else the person's, else the page's, else English (Counselling publishes German, English, French and
        // Arabic checked, and more languages as translations not yet checked).
        Text = new[] { textLanguage, Case.Contact?.PreferredLanguage, Languages.Current.Code, "en" }
            .Select(language => Texts.FirstOrDefault(t => t.Language == language))
            .FirstOrDefault(t => t is not null);
        // Recipients to choose from by area, age, purpose and languages, whatever the topics: the matching page narrows by topics.
        var matched = await CaseViews.MatchAsync(api, Case, explainExclusions: false, topics: [], time, cancellationToken);
        Suggestions = matched?.Value?.Matches ?? [];
        Problem ??= texts.Problem ?? matched?.Problem;
    }
}
