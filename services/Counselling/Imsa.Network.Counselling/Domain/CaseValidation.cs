using System.Collections.Frozen;
using System.Globalization;
using Imsa.Network.Reference;
using Imsa.Network.Reference.Geography;

namespace Imsa.Network.Counselling.Domain;

/// <summary>The whole content of a case, by data category; it replaces the previous content on update.</summary>
/// <param name="Identity">Required: given names, family name, date of birth, nationalities.</param>
/// <param name="MigrationPlan">Required: at least the purpose.</param>
public sealed record CaseContent(
    PersonIdentity? Identity,
    ContactDetails? Contact,
    MigrationPlan? MigrationPlan,
    LanguageAndQualifications? LanguageAndQualifications,
    NeedsAndOpenTasks? NeedsAndOpenTasks,
    SpecialCategories? SpecialCategories);

/// <summary>
/// Checks a case's content and names every field that is wrong (JSON paths as the API spells them), so one 422
/// tells the caller everything to fix.
/// </summary>
internal sealed class CaseValidation(DateOnly today, GermanGeography geography)
{
    private const int ShortText = 200;
    private const int LongText = 2_000;
    private const int MaxItems = 50;

    private static readonly HashSet<string> CounsellorGenders = ["any", "female", "male"];
    private static readonly HashSet<string> VisaStatuses = ["none", "planned", "applied", "granted", "refused"];
    private static readonly HashSet<string> Relationships = ["spouse", "child", "parent", "sibling", "other"];
    private static readonly HashSet<string> Arrivals = ["together", "later"];
    private static readonly HashSet<string> RecognitionStatuses = ["not-started", "applied", "full", "partial", "rejected"];
    private static readonly HashSet<string> RiskFlagCodes = ["exploitation", "psychosocial", "vulnerability", "health", "other"];

    public static readonly HashSet<string> SessionFormats = ["in-person", "phone", "video", "group", "messenger"];

    public Dictionary<string, string[]> Errors { get; } = [];

    public void Check(CaseContent? content)
    {
        if (content is null)
        {
            Add("", "A case body is required.");
            return;
        }

        CheckIdentity(content.Identity);
        CheckContact(content.Contact);
        CheckPlan(content.MigrationPlan);
        CheckLanguages(content.LanguageAndQualifications);
        CheckNeeds(content.NeedsAndOpenTasks);
        CheckSpecial(content.SpecialCategories);
    }

    public void CheckSession(SessionContent? session)
    {
        if (session is null)
        {
            Add("", "A session body is required.");
            return;
        }

        if (session.HeldOn is not { } heldOn)
        {
            Add("heldOn", "The day of the session is required.");
        }
        else if (heldOn > today)
        {
            Add("heldOn", "A session cannot be recorded before it is held.");
        }

        Code("format", session.Format, SessionFormats, required: true);
        Codes("topics", session.Topics, Topics.Codes);
        Text("notes", session.Notes, 10_000);
    }

    private void CheckIdentity(PersonIdentity? identity)
    {
        if (identity is null)
        {
            Add("identity", "The person's identity is required.");
            return;
        }

        Text("identity.givenNames", identity.GivenNames, ShortText, required: true);
        Text("identity.familyName", identity.FamilyName, ShortText, required: true);
        if (identity.DateOfBirth is not { } born)
        {
            Add("identity.dateOfBirth", "The date of birth is required: it decides which services may take the case.");
        }
        else if (born > today)
        {
            Add("identity.dateOfBirth", "The date of birth lies in the future.");
        }
        else if (born.Year < today.Year - 120)
        {
            Add("identity.dateOfBirth", "The date of birth is more than 120 years ago.");
        }

        if (identity.Nationalities is not { Count: > 0 })
        {
            Add("identity.nationalities", "At least one nationality (ISO 3166-1 alpha-2 code) is required.");
        }
        else
        {
            Codes("identity.nationalities", identity.Nationalities, Countries.Codes);
        }
    }

    private void CheckContact(ContactDetails? contact)
    {
        if (contact is null)
        {
            return;
        }

        Text("contact.email", contact.Email, ShortText);
        if (contact.Email is { Length: > 0 } email && (!email.Contains('@', StringComparison.Ordinal) || email.Contains(' ', StringComparison.Ordinal)))
        {
            Add("contact.email", "Not an e-mail address.");
        }

        Text("contact.phone", contact.Phone, 40);
        Text("contact.messenger", contact.Messenger, ShortText);
        Text("contact.addressAbroad", contact.AddressAbroad, 500);
        Code("contact.preferredLanguage", contact.PreferredLanguage, Languages.Codes);
        Code("contact.preferredCounsellorGender", contact.PreferredCounsellorGender, CounsellorGenders);
    }

    private void CheckPlan(MigrationPlan? plan)
    {
        if (plan is null)
        {
            Add("migrationPlan", "The migration plan is required: at least its purpose.");
            return;
        }

        Code("migrationPlan.purpose", plan.Purpose, MigrationPurposes.Codes, required: true);
        if (plan.Visa is { } visa)
        {
            Code("migrationPlan.visa.status", visa.Status, VisaStatuses, required: true);
            if (visa.AppliedOn > today)
            {
                Add("migrationPlan.visa.appliedOn", "An application date cannot lie in the future.");
            }

            if (visa.DecidedOn is { } decided && (decided > today || decided < visa.AppliedOn))
            {
                Add("migrationPlan.visa.decidedOn", "A decision date lies between the application and today.");
            }

            if (visa.ValidUntil is not null && visa.Status != "granted")
            {
                Add("migrationPlan.visa.validUntil", "Only a granted visa has an end of validity.");
            }
        }

        if (plan.PlannedArrival is { } arrival && (arrival < today.AddYears(-2) || arrival > today.AddYears(10)))
        {
            Add("migrationPlan.plannedArrival", "The planned arrival must lie between two years ago and ten years ahead.");
        }

        if (plan.DestinationPostalCode is not null && !geography.IsPostalCode(plan.DestinationPostalCode))
        {
            Add("migrationPlan.destinationPostalCode", "Not a German postal code.");
        }

        Items("migrationPlan.familyMembers", plan.FamilyMembers, (path, member) =>
        {
            Code($"{path}.relationship", member.Relationship, Relationships, required: true);
            Code($"{path}.arrival", member.Arrival, Arrivals, required: true);
            if (member.BirthYear is { } year && (year > today.Year || year < today.Year - 120))
            {
                Add($"{path}.birthYear", "Not a plausible year of birth.");
            }
        });
    }

    private void CheckLanguages(LanguageAndQualifications? languages)
    {
        if (languages is null)
        {
            return;
        }

        Code("languageAndQualifications.germanLevel", languages.GermanLevel, CefrLevels.Codes);
        Text("languageAndQualifications.germanCertificate", languages.GermanCertificate, ShortText);
        Codes("languageAndQualifications.languagesSpoken", languages.LanguagesSpoken, Languages.Codes);
        Items("languageAndQualifications.qualifications", languages.Qualifications, (path, q) =>
        {
            Text($"{path}.title", q.Title, ShortText, required: true);
            Code($"{path}.country", q.Country, Countries.Codes);
            Text($"{path}.referenceOccupation", q.ReferenceOccupation, ShortText);
            if (q.Recognition is { } recognition)
            {
                Code($"{path}.recognition.status", recognition.Status, RecognitionStatuses, required: true);
                Text($"{path}.recognition.authority", recognition.Authority, ShortText);
                Text($"{path}.recognition.compensationMeasure", recognition.CompensationMeasure, LongText);
                if (recognition.DecidedOn > today)
                {
                    Add($"{path}.recognition.decidedOn", "A decision date cannot lie in the future.");
                }
            }
        });
    }

    private void CheckNeeds(NeedsAndOpenTasks? needs)
    {
        if (needs is null)
        {
            return;
        }

        Items("needsAndOpenTasks.priorServices", needs.PriorServices, (path, s) =>
        {
            Text($"{path}.provider", s.Provider, ShortText, required: true);
            Code($"{path}.topic", s.Topic, Topics.Codes);
            Text($"{path}.description", s.Description, LongText);
            if (s.CompletedOn > today)
            {
                Add($"{path}.completedOn", "A service cannot be completed in the future.");
            }
        });
        Items("needsAndOpenTasks.openTasks", needs.OpenTasks, (path, t) =>
        {
            Code($"{path}.topic", t.Topic, Topics.Codes, required: true);
            Text($"{path}.title", t.Title, ShortText);
        });
    }

    private void CheckSpecial(SpecialCategories? special)
    {
        if (special is null)
        {
            return;
        }

        Items("specialCategories.riskFlags", special.RiskFlags, (path, flag) =>
        {
            Code($"{path}.code", flag.Code, RiskFlagCodes, required: true);
            Text($"{path}.note", flag.Note, LongText);
        });
    }

    private void Items<T>(string path, IReadOnlyList<T?>? items, Action<string, T> check)
        where T : class
    {
        if (items is null)
        {
            return;
        }

        if (items.Count > MaxItems)
        {
            Add(path, $"At most {MaxItems} entries.");
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]");
            if (items[i] is { } item)
            {
                check(itemPath, item);
            }
            else
            {
                Add(itemPath, "An entry cannot be null.");
            }
        }
    }

    private void Text(string path, string? value, int maxLength, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(path, "Required.");
            }
        }
        else if (value.Length > maxLength)
        {
            Add(path, $"At most {maxLength} characters.");
        }
    }

    private void Code(string path, string? value, IReadOnlySet<string> codes, bool required = false)
    {
        if (value is null)
        {
            if (required)
            {
                Add(path, $"Required: one of {Describe(codes)}.");
            }
        }
        else if (!codes.Contains(value))
        {
            Add(path, $"Unknown code; expected one of {Describe(codes)}.");
        }
    }

    private void Codes(string path, IReadOnlyList<string>? values, FrozenSet<string> codes)
    {
        if (values is null)
        {
            return;
        }

        if (values.Count > MaxItems)
        {
            Add(path, $"At most {MaxItems} codes.");
        }
        else if (values.Where(v => v is null || !codes.Contains(v)).ToList() is { Count: > 0 } unknown)
        {
            Add(path, $"Unknown codes: {string.Join(", ", unknown.Select(u => u ?? "null"))}.");
        }
        else if (values.Distinct(StringComparer.Ordinal).Count() != values.Count)
        {
            Add(path, "A code is listed twice.");
        }
    }

    private static string Describe(IReadOnlySet<string> codes) =>
        codes.Count <= 10 ? string.Join(", ", codes) : "the reference codes (GET /reference/...)";

    public void Add(string path, string message) =>
        Errors[path] = Errors.TryGetValue(path, out var existing) ? [.. existing, message] : [message];
}
