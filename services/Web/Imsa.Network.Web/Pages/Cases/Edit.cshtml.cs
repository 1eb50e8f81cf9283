using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Cases;

/// <summary>An entry of one of the case's lists; <see cref="Remove"/> ticked, or every field left empty, leaves it out.</summary>
internal abstract class CaseFormRow
{
    public bool Remove { get; set; }

    public abstract bool IsBlank { get; }

    public bool Kept => !Remove && !IsBlank;

    protected static bool Empty(params object?[] values) => values.All(value => value is null || value is string text && string.IsNullOrWhiteSpace(text));
}

internal sealed class FamilyMemberRow : CaseFormRow
{
    public string? Relationship { get; set; }

    public int? BirthYear { get; set; }

    public string? Arrival { get; set; }

    public override bool IsBlank => Empty(Relationship, BirthYear, Arrival);
}

internal sealed class QualificationRow : CaseFormRow
{
    public string? Title { get; set; }

    public string? Country { get; set; }

    public string? ReferenceOccupation { get; set; }

    /// <summary>"true", "false" or empty (not known).</summary>
    public string? Regulated { get; set; }

    public string? RecognitionStatus { get; set; }

    public string? Authority { get; set; }

    public DateOnly? DecidedOn { get; set; }

    public string? CompensationMeasure { get; set; }

    public bool RecognitionIsBlank => Empty(RecognitionStatus, Authority, DecidedOn, CompensationMeasure);

    public override bool IsBlank => Empty(Title, Country, ReferenceOccupation, Regulated) && RecognitionIsBlank;
}

internal sealed class PriorServiceRow : CaseFormRow
{
    public string? Provider { get; set; }

    public string? Topic { get; set; }

    public string? Description { get; set; }

    public DateOnly? CompletedOn { get; set; }

    public override bool IsBlank => Empty(Provider, Topic, Description, CompletedOn);
}

internal sealed class OpenTaskRow : CaseFormRow
{
    public string? Topic { get; set; }

    public string? Title { get; set; }

    public DateOnly? DueOn { get; set; }

    public bool Done { get; set; }

    public override bool IsBlank => Empty(Topic, Title, DueOn) && !Done;
}

internal sealed class RiskFlagRow : CaseFormRow
{
    public string? Code { get; set; }

    public string? Note { get; set; }

    public override bool IsBlank => Empty(Code, Note);
}

/// <summary>
/// The whole case as a form, category by category; lists carry the stored entries and one empty entry to fill in
/// (more on request, <see cref="Add"/>). <see cref="UpdatedAt"/> is the case's version when the form was drawn.
/// </summary>
internal sealed class CaseEditForm
{
    public string? GivenNames { get; set; }

    public string? FamilyName { get; set; }

    public DateOnly? DateOfBirth { get; set; }

    public string? Nationalities { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    public string? Messenger { get; set; }

    public string? AddressAbroad { get; set; }

    public string? PreferredLanguage { get; set; }

    public string? PreferredCounsellorGender { get; set; }

    public string? Purpose { get; set; }

    public string? VisaStatus { get; set; }

    public DateOnly? VisaAppliedOn { get; set; }

    public DateOnly? VisaDecidedOn { get; set; }

    public DateOnly? VisaValidUntil { get; set; }

    public DateOnly? PlannedArrival { get; set; }

    public string? PostalCode { get; set; }

    public List<FamilyMemberRow> FamilyMembers { get; set; } = [];

    public string? GermanLevel { get; set; }

    public string? GermanCertificate { get; set; }

    public string? LanguagesSpoken { get; set; }

    public List<QualificationRow> Qualifications { get; set; } = [];

    public List<PriorServiceRow> PriorServices { get; set; } = [];

    public List<OpenTaskRow> OpenTasks { get; set; } = [];

    public List<RiskFlagRow> RiskFlags { get; set; } = [];

    public string? UpdatedAt { get; set; }

    public string IdempotencyKey { get; set; } = "";

    /// <summary>The list a "one more entry" button asked to grow (the form is drawn again, nothing is saved).</summary>
    public string? Add { get; set; }
}

/// <summary>
/// Edits every data category of a case (Counselling's PUT /cases/{id}, which replaces the whole content). The page
/// compares the case's last change with the one the form was drawn from and refuses a stale form rather than overwrite
/// someone else's change; the PUT carries the ETag of that comparison's read as If-Match, so a change landing in
/// between is refused by Counselling (412) too.
/// </summary>
internal sealed partial class EditModel(NetworkApi api) : PageModel
{
    /// <summary>The lists of the form and their JSON paths at Counselling.</summary>
    public const string FamilyMembersPath = "migrationPlan.familyMembers";

    public const string QualificationsPath = "languageAndQualifications.qualifications";

    public const string PriorServicesPath = "needsAndOpenTasks.priorServices";

    public const string OpenTasksPath = "needsAndOpenTasks.openTasks";

    public const string RiskFlagsPath = "specialCategories.riskFlags";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [BindProperty]
    public CaseEditForm Form { get; set; } = new();

    public Guid CaseId { get; private set; }

    public string? Status { get; private set; }

    public ApiProblem? Problem { get; private set; }

    /// <summary>The case changed after the form was drawn: nothing was saved.</summary>
    public bool Stale { get; private set; }

    /// <summary>The fields Counselling refused, as the form's paths (list entries numbered as the form numbers them).</summary>
    public HashSet<string> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);

    public async Task OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        CaseId = id;
        var read = await CaseViews.ReadCaseAsync(api, id, cancellationToken);
        Problem = read.Problem;
        if (read.Value is { } found)
        {
            Status = found.Status;
            Form = FormOf(found);
            Form.IdempotencyKey = NetworkApi.NewIdempotencyKey();
            AddBlankRows();
        }
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        CaseId = id;
        Status = "open";
        if (Form.Add is { } list)
        {
            Grow(list);
            return Page();
        }

        // The case as it is now: changed since the form was drawn, the form is refused and shown again with the entries.
        var current = await CaseViews.ReadCaseAsync(api, id, cancellationToken);
        if (current.Value is not { } found)
        {
            Problem = current.Problem ?? ApiProblem.Unreachable;
            return Page();
        }

        Status = found.Status;
        if (!SameVersion(Form.UpdatedAt, found.UpdatedAt))
        {
            // Already as the form says (a second click on Save, whose first click changed the case): saved.
            if (SameContent(Form, FormOf(found)))
            {
                return RedirectToPage("/Cases/Case", new { id, saved = "true" });
            }

            Stale = true;
            Form.UpdatedAt = Stamp(found.UpdatedAt);
            return Page();
        }

        var (content, origins) = Content(Form);
        var saved = await api.SendAsync<CaseView>(
            NetworkApi.Counselling, HttpMethod.Put, $"cases/{id}", content, Form.IdempotencyKey, cancellationToken, ifMatch: current.ETag);
        if (saved.Succeeded)
        {
            return RedirectToPage("/Cases/Case", new { id, saved = "true" });
        }

        if (saved.Problem is { Status: StatusCodes.Status412PreconditionFailed })
        {
            Stale = true;
            return Page();
        }

        Problem = saved.Problem ?? ApiProblem.Unreachable;
        foreach (var field in Problem.Fields)
        {
            Refused.Add(FormPath(field, origins));
        }

        return Page();
    }

    /// <summary>Whether Counselling refused the field at this JSON path (list entries numbered as in the form).</summary>
    public bool IsRefused(string path) => Refused.Contains(path);

    public static string Stamp(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    private static bool SameVersion(string? stamp, DateTimeOffset current) =>
        DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var drawn) && drawn.UtcTicks == current.UtcTicks;

    private static bool SameContent(CaseEditForm entered, CaseEditForm stored) =>
        JsonSerializer.Serialize(Content(entered).Content, Json) == JsonSerializer.Serialize(Content(stored).Content, Json);

    private void AddBlankRows()
    {
        Form.FamilyMembers.Add(new());
        Form.Qualifications.Add(new());
        Form.PriorServices.Add(new());
        Form.OpenTasks.Add(new());
        Form.RiskFlags.Add(new());
    }

    private void Grow(string list)
    {
        switch (list)
        {
            case FamilyMembersPath: Form.FamilyMembers.Add(new()); break;
            case QualificationsPath: Form.Qualifications.Add(new()); break;
            case PriorServicesPath: Form.PriorServices.Add(new()); break;
            case OpenTasksPath: Form.OpenTasks.Add(new()); break;
            case RiskFlagsPath: Form.RiskFlags.Add(new()); break;
        }
    }

    private static CaseEditForm FormOf(CaseView c) => new()
    {
        GivenNames = c.Identity.GivenNames,
        FamilyName = c.Identity.FamilyName,
        DateOfBirth = c.Identity.DateOfBirth,
        Nationalities = string.Join(", ", c.Identity.Nationalities ?? []),
        Email = c.Contact?.Email,
        Phone = c.Contact?.Phone,
        Messenger = c.Contact?.Messenger,
        AddressAbroad = c.Contact?.AddressAbroad,
        PreferredLanguage = c.Contact?.PreferredLanguage,
        PreferredCounsellorGender = c.Contact?.PreferredCounsellorGender,
        Purpose = c.MigrationPlan.Purpose,
        VisaStatus = c.MigrationPlan.Visa?.Status,
        VisaAppliedOn = c.MigrationPlan.Visa?.AppliedOn,
        VisaDecidedOn = c.MigrationPlan.Visa?.DecidedOn,
        VisaValidUntil = c.MigrationPlan.Visa?.ValidUntil,
        PlannedArrival = c.MigrationPlan.PlannedArrival,
        PostalCode = c.MigrationPlan.DestinationPostalCode,
        FamilyMembers = [.. (c.MigrationPlan.FamilyMembers ?? []).Select(m => new FamilyMemberRow { Relationship = m.Relationship, BirthYear = m.BirthYear, Arrival = m.Arrival })],
        GermanLevel = c.LanguageAndQualifications?.GermanLevel,
        GermanCertificate = c.LanguageAndQualifications?.GermanCertificate,
        LanguagesSpoken = string.Join(", ", c.LanguageAndQualifications?.LanguagesSpoken ?? []),
        Qualifications = [.. (c.LanguageAndQualifications?.Qualifications ?? []).Select(q => new QualificationRow
        {
            Title = q.Title,
            Country = q.Country,
            ReferenceOccupation = q.ReferenceOccupation,
            Regulated = q.Regulated is { } regulated ? (regulated ? "true" : "false") : null,
            RecognitionStatus = q.Recognition?.Status,
            Authority = q.Recognition?.Authority,
            DecidedOn = q.Recognition?.DecidedOn,
            CompensationMeasure = q.Recognition?.CompensationMeasure,
        })],
        PriorServices = [.. (c.NeedsAndOpenTasks?.PriorServices ?? []).Select(s => new PriorServiceRow { Provider = s.Provider, Topic = s.Topic, Description = s.Description, CompletedOn = s.CompletedOn })],
        OpenTasks = [.. (c.NeedsAndOpenTasks?.OpenTasks ?? []).Select(t => new OpenTaskRow { Topic = t.Topic, Title = t.Title, DueOn = t.DueOn, Done = t.Done })],
        RiskFlags = [.. (c.SpecialCategories?.RiskFlags ?? []).Select(f => new RiskFlagRow { Code = f.Code, Note = f.Note })],
        UpdatedAt = Stamp(c.UpdatedAt),
    };

    /// <summary>
    /// The request's body, and for each list the form's number of every entry sent (empty and removed entries are not
    /// sent, so Counselling's "[1]" may be the form's third entry).
    /// </summary>
    private static (object Content, Dictionary<string, int[]> Origins) Content(CaseEditForm f)
    {
        var origins = new Dictionary<string, int[]>(StringComparer.OrdinalIgnoreCase);

        List<TOut>? Kept<TRow, TOut>(string path, List<TRow> rows, Func<TRow, TOut> map)
            where TRow : CaseFormRow
        {
            var kept = rows.Select((row, index) => (row, index)).Where(entry => entry.row.Kept).ToList();
            origins[path] = [.. kept.Select(entry => entry.index)];
            return kept.Count == 0 ? null : [.. kept.Select(entry => map(entry.row))];
        }

        var familyMembers = Kept(FamilyMembersPath, f.FamilyMembers, m => new FamilyMember(Blank(m.Relationship), m.BirthYear, Blank(m.Arrival)));
        var qualifications = Kept(QualificationsPath, f.Qualifications, q => new Qualification(
            Blank(q.Title),
            Blank(q.Country)?.ToUpperInvariant(),
            Blank(q.ReferenceOccupation),
            q.Regulated switch { "true" => true, "false" => false, _ => null },
            q.RecognitionIsBlank ? null : new Recognition(Blank(q.RecognitionStatus), Blank(q.Authority), q.DecidedOn, Blank(q.CompensationMeasure))));
        var priorServices = Kept(PriorServicesPath, f.PriorServices, s => new PriorService(Blank(s.Provider), Blank(s.Topic), Blank(s.Description), s.CompletedOn));
        var openTasks = Kept(OpenTasksPath, f.OpenTasks, t => new OpenTask(Blank(t.Topic), Blank(t.Title), t.DueOn, t.Done));
        var riskFlags = Kept(RiskFlagsPath, f.RiskFlags, r => new RiskFlag(Blank(r.Code), Blank(r.Note)));

        var contact = new ContactDetails(
            Blank(f.Email), Blank(f.Phone), Blank(f.Messenger), Blank(f.AddressAbroad), Blank(f.PreferredLanguage)?.ToLowerInvariant(), Blank(f.PreferredCounsellorGender));
        var visa = new VisaDetails(Blank(f.VisaStatus), f.VisaAppliedOn, f.VisaDecidedOn, f.VisaValidUntil);
        var languages = new LanguageAndQualifications(Blank(f.GermanLevel), Blank(f.GermanCertificate), Codes(f.LanguagesSpoken, upper: false), qualifications);
        var content = new
        {
            identity = new PersonIdentity(Blank(f.GivenNames), Blank(f.FamilyName), f.DateOfBirth, Codes(f.Nationalities, upper: true)),
            contact = contact == new ContactDetails(null, null, null, null, null, null) ? null : contact,
            migrationPlan = new MigrationPlan(
                Blank(f.Purpose),
                visa == new VisaDetails(null, null, null, null) ? null : visa,
                f.PlannedArrival,
                Blank(f.PostalCode),
                familyMembers),
            languageAndQualifications = languages is { GermanLevel: null, GermanCertificate: null, LanguagesSpoken: null, Qualifications: null } ? null : languages,
            needsAndOpenTasks = priorServices is null && openTasks is null ? null : new NeedsAndOpenTasks(priorServices, openTasks),
            specialCategories = riskFlags is null ? null : new SpecialCategories(riskFlags),
        };
        return (content, origins);
    }

    /// <summary>Counselling's field path with the entry numbered as in the form ("…familyMembers[0]…" may be the form's second).</summary>
    private static string FormPath(string apiPath, Dictionary<string, int[]> origins)
    {
        var match = ListEntry().Match(apiPath);
        if (match.Success && origins.TryGetValue(match.Groups["list"].Value, out var sent)
            && int.TryParse(match.Groups["index"].Value, CultureInfo.InvariantCulture, out var index) && index < sent.Length)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{match.Groups["list"].Value}[{sent[index]}]{apiPath[match.Length..]}");
        }

        // A missing plan is a missing purpose.
        return apiPath.Equals("migrationPlan", StringComparison.OrdinalIgnoreCase) ? "migrationPlan.purpose" : apiPath;
    }

    [GeneratedRegex(@"^(?<list>[A-Za-z.]+)\[(?<index>\d+)\]")]
    private static partial Regex ListEntry();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string[]? Codes(string? list, bool upper)
    {
        var codes = (list ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(code => upper ? code.ToUpperInvariant() : code.ToLowerInvariant()).ToArray();
        return codes.Length == 0 ? null : codes;
    }
}
