using System.Globalization;
using System.Text.Json.Nodes;
using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace Imsa.Network.Web.Pages.Organisation;

internal sealed record AddressView(string Street, string PostalCode, string City, string Country);

internal sealed record ContactView(string Role, string? Email, string? Phone);

internal sealed record AreaView(IReadOnlyList<string> States, IReadOnlyList<string> Districts, IReadOnlyList<string> PostalCodes);

internal sealed record EligibilityView(int? MinAge, int? MaxAge, IReadOnlyList<string> Purposes, IReadOnlyList<string> ResidenceSituations);

/// <summary>The capacity is kept as Partners sent it: the capacity page changes it, this page sends it back untouched.</summary>
internal sealed record ReceivingView(IReadOnlyList<string> ServiceTypes, AreaView Area, EligibilityView Eligibility, JsonObject? Capacity);

internal sealed record ProfileView(AddressView? Address, IReadOnlyList<ContactView> Contacts, IReadOnlyList<string> Languages, IReadOnlyList<string> Topics, ReceivingView? Receiving);

internal sealed record OrganisationView(Guid Id, string Name, string Country, string Kind, string Status, ProfileView Profile, string? ContactEmail);

/// <summary>A code of Partners' reference data with its German and English labels (GET /reference/…).</summary>
internal sealed record ReferenceItem(string Code, string? German, string? English);

/// <summary>One contact row of the form: a role (a function, not a private person) with an e-mail address or a phone number.</summary>
internal sealed class ContactForm
{
    public string? Role { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    public bool IsEmpty => string.IsNullOrWhiteSpace(Role) && string.IsNullOrWhiteSpace(Email) && string.IsNullOrWhiteSpace(Phone);
}

/// <summary>
/// The organisation's profile, read and replaced as a whole (<c>PUT /organisations/{id}/profile</c>): address,
/// contacts, languages and topics; for a receiving service also its service types, service area and eligibility
/// (its capacity goes back as it was: the capacity page changes it). The contact address for credentials has an
/// endpoint of its own (<c>PUT …/contact-email</c>), called when it changed. Choices come from Partners' reference data.
/// </summary>
internal sealed class ProfileModel(NetworkApi api) : OrganisationPage(api)
{
    public OrganisationView? Organisation { get; private set; }

    public bool Saved { get; private set; }

    public bool IsReceiving => Organisation?.Kind == "receiving-service";

    public IReadOnlyList<string> LanguageChoices { get; private set; } = [];

    public IReadOnlyList<string> TopicChoices { get; private set; } = [];

    public IReadOnlyList<string> ServiceTypeChoices { get; private set; } = [];

    public IReadOnlyList<ReferenceItem> StateChoices { get; private set; } = [];

    public IReadOnlyList<string> PurposeChoices { get; private set; } = [];

    public IReadOnlyList<string> SituationChoices { get; private set; } = [];

    [BindProperty]
    public string IdempotencyKey { get; set; } = "";

    [BindProperty]
    public string? ContactEmail { get; set; }

    [BindProperty]
    public string? Street { get; set; }

    [BindProperty]
    public string? PostalCode { get; set; }

    [BindProperty]
    public string? City { get; set; }

    [BindProperty]
    public string? Country { get; set; }

    [BindProperty]
    public List<ContactForm> Contacts { get; set; } = [];

    [BindProperty]
    public List<string> Languages { get; set; } = [];

    [BindProperty]
    public List<string> Topics { get; set; } = [];

    [BindProperty]
    public List<string> ServiceTypes { get; set; } = [];

    [BindProperty]
    public List<string> States { get; set; } = [];

    [BindProperty]
    public string? Districts { get; set; }

    [BindProperty]
    public string? PostalCodes { get; set; }

    [BindProperty]
    public int? MinAge { get; set; }

    [BindProperty]
    public int? MaxAge { get; set; }

    [BindProperty]
    public List<string> Purposes { get; set; } = [];

    [BindProperty]
    public List<string> ResidenceSituations { get; set; } = [];

    public async Task OnGetAsync(bool saved, CancellationToken cancellationToken)
    {
        Saved = saved;
        IdempotencyKey = NetworkApi.NewIdempotencyKey();
        if (await LoadAsync(cancellationToken) is { } organisation)
        {
            Fill(organisation);
        }

        Contacts.Add(new ContactForm());
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Contacts = [.. Contacts.Where(contact => !contact.IsEmpty)];
        var current = await LoadAsync(cancellationToken);
        if (current is not null)
        {
            var saved = await SendAsync<object>(HttpMethod.Put, Own("profile"), ProfileRequest(current), IdempotencyKey, cancellationToken);
            Problem = saved.Problem;
            if (saved.Succeeded && !string.Equals(ContactEmail?.Trim() ?? "", current.ContactEmail ?? "", StringComparison.Ordinal))
            {
                Problem = (await SendAsync<object>(HttpMethod.Put, Own("contact-email"), new { contactEmail = ContactEmail?.Trim() }, idempotencyKey: null, cancellationToken)).Problem;
            }

            if (Problem is null)
            {
                return RedirectToPage(new { saved = true });
            }
        }

        if (!ReferenceEquals(Problem, ApiProblem.Unreachable))
        {
            IdempotencyKey = NetworkApi.NewIdempotencyKey();
        }

        Contacts.Add(new ContactForm());
        return Page();
    }

    /// <summary>The whole profile as the form has it; the capacity as Partners has it.</summary>
    private object ProfileRequest(OrganisationView current)
    {
        var address = new[] { Street, PostalCode, City, Country }.All(string.IsNullOrWhiteSpace)
            ? null
            : new { street = Street?.Trim(), postalCode = PostalCode?.Trim(), city = City?.Trim(), country = Country?.Trim().ToUpperInvariant() };
        var contacts = Contacts.Select(contact => new { role = contact.Role?.Trim(), email = Blank(contact.Email), phone = Blank(contact.Phone) }).ToList();
        var receiving = !IsReceiving ? null : new
        {
            serviceTypes = ServiceTypes,
            area = new { states = States, districts = Split(Districts), postalCodes = Split(PostalCodes) },
            eligibility = new { minAge = MinAge, maxAge = MaxAge, purposes = Purposes, residenceSituations = ResidenceSituations },
            capacity = current.Profile.Receiving?.Capacity,
        };
        return new { address, contacts, languages = Languages, topics = Topics, receiving };
    }

    private void Fill(OrganisationView organisation)
    {
        var profile = organisation.Profile;
        ContactEmail = organisation.ContactEmail;
        (Street, PostalCode, City, Country) = (profile.Address?.Street, profile.Address?.PostalCode, profile.Address?.City, profile.Address?.Country);
        Contacts = [.. profile.Contacts.Select(contact => new ContactForm { Role = contact.Role, Email = contact.Email, Phone = contact.Phone })];
        Languages = [.. profile.Languages];
        Topics = [.. profile.Topics];
        if (profile.Receiving is { } receiving)
        {
            ServiceTypes = [.. receiving.ServiceTypes];
            States = [.. receiving.Area.States];
            Districts = string.Join(", ", receiving.Area.Districts);
            PostalCodes = string.Join(", ", receiving.Area.PostalCodes);
            (MinAge, MaxAge) = (receiving.Eligibility.MinAge, receiving.Eligibility.MaxAge);
            Purposes = [.. receiving.Eligibility.Purposes];
            ResidenceSituations = [.. receiving.Eligibility.ResidenceSituations];
        }
    }

    private async Task<OrganisationView?> LoadAsync(CancellationToken cancellationToken)
    {
        var organisation = await GetAsync<OrganisationView>(Own(""), cancellationToken);
        Problem = organisation.Problem;
        Organisation = organisation.Value;
        LanguageChoices = await CodesAsync("reference/languages", cancellationToken);
        TopicChoices = (await ItemsAsync("reference/topics", cancellationToken)).Select(item => item.Code).ToList();
        if (IsReceiving)
        {
            ServiceTypeChoices = (await ItemsAsync("reference/service-types", cancellationToken)).Select(item => item.Code).ToList();
            StateChoices = await ItemsAsync("reference/german-states", cancellationToken);
            PurposeChoices = (await ItemsAsync("reference/migration-purposes", cancellationToken)).Select(item => item.Code).ToList();
            SituationChoices = (await ItemsAsync("reference/residence-situations", cancellationToken)).Select(item => item.Code).ToList();
        }

        return Organisation;
    }

    private async Task<IReadOnlyList<string>> CodesAsync(string path, CancellationToken cancellationToken)
    {
        var codes = await GetAsync<List<string>>(path, cancellationToken);
        Problem ??= codes.Problem;
        return codes.Value ?? [];
    }

    private async Task<IReadOnlyList<ReferenceItem>> ItemsAsync(string path, CancellationToken cancellationToken)
    {
        var items = await GetAsync<List<ReferenceItem>>(path, cancellationToken);
        Problem ??= items.Problem;
        return items.Value ?? [];
    }

    /// <summary>A language by its own name ("العربية"), as the people who speak it know it; the code where none is known.</summary>
    public static string LanguageName(string code)
    {
        try
        {
            var name = CultureInfo.GetCultureInfo(code).NativeName;
            return string.IsNullOrEmpty(name) || string.Equals(name, code, StringComparison.OrdinalIgnoreCase) ? code : name;
        }
        catch (CultureNotFoundException)
        {
            return code;
        }
    }

    /// <summary>A state's name in German for German, else in English (Partners names them in both).</summary>
    public static string StateName(ReferenceItem state) =>
        (CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "de" ? state.German : state.English) ?? state.Code;

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static List<string> Split(string? list) =>
        [.. (list ?? "").Split([',', ' ', ';', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)];
}
