using System.Globalization;
using System.Text.RegularExpressions;
using Imsa.Network.Web.Api;
using Imsa.Network.Web.Localization;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Imsa.Network.Web.Pages.Cases;

// The APIs' answers, as much of them as these pages show (Counselling, Partners' directory, Handovers).

internal sealed record PersonIdentity(string? GivenNames, string? FamilyName, DateOnly? DateOfBirth, IReadOnlyList<string>? Nationalities);

internal sealed record ContactDetails(string? Email, string? Phone, string? Messenger, string? AddressAbroad, string? PreferredLanguage, string? PreferredCounsellorGender);

internal sealed record MigrationPlan(
    string? Purpose, VisaDetails? Visa, DateOnly? PlannedArrival, string? DestinationPostalCode, IReadOnlyList<FamilyMember>? FamilyMembers);

internal sealed record VisaDetails(string? Status, DateOnly? AppliedOn, DateOnly? DecidedOn, DateOnly? ValidUntil);

internal sealed record FamilyMember(string? Relationship, int? BirthYear, string? Arrival);

internal sealed record LanguageAndQualifications(
    string? GermanLevel, string? GermanCertificate, IReadOnlyList<string>? LanguagesSpoken, IReadOnlyList<Qualification>? Qualifications);

internal sealed record Qualification(string? Title, string? Country, string? ReferenceOccupation, bool? Regulated, Recognition? Recognition);

internal sealed record Recognition(string? Status, string? Authority, DateOnly? DecidedOn, string? CompensationMeasure);

internal sealed record NeedsAndOpenTasks(IReadOnlyList<PriorService>? PriorServices, IReadOnlyList<OpenTask>? OpenTasks);

internal sealed record PriorService(string? Provider, string? Topic, string? Description, DateOnly? CompletedOn);

internal sealed record OpenTask(string? Topic, string? Title, DateOnly? DueOn, bool Done);

internal sealed record SpecialCategories(IReadOnlyList<RiskFlag>? RiskFlags);

internal sealed record RiskFlag(string? Code, string? Note);

internal sealed record CaseHandoverView(Guid HandoverId, Guid ReceiverOrganisationId, string Status, string? DeclineReason, string? LastOutcome, DateOnly? LastOutcomeOn, DateTimeOffset UpdatedAt);

/// <summary>The restriction of the case's processing (GDPR Art. 18), when there is one.</summary>
internal sealed record CaseRestrictionView(string Reason, DateTimeOffset Since);

internal sealed record CaseView(
    Guid Id,
    string Status,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt,
    PersonIdentity Identity,
    ContactDetails? Contact,
    MigrationPlan MigrationPlan,
    LanguageAndQualifications? LanguageAndQualifications,
    NeedsAndOpenTasks? NeedsAndOpenTasks,
    SpecialCategories? SpecialCategories,
    IReadOnlyList<CaseHandoverView> Handovers,
    CaseRestrictionView? Restriction = null)
{
    /// <summary>The person's age on arrival (today if no arrival is planned): what matching asks for instead of a birth date.</summary>
    public int? AgeAtArrival(DateOnly today)
    {
        if (Identity.DateOfBirth is not { } born)
        {
            return null;
        }

        var on = MigrationPlan.PlannedArrival ?? today;
        var age = on.Year - born.Year;
        return born.AddYears(age) > on ? age - 1 : age;
    }

    /// <summary>The topics of the open tasks not yet done: what a receiving service is to continue with, unless the counsellor chooses otherwise.</summary>
    public List<string> OpenTopics() =>
        [.. (NeedsAndOpenTasks?.OpenTasks ?? []).Where(task => !task.Done).Select(task => task.Topic).OfType<string>().Distinct(StringComparer.Ordinal)];

    /// <summary>Languages the person speaks, for matching: the preferred counselling language first.</summary>
    public List<string> Languages() =>
        [.. new[] { Contact?.PreferredLanguage }.Concat(LanguageAndQualifications?.LanguagesSpoken ?? [])
            .OfType<string>().Where(code => code.Length > 0).Distinct(StringComparer.Ordinal)];
}

internal sealed record ConsentView(Guid Id, string State, IReadOnlyList<Guid> Recipients, IReadOnlyList<string> Categories, DateTimeOffset ValidUntil);

/// <param name="TranslationChecked">False for a translation no qualified translator has checked yet (the receipt says so).</param>
/// <param name="ValidFrom">Consents can be recorded on it from then on.</param>
internal sealed record ConsentTextView(
    string Language, string Version, string Title, string Sha256, string Text, bool TranslationChecked = true, DateTimeOffset? ValidFrom = null);

/// <summary>A reason of Partners' matching as a code with the values it names (docs/api.md, <c>reasonCodes</c>).</summary>
internal sealed record MatchReasonView(
    string Code,
    string? PostalCode,
    IReadOnlyList<string>? Districts,
    IReadOnlyList<string>? States,
    int? Age,
    int? MinAge,
    int? MaxAge,
    string? Purpose,
    IReadOnlyList<string>? Purposes,
    string? ResidenceSituation,
    IReadOnlyList<string>? ResidenceSituations,
    IReadOnlyList<string>? Languages,
    IReadOnlyList<string>? Topics,
    int? OpenHandovers,
    int? MaxOpenHandovers,
    DateOnly? Until,
    string? Note);

internal sealed record MatchedService(
    int Rank, Guid OrganisationId, string Name, IReadOnlyList<string> ServiceTypes, IReadOnlyList<string> Reasons, IReadOnlyList<MatchReasonView>? ReasonCodes);

internal sealed record ExcludedService(Guid OrganisationId, string Name, IReadOnlyList<string> Reasons, IReadOnlyList<MatchReasonView>? ReasonCodes);

internal sealed record MatchView(IReadOnlyList<MatchedService> Matches, IReadOnlyList<ExcludedService>? Exclusions);

internal sealed record TimelineEntryView(DateTimeOffset At, string Actor, string Action, string? Detail);

internal sealed record HandoverView(
    Guid Id,
    Guid CaseId,
    Guid ReceiverOrganisationId,
    string Status,
    DateTimeOffset RequestedAt,
    DateTimeOffset? AnswerDueAt,
    string? DeclineReason,
    string? LastOutcome,
    DateOnly? LastOutcomeOn,
    IReadOnlyList<TimelineEntryView>? Timeline,
    IReadOnlyList<string>? Topics = null);

/// <summary>What the counsellor's pages share: the data categories, matching a case, dates and problems shown.</summary>
internal static partial class CaseViews
{
    /// <summary>Counselling's data categories, in the order a consent lists them (GET /reference/data-categories).</summary>
    public static readonly IReadOnlyList<string> Categories =
        ["identity", "contact", "migration-plan", "language-and-qualifications", "counselling-history", "needs-and-open-tasks", "special-categories"];

    public const string SpecialCategories = "special-categories";

    public static readonly IReadOnlyList<string> Purposes =
    [
        "vocational-training", "study", "recognition", "training-or-study-search", "skilled-worker-vocational", "skilled-worker-academic",
        "eu-blue-card", "other-employment", "opportunity-card", "family-reunification", "eu-free-movement", "asylum", "other",
    ];

    // Counselling's codes (its CaseValidation and GET /reference/...), in the order the forms list them.
    // The German levels of contracts/Imsa.Network.Reference/CefrLevels.cs (the application shares no code with the services).
    public static readonly IReadOnlyList<string> CefrLevels = ["A0", "A1", "A2", "B1", "B2", "C1", "C2"];

    public static readonly IReadOnlyList<string> CounsellorGenders = ["any", "female", "male"];

    public static readonly IReadOnlyList<string> VisaStatuses = ["none", "planned", "applied", "granted", "refused"];

    public static readonly IReadOnlyList<string> Relationships = ["spouse", "child", "parent", "sibling", "other"];

    public static readonly IReadOnlyList<string> Arrivals = ["together", "later"];

    public static readonly IReadOnlyList<string> RecognitionStatuses = ["not-started", "applied", "full", "partial", "rejected"];

    public static readonly IReadOnlyList<string> RiskFlagCodes = ["exploitation", "psychosocial", "vulnerability", "health", "other"];

    /// <summary>The topic codes (Counselling's GET /reference/topics); their texts are the receiver pages' "topic.*".</summary>
    public static IReadOnlyList<string> Topics => Inbox.HandoverCodes.Topics;

    public static Task<ApiResult<CaseView>> ReadCaseAsync(NetworkApi api, Guid id, CancellationToken cancellationToken) =>
        api.GetAsync<CaseView>(NetworkApi.Counselling, $"cases/{id}", cancellationToken);

    /// <summary>
    /// Partners' ranked suggestions for the case, from what matching needs and nothing that identifies the person;
    /// with topics, only services counselling on at least one of them. Null when the case lacks a destination or a date of birth.
    /// </summary>
    public static async Task<ApiResult<MatchView>?> MatchAsync(
        NetworkApi api, CaseView found, bool explainExclusions, IReadOnlyList<string> topics, TimeProvider time, CancellationToken cancellationToken)
    {
        var age = found.AgeAtArrival(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        if (found.MigrationPlan.DestinationPostalCode is not { Length: > 0 } postalCode || age is null)
        {
            return null;
        }

        var request = new { postalCode, age, purpose = found.MigrationPlan.Purpose, languages = found.Languages(), topics, explainExclusions };
        return await api.SendAsync<MatchView>(SignInEndpoints.PartnersClient, HttpMethod.Post, "directory/matches", request, idempotencyKey: null, cancellationToken);
    }

    /// <summary>The translated message's key for a refusal; the fields it names are marked next to the fields.</summary>
    public static string ProblemText(ApiProblem problem) => problem.Status switch
    {
        409 => "counsellor.problem.409",
        410 => "counsellor.problem.410",
        _ => CasesModel.ProblemText(problem),
    };

    /// <summary>The message for a field the API refused: its own when there is one, else the general one.</summary>
    public static string ErrorText(Texts texts, string apiField)
    {
        // An entry of a list has the list's message: "migrationPlan.familyMembers[2].birthYear" reads as "migrationPlan.familyMembers.birthYear".
        var field = ListIndex().Replace(apiField, "");
        var own = texts.Code("counsellor.error.", field);
        return own == field ? texts["problem.field"] : own;
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex ListIndex();

    public static string Day(DateOnly day) => day.ToString("d", CultureInfo.CurrentCulture);

    public static string Day(DateTimeOffset at) => at.ToString("d", CultureInfo.CurrentCulture);

    public static string Moment(DateTimeOffset at) => at.ToString("g", CultureInfo.CurrentCulture) + " UTC";

    public static string Iso(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>The person's subject claim: what keys a one-time secret to the person who was shown it.</summary>
    public static string Person(this PageModel page) => page.User.FindFirst("sub")?.Value ?? "";
}

/// <summary>A field's error under it: the message for the first API field named, or the general one.</summary>
internal sealed record FieldError(string Id, IReadOnlyList<string> Fields);
