using Imsa.Network.Web.Api;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Inbox;

/// <summary>
/// Counselling's dossier of an accepted handover's case: exactly the categories an active consent releases to the
/// receiver now. Every request of this page is a read that Counselling logs as a disclosure before it answers, so
/// the page says so; it is never cached (no-store, like every page).
/// </summary>
internal sealed class DossierModel(NetworkApi api) : PageModel
{
    public Guid HandoverId { get; private set; }

    public Dossier? Dossier { get; private set; }

    public ApiProblem? Problem { get; private set; }

    /// <summary>The handover's status when it no longer lets the service read the dossier (revoked, withdrawn, ...).</summary>
    public string? Ended { get; private set; }

    /// <summary>Counselling refused because no active consent names the service any more (withdrawn or expired).</summary>
    public bool NoConsent => Problem is { Status: StatusCodes.Status403Forbidden };

    // While the receiver holds the handover, Counselling may disclose (Handovers' "holding" statuses).
    private static readonly string[] Holding = ["accepted", "in-contact"];

    public async Task OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        HandoverId = id;
        // The case is found through the handover, so the address names the handover only.
        var handover = await api.GetAsync<Handover>(NetworkApi.Handovers, $"handovers/{id}", cancellationToken);
        if (handover.Value is not { } held)
        {
            Problem = handover.Problem ?? new ApiProblem(StatusCodes.Status404NotFound, []);
            return;
        }

        if (!Holding.Contains(held.Status))
        {
            // Not asked at all: the refusal would say less, and an attempt is no read worth logging.
            Ended = held.Status;
            return;
        }

        var read = await api.GetAsync<Dossier>(NetworkApi.Counselling, $"cases/{held.CaseId}/dossier", cancellationToken);
        Dossier = read.Value;
        Problem = read.Problem;
    }
}

internal sealed record Dossier(
    Guid DisclosureId,
    DateTimeOffset DisclosedAt,
    IReadOnlyList<string> Categories,
    DossierIdentity? Identity,
    DossierContact? Contact,
    DossierMigrationPlan? MigrationPlan,
    DossierLanguage? LanguageAndQualifications,
    IReadOnlyList<DossierSession>? CounsellingHistory,
    DossierNeeds? NeedsAndOpenTasks,
    DossierSpecial? SpecialCategories);

internal sealed record DossierIdentity(string? GivenNames, string? FamilyName, DateOnly? DateOfBirth, IReadOnlyList<string>? Nationalities);

internal sealed record DossierContact(
    string? Email, string? Phone, string? Messenger, string? AddressAbroad, string? PreferredLanguage, string? PreferredCounsellorGender);

internal sealed record DossierMigrationPlan(
    string? Purpose, DossierVisa? Visa, DateOnly? PlannedArrival, string? DestinationPostalCode, IReadOnlyList<DossierFamilyMember>? FamilyMembers);

internal sealed record DossierVisa(string? Status, DateOnly? AppliedOn, DateOnly? DecidedOn, DateOnly? ValidUntil);

internal sealed record DossierFamilyMember(string? Relationship, int? BirthYear, string? Arrival);

internal sealed record DossierLanguage(
    string? GermanLevel, string? GermanCertificate, IReadOnlyList<string>? LanguagesSpoken, IReadOnlyList<DossierQualification>? Qualifications);

internal sealed record DossierQualification(string? Title, string? Country, string? ReferenceOccupation, bool? Regulated);

internal sealed record DossierSession(DateOnly HeldOn, string Format, IReadOnlyList<string> Topics, string? Notes);

internal sealed record DossierNeeds(IReadOnlyList<DossierPriorService>? PriorServices, IReadOnlyList<DossierTask>? OpenTasks);

internal sealed record DossierPriorService(string? Provider, string? Topic, string? Description, DateOnly? CompletedOn);

internal sealed record DossierTask(string? Topic, string? Title, DateOnly? DueOn, bool Done);

internal sealed record DossierSpecial(IReadOnlyList<DossierRiskFlag>? RiskFlags);

internal sealed record DossierRiskFlag(string? Code, string? Note);
