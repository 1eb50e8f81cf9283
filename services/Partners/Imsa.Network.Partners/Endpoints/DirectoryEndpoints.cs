using System.Text.Json.Serialization;
using Imsa.Network.Reference;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Domain.Directory;
using Imsa.Network.Reference.Geography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Endpoints;

/// <summary>A receiving service as the directory shows it.</summary>
public sealed record DirectoryServiceResponse(
    Guid OrganisationId,
    string Name,
    IReadOnlyCollection<string> ServiceTypes,
    IReadOnlyCollection<string> States,
    IReadOnlyCollection<string> Districts,
    IReadOnlyCollection<string> PostalCodes,
    IReadOnlyCollection<string> Languages,
    IReadOnlyCollection<string> Topics,
    int? MinAge,
    int? MaxAge,
    IReadOnlyCollection<string> Purposes,
    IReadOnlyCollection<string> ResidenceSituations,
    bool Accepting,
    int? MaxOpenHandovers,
    DateOnly? NoCapacityUntil,
    int OpenHandovers);

public sealed record DirectoryPageResponse(int Total, int Offset, int Limit, IReadOnlyList<DirectoryServiceResponse> Items);

/// <summary>What matching needs to know about a case: nothing that identifies the person.</summary>
/// <param name="PostalCode">The destination postal code in Germany.</param>
/// <param name="Age">The person's age at arrival.</param>
/// <param name="Purpose">A migration purpose code, e.g. "vocational-training".</param>
/// <param name="ResidenceSituation">Optional; derived from the purpose when not given.</param>
/// <param name="Languages">ISO 639-1 codes the person speaks; a suggested service shares at least one.</param>
/// <param name="Topics">Topic codes needed; a suggested service counsels on at least one.</param>
/// <param name="ExplainExclusions">Also say why services in the destination's state were not suggested.</param>
public sealed record MatchRequest(
    string? PostalCode, int? Age, string? Purpose, string? ResidenceSituation, List<string>? Languages, List<string>? Topics, bool ExplainExclusions = false);

/// <summary>A reason as a code with the values it names (docs/api.md lists the codes); values a code does not name are left out.</summary>
public sealed record MatchReasonResponse
{
    /// <summary>serves-postal-code, serves-district, serves-state, age-eligible, purpose-eligible, residence-situation-eligible,
    /// speaks-languages, counsels-topics, capacity-load; for an exclusion outside-area, age-not-served, purpose-not-served,
    /// residence-situation-not-served, not-accepting, paused-until, full, no-shared-language, no-shared-topic.</summary>
    public required string Code { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PostalCode { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Districts { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? States { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Age { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MinAge { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxAge { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Purpose { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Purposes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ResidenceSituation { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ResidenceSituations { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Languages { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Topics { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? OpenHandovers { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxOpenHandovers { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateOnly? Until { get; init; }

    /// <summary>The service's own words about its capacity.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Note { get; init; }
}

/// <param name="Reasons">In English, for people reading the answer.</param>
/// <param name="ReasonCodes">The same reasons as codes, at the same positions, for a client that says them in its own words.</param>
public sealed record MatchedServiceResponse(
    int Rank, Guid OrganisationId, string Name, IReadOnlyCollection<string> ServiceTypes, IReadOnlyList<string> Reasons, IReadOnlyList<MatchReasonResponse> ReasonCodes);

/// <param name="Reasons">Every rule the service failed, in English.</param>
/// <param name="ReasonCodes">The same reasons as codes, at the same positions.</param>
public sealed record ExcludedServiceResponse(Guid OrganisationId, string Name, IReadOnlyList<string> Reasons, IReadOnlyList<MatchReasonResponse> ReasonCodes);

public sealed record MatchResponse(
    string ResidenceSituation,
    IReadOnlyList<string> Districts,
    IReadOnlyList<MatchedServiceResponse> Matches,
    IReadOnlyList<ExcludedServiceResponse>? Exclusions);

/// <summary>An active organisation's name: a public fact of the network.</summary>
public sealed record OrganisationNameResponse(Guid Id, string Name);

internal static class DirectoryEndpoints
{
    /// <summary>The most ids GET /directory/names answers at once: a consent names a few recipients and one controller.</summary>
    public const int MaxNames = 20;

    public static IEndpointRouteBuilder MapDirectoryEndpoints(this IEndpointRouteBuilder app)
    {
        var directory = app.MapGroup("/directory").WithTags("Directory and matching");

        directory.MapGet("/services", SearchAsync)
            .WithSummary("Search active receiving services")
            .WithDescription("Filters (all optional, all must hold): state (DE-RP), district (07315), postalCode, serviceType, "
                + "language, topic; the area filters find services serving at least part of the area. Sorted by name; paged by offset (0–100000) and limit (1–500).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        // A query that changes nothing: repeating it is harmless, and its answer is worth keeping nowhere.
        directory.MapPost("/matches", MatchAsync)
            .WithoutIdempotencyKey()
            .WithSummary("Suggest receiving services for a case")
            .WithDescription("Ranks the active receiving services eligible for the case profile (area, age, purpose, residence "
                + "situation, languages, topics, capacity), each with the reasons it matched; on request, why others in the "
                + "destination's state were excluded. Ranking: postal code before district before state, then more topics, more "
                + "languages, lower load, name.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        // The person's page names whom their consent names: the person has no token, and names are no secret.
        directory.MapGet("/names", NamesAsync)
            .AllowAnonymous()
            .WithAddressLimit(PartnersServices.DirectoryNames)
            .WithSummary("Names of active organisations, by id (no token needed)")
            .WithDescription($"Up to {MaxNames} ids (id=…&id=…). Answers the id and name of each active organisation among them, in the "
                + "order asked; an unknown id, or one of an organisation not yet verified, suspended or retired, is left out without "
                + "saying why. Names only: an organisation's name is a public fact of the network. Limited per client address "
                + "(then 429 with Retry-After).")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    private static async Task<Results<Ok<List<OrganisationNameResponse>>, ProblemHttpResult>> NamesAsync(
        string[]? id, PartnersDbContext db, CancellationToken cancellationToken)
    {
        var ids = new List<Guid>();
        foreach (var value in id ?? [])
        {
            if (!Guid.TryParse(value, out var parsed))
            {
                return Problems.Unprocessable(new Dictionary<string, string[]> { ["id"] = ["Each id is an organisation's id (a UUID)."] });
            }

            ids.Add(parsed);
        }

        if (ids.Count is 0 or > MaxNames)
        {
            return Problems.Unprocessable(new Dictionary<string, string[]> { ["id"] = [$"From 1 to {MaxNames} ids."] });
        }

        var names = await db.Organisations.AsNoTracking()
            .Where(o => ids.Contains(o.Id) && o.Status == OrganisationStatus.Active)
            .ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        return TypedResults.Ok(ids.Distinct().Where(names.ContainsKey).Select(i => new OrganisationNameResponse(i, names[i])).ToList());
    }

    private static async Task<Results<Ok<DirectoryPageResponse>, ProblemHttpResult>> SearchAsync(
        string? state, string? district, string? postalCode, string? serviceType, string? language, string? topic, int? offset, int? limit,
        DirectoryCatalog catalog, GermanGeography geography, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        Check(errors, "state", state, GermanGeography.IsState);
        Check(errors, "district", district, geography.IsDistrict);
        Check(errors, "postalCode", postalCode, geography.IsPostalCode);
        Check(errors, "serviceType", serviceType, ServiceTypes.Codes.Contains);
        Check(errors, "language", language, Languages.Codes.Contains);
        Check(errors, "topic", topic, Topics.Codes.Contains);
        if (offset is < 0 or > DirectoryQuery.MaxOffset)
        {
            errors["offset"] = [$"From 0 to {DirectoryQuery.MaxOffset}."];
        }

        if (limit is < 1 or > DirectoryQuery.MaxLimit)
        {
            errors["limit"] = [$"From 1 to {DirectoryQuery.MaxLimit}."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var index = await catalog.GetAsync(cancellationToken);
        var page = index.Search(new DirectoryQuery
        {
            State = state,
            District = district,
            PostalCode = postalCode,
            ServiceType = serviceType,
            Language = language,
            Topic = topic,
            Offset = offset ?? 0,
            Limit = limit ?? 50,
        });
        return TypedResults.Ok(new DirectoryPageResponse(page.Total, page.Offset, page.Limit, page.Items.Select(ToResponse).ToList()));
    }

    private static async Task<Results<Ok<MatchResponse>, ProblemHttpResult>> MatchAsync(
        MatchRequest request, DirectoryCatalog catalog, GermanGeography geography, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!geography.IsPostalCode(request.PostalCode))
        {
            errors["postalCode"] = ["A German postal code is required."];
        }

        if (request.Age is not (>= 0 and <= 120))
        {
            errors["age"] = ["An age from 0 to 120 is required."];
        }

        if (request.Purpose is null || !MigrationPurposes.Codes.Contains(request.Purpose))
        {
            errors["purpose"] = ["A migration purpose code is required."];
        }

        Check(errors, "residenceSituation", request.ResidenceSituation, ResidenceSituations.Codes.Contains);
        var unknownLanguages = (request.Languages ?? []).Where(l => !Languages.Codes.Contains(l)).ToList();
        if (unknownLanguages.Count > 0)
        {
            errors["languages"] = [$"Unknown ISO 639-1 codes: {string.Join(", ", unknownLanguages)}."];
        }

        var unknownTopics = (request.Topics ?? []).Where(t => !Topics.Codes.Contains(t)).ToList();
        if (unknownTopics.Count > 0)
        {
            errors["topics"] = [$"Unknown topic codes: {string.Join(", ", unknownTopics)}."];
        }

        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var index = await catalog.GetAsync(cancellationToken);
        var result = index.Match(
            new CaseProfile
            {
                PostalCode = request.PostalCode!,
                Age = request.Age!.Value,
                Purpose = request.Purpose!,
                ResidenceSituation = request.ResidenceSituation,
                Languages = request.Languages ?? [],
                Topics = request.Topics ?? [],
            },
            DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime),
            request.ExplainExclusions);
        return TypedResults.Ok(new MatchResponse(
            result.ResidenceSituation,
            result.Districts.Select(d => d.Key).ToList(),
            result.Matches.Select(m => new MatchedServiceResponse(
                m.Rank, m.Entry.Id, m.Entry.Name, m.Entry.ServiceTypes.Order().ToList(), m.Reasons, m.Codes.Select(ToResponse).ToList())).ToList(),
            result.Exclusions?.Select(e => new ExcludedServiceResponse(e.Entry.Id, e.Entry.Name, e.Reasons, e.Codes.Select(ToResponse).ToList())).ToList()));
    }

    private static void Check(Dictionary<string, string[]> errors, string field, string? value, Func<string, bool> isKnown)
    {
        if (value is not null && !isKnown(value))
        {
            errors[field] = [$"Unknown {field} '{value}'."];
        }
    }

    private static MatchReasonResponse ToResponse(MatchReason r) => new()
    {
        Code = r.Code,
        PostalCode = r.PostalCode,
        Districts = r.Districts,
        States = r.States,
        Age = r.Age,
        MinAge = r.MinAge,
        MaxAge = r.MaxAge,
        Purpose = r.Purpose,
        Purposes = r.Purposes,
        ResidenceSituation = r.ResidenceSituation,
        ResidenceSituations = r.ResidenceSituations,
        Languages = r.Languages,
        Topics = r.Topics,
        OpenHandovers = r.OpenHandovers,
        MaxOpenHandovers = r.MaxOpenHandovers,
        Until = r.Until,
        Note = r.Note,
    };

    private static DirectoryServiceResponse ToResponse(ReceivingServiceEntry e) => new(
        e.Id, e.Name, e.ServiceTypes.Order().ToList(), e.Area.States.Order().ToList(), e.Area.Districts.Order().ToList(),
        e.Area.PostalCodes.Order().ToList(), e.Languages.Order().ToList(), e.Topics.Order().ToList(),
        e.Eligibility.MinAge, e.Eligibility.MaxAge, e.Eligibility.Purposes.Order().ToList(), e.Eligibility.ResidenceSituations.Order().ToList(),
        e.Capacity.Accepting, e.Capacity.MaxOpenHandovers, e.Capacity.NoCapacityUntil, e.OpenHandovers);
}
