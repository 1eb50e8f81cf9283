using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Cases;

/// <summary>The form's fields, flat: each one is sent to the API under its own JSON path (<see cref="NewModel.Fields"/>).</summary>
internal sealed class CaseForm
{
    public string? GivenNames { get; set; }

    public string? FamilyName { get; set; }

    public DateOnly? DateOfBirth { get; set; }

    public string? Nationalities { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    public string? PreferredLanguage { get; set; }

    public string? Purpose { get; set; }

    public DateOnly? PlannedArrival { get; set; }

    public string? PostalCode { get; set; }

    public string? GermanLevel { get; set; }

    public string? LanguagesSpoken { get; set; }

    public string IdempotencyKey { get; set; } = "";

    /// <summary>"edit": the counsellor goes on to the case's other categories (the edit page) once it is open.</summary>
    public string? Next { get; set; }
}

/// <summary>
/// Opens a case with the categories Counselling requires (identity, migration plan) and the most used ones (contact,
/// German level and languages); Counselling checks it all and names each wrong field, shown next to it. The other
/// categories are on the edit page, where a second button leads straight after opening.
/// </summary>
internal sealed class NewModel(NetworkApi api) : PageModel
{
    /// <summary>The API's JSON path of each form field, to put a refusal next to the field it names.</summary>
    public static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["identity.givenNames"] = nameof(CaseForm.GivenNames),
        ["identity.familyName"] = nameof(CaseForm.FamilyName),
        ["identity.dateOfBirth"] = nameof(CaseForm.DateOfBirth),
        ["identity.nationalities"] = nameof(CaseForm.Nationalities),
        ["contact.email"] = nameof(CaseForm.Email),
        ["contact.phone"] = nameof(CaseForm.Phone),
        ["contact.preferredLanguage"] = nameof(CaseForm.PreferredLanguage),
        ["migrationPlan"] = nameof(CaseForm.Purpose),
        ["migrationPlan.purpose"] = nameof(CaseForm.Purpose),
        ["migrationPlan.plannedArrival"] = nameof(CaseForm.PlannedArrival),
        ["migrationPlan.destinationPostalCode"] = nameof(CaseForm.PostalCode),
        ["languageAndQualifications.germanLevel"] = nameof(CaseForm.GermanLevel),
        ["languageAndQualifications.languagesSpoken"] = nameof(CaseForm.LanguagesSpoken),
    };

    [BindProperty]
    public CaseForm Form { get; set; } = new();

    public ApiProblem? Problem { get; private set; }

    public void OnGet() => Form.IdempotencyKey = NetworkApi.NewIdempotencyKey();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var f = Form;
        var content = new
        {
            identity = new { givenNames = Blank(f.GivenNames), familyName = Blank(f.FamilyName), dateOfBirth = f.DateOfBirth, nationalities = Codes(f.Nationalities, upper: true) },
            contact = Blank(f.Email) is null && Blank(f.Phone) is null && Blank(f.PreferredLanguage) is null
                ? null
                : new { email = Blank(f.Email), phone = Blank(f.Phone), preferredLanguage = Blank(f.PreferredLanguage)?.ToLowerInvariant() },
            migrationPlan = new { purpose = Blank(f.Purpose), plannedArrival = f.PlannedArrival, destinationPostalCode = Blank(f.PostalCode) },
            languageAndQualifications = Blank(f.GermanLevel) is null && Codes(f.LanguagesSpoken, upper: false) is null
                ? null
                : new { germanLevel = Blank(f.GermanLevel)?.ToUpperInvariant(), languagesSpoken = Codes(f.LanguagesSpoken, upper: false) },
        };
        var opened = await api.SendAsync<CaseView>(NetworkApi.Counselling, HttpMethod.Post, "cases", content, f.IdempotencyKey, cancellationToken);
        if (opened.Value is { } created)
        {
            return f.Next == "edit" ? RedirectToPage("/Cases/Edit", new { id = created.Id }) : RedirectToPage("/Cases/Case", new { id = created.Id });
        }

        Problem = opened.Problem ?? ApiProblem.Unreachable;
        return Page();
    }

    /// <summary>The API's field names this refusal gives for a form field.</summary>
    public IEnumerable<string> Refused(string formField) =>
        Problem?.Fields.Where(field => Fields.TryGetValue(field, out var mapped) && mapped == formField) ?? [];

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string[]? Codes(string? list, bool upper)
    {
        var codes = (list ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(code => upper ? code.ToUpperInvariant() : code.ToLowerInvariant()).ToArray();
        return codes.Length == 0 ? null : codes;
    }
}
