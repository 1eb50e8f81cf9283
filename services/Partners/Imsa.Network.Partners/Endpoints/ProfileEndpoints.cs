using System.Globalization;
using System.Security.Claims;
using Imsa.Network.Contracts.Partners;
using Imsa.Network.Reference;
using Imsa.Network.Access;
using Imsa.Network.ServiceDefaults;
using Imsa.Network.Messaging.Outbox;
using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Reference.Geography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Endpoints;

public sealed record AddressRequest(string? Street, string? PostalCode, string? City, string? Country);

public sealed record ContactRequest(string? Role, string? Email, string? Phone);

public sealed record ServiceAreaRequest(List<string>? States, List<string>? Districts, List<string>? PostalCodes);

public sealed record EligibilityRequest(int? MinAge, int? MaxAge, List<string>? Purposes, List<string>? ResidenceSituations);

public sealed record CapacityRequest(bool? Accepting, int? MaxOpenHandovers, DateOnly? NoCapacityUntil, string? Note);

public sealed record ReceivingServiceRequest(List<string>? ServiceTypes, ServiceAreaRequest? Area, EligibilityRequest? Eligibility, CapacityRequest? Capacity);

/// <summary>The whole profile; it replaces the previous one.</summary>
/// <param name="Languages">ISO 639-1 codes, e.g. ["de", "ar"].</param>
/// <param name="Topics">Topic codes, e.g. ["REC", "WORK"].</param>
/// <param name="Receiving">Only for receiving services: service types, area, eligibility, capacity.</param>
public sealed record UpdateProfileRequest(
    AddressRequest? Address, List<ContactRequest>? Contacts, List<string>? Languages, List<string>? Topics, ReceivingServiceRequest? Receiving);

internal static class ProfileEndpoints
{
    private const int MaxContacts = 20;

    /// <summary>Far above any service's caseload.</summary>
    private const int MaxOpenHandovers = 10_000;

    public static IEndpointRouteBuilder MapProfileEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPut("/organisations/{id:guid}/profile", UpdateAsync)
            .ForAdministrators()
            .AcceptsFreeText("receiving.capacity.note")
            .WithTags("Organisations")
            .WithSummary("Replace the organisation's own profile")
            .WithDescription("Only the organisation itself edits its profile (anyone else gets 404). Receiving services also give "
                + "service types, service area, eligibility and capacity. Announces OrganisationUpdated (codes only), when "
                + "the address or contacts changed OrganisationContactChanged, and, when the capacity changed, OrganisationCapacityChanged.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<OrganisationResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateProfileRequest request, ClaimsPrincipal user, PartnersDbContext db, DirectoryCatalog catalog,
        GermanGeography geography, TimeProvider time, CancellationToken cancellationToken)
    {
        var organisation = user.OrganisationId() == id
            ? await db.Organisations.FirstOrDefaultAsync(o => o.Id == id, cancellationToken)
            : null;
        if (organisation is null)
        {
            return Problems.NotFound("Organisation");
        }

        var errors = new Dictionary<string, string[]>();
        var profile = Validate(request, organisation.Kind, geography, errors);
        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors);
        }

        var now = time.GetUtcNow();
        var directoryBefore = DirectoryFields(organisation.Id, organisation.Profile, now);
        var capacityBefore = CapacityFields(organisation.Id, organisation.Profile, now);
        var contactBefore = ContactFields(organisation, now);
        organisation.UpdateProfile(profile, now);

        // Counselling names the organisation's address and first contact on the consent receipts it issues for it.
        var contact = ContactFields(organisation, now);
        if (contact.Address != contactBefore.Address || !contact.Contacts.SequenceEqual(contactBefore.Contacts))
        {
            db.AddEvent(contact, time);
        }

        // Announced only when what other services see changed: the codes, or the capacity (not its note).
        var directory = DirectoryFields(organisation.Id, profile, now);
        if (!SameDirectoryFields(directory, directoryBefore))
        {
            db.AddEvent(directory, time);
        }

        if (CapacityFields(organisation.Id, profile, now) is { } capacity && capacity != capacityBefore)
        {
            db.AddEvent(capacity, time);
        }

        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (organisation.Kind == OrganisationKind.ReceivingService)
        {
            // This instance rebuilds once it commits: the next match here shows the change.
            await catalog.BumpAsync(db, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(OrganisationEndpoints.ToResponse(organisation));
    }

    private static OrganisationUpdated DirectoryFields(Guid id, OrganisationProfile profile, DateTimeOffset at)
    {
        var receiving = profile.Receiving;
        return new OrganisationUpdated(
            id,
            profile.Languages,
            profile.Topics,
            receiving?.ServiceTypes ?? [],
            receiving?.Area.States ?? [],
            receiving?.Area.Districts ?? [],
            receiving?.Area.PostalCodes ?? [],
            receiving?.Eligibility.MinAge,
            receiving?.Eligibility.MaxAge,
            receiving?.Eligibility.Purposes ?? [],
            receiving?.Eligibility.ResidenceSituations ?? [],
            at);
    }

    /// <summary>How the organisation is reached as a controller: organisation data (function mailboxes and roles), no person's.</summary>
    public static OrganisationContactChanged ContactFields(Organisation organisation, DateTimeOffset at)
    {
        var profile = organisation.Profile;
        return new OrganisationContactChanged(
            organisation.Id,
            organisation.Name,
            profile.Address is { } a ? new OrganisationPostalAddress(a.Street, a.PostalCode, a.City, a.Country) : null,
            [.. profile.Contacts.Select(c => new OrganisationContactPoint(c.Role, c.Email, c.Phone))],
            at);
    }

    private static bool SameDirectoryFields(OrganisationUpdated a, OrganisationUpdated b) =>
        a.Languages.SequenceEqual(b.Languages) && a.Topics.SequenceEqual(b.Topics) && a.ServiceTypes.SequenceEqual(b.ServiceTypes)
        && a.States.SequenceEqual(b.States) && a.Districts.SequenceEqual(b.Districts) && a.PostalCodes.SequenceEqual(b.PostalCodes)
        && a.MinAge == b.MinAge && a.MaxAge == b.MaxAge && a.Purposes.SequenceEqual(b.Purposes)
        && a.ResidenceSituations.SequenceEqual(b.ResidenceSituations);

    /// <summary>The capacity as other services see it (no note); before and after share one "at", so they compare on the capacity.</summary>
    private static OrganisationCapacityChanged? CapacityFields(Guid id, OrganisationProfile profile, DateTimeOffset at) =>
        profile.Receiving?.Capacity is { } c ? new OrganisationCapacityChanged(id, c.Accepting, c.MaxOpenHandovers, c.NoCapacityUntil, at) : null;

    private static OrganisationProfile Validate(
        UpdateProfileRequest request, OrganisationKind kind, GermanGeography geography, Dictionary<string, string[]> errors)
    {
        PostalAddress? address = null;
        if (request.Address is { } a)
        {
            if (string.IsNullOrWhiteSpace(a.Street) || string.IsNullOrWhiteSpace(a.City) || string.IsNullOrWhiteSpace(a.PostalCode))
            {
                errors["address"] = ["street, postalCode and city are required."];
            }

            if (a.Country is null || !Countries.Codes.Contains(a.Country))
            {
                errors["address.country"] = ["An ISO 3166-1 alpha-2 country code in capitals is required."];
            }

            address = new PostalAddress(a.Street?.Trim() ?? "", a.PostalCode?.Trim() ?? "", a.City?.Trim() ?? "", a.Country ?? "");
            TooLong(errors, "address.street", a.Street, 200);
            TooLong(errors, "address.postalCode", a.PostalCode, 20);
            TooLong(errors, "address.city", a.City, 100);
        }

        var contacts = new List<OrganisationContact>();
        if (request.Contacts is { Count: > MaxContacts })
        {
            errors["contacts"] = [$"At most {MaxContacts} contacts."];
        }

        foreach (var (contact, i) in (request.Contacts ?? []).Take(MaxContacts).Select((c, i) => (c, i)))
        {
            if (string.IsNullOrWhiteSpace(contact.Role) || (string.IsNullOrWhiteSpace(contact.Email) && string.IsNullOrWhiteSpace(contact.Phone)))
            {
                errors[$"contacts[{i}]"] = ["A role and an email or phone number are required."];
            }
            else if (contact.Email is { } email && !email.Contains('@', StringComparison.Ordinal))
            {
                errors[$"contacts[{i}].email"] = ["Not an email address."];
            }

            TooLong(errors, $"contacts[{i}].role", contact.Role, 200);
            TooLong(errors, $"contacts[{i}].email", contact.Email, 254);
            TooLong(errors, $"contacts[{i}].phone", contact.Phone, 50);

            contacts.Add(new OrganisationContact(contact.Role?.Trim() ?? "", contact.Email?.Trim(), contact.Phone?.Trim()));
        }

        var languages = Codes("languages", request.Languages, Languages.Codes, "ISO 639-1 language codes", errors);
        var topics = Codes("topics", request.Topics, Topics.Codes, "topic codes", errors);

        ReceivingServiceProfile? receiving = null;
        if (kind != OrganisationKind.ReceivingService)
        {
            if (request.Receiving is not null)
            {
                errors["receiving"] = ["Only receiving services have service types, a service area, eligibility and capacity."];
            }
        }
        else if (request.Receiving is not { } r)
        {
            errors["receiving"] = ["A receiving service gives its service types, service area, eligibility and capacity."];
        }
        else
        {
            var serviceTypes = Codes("receiving.serviceTypes", r.ServiceTypes, ServiceTypes.Codes, "service types (MBE, JMD, MFD, AVB, IQ, FI, FM, OTHER)", errors);
            if (serviceTypes.Count == 0 && !errors.ContainsKey("receiving.serviceTypes"))
            {
                errors["receiving.serviceTypes"] = ["At least one service type is required."];
            }

            var states = Codes("receiving.area.states", r.Area?.States, GermanStates.Codes, "ISO 3166-2:DE state codes", errors);
            var districts = Known("receiving.area.districts", r.Area?.Districts, geography.IsDistrict, "district keys", errors);
            var postalCodes = Known("receiving.area.postalCodes", r.Area?.PostalCodes, geography.IsPostalCode, "German postal codes", errors);
            if (states.Count + districts.Count + postalCodes.Count == 0 && !errors.Keys.Any(k => k.StartsWith("receiving.area", StringComparison.Ordinal)))
            {
                errors["receiving.area"] = ["A service area of at least one state, district or postal code is required."];
            }

            // No eligibility given: the usual one of the service type (JMD 12–26, MBE 27+, AVB asylum applicants, ...).
            var usual = serviceTypes.Count == 1 ? Domain.Directory.Eligibility.DefaultFor(serviceTypes[0]) : Domain.Directory.Eligibility.Everyone;
            var eligibility = r.Eligibility ?? new EligibilityRequest(
                usual.MinAge, usual.MaxAge, [.. usual.Purposes.Order(StringComparer.Ordinal)], [.. usual.ResidenceSituations.Order(StringComparer.Ordinal)]);
            if (eligibility.MinAge is < 0 or > 120)
            {
                errors["receiving.eligibility.minAge"] = ["An age from 0 to 120."];
            }

            if (eligibility.MaxAge is < 0 or > 120)
            {
                errors["receiving.eligibility.maxAge"] = ["An age from 0 to 120."];
            }

            if (eligibility.MinAge > eligibility.MaxAge)
            {
                errors["receiving.eligibility"] = ["minAge is above maxAge."];
            }

            var purposes = Codes("receiving.eligibility.purposes", eligibility.Purposes, MigrationPurposes.Codes, "migration purpose codes", errors);
            var situations = Codes("receiving.eligibility.residenceSituations", eligibility.ResidenceSituations, ResidenceSituations.Codes, "residence situation codes", errors);

            var capacity = r.Capacity ?? new CapacityRequest(true, null, null, null);
            if (capacity.MaxOpenHandovers is < 0 or > MaxOpenHandovers)
            {
                errors["receiving.capacity.maxOpenHandovers"] = [$"From 0 to {MaxOpenHandovers}."];
            }

            if (capacity.Note is { Length: > 500 })
            {
                errors["receiving.capacity.note"] = ["At most 500 characters."];
            }

            receiving = new ReceivingServiceProfile(
                serviceTypes,
                new ServiceAreaProfile(states, districts, postalCodes),
                new EligibilityProfile(eligibility.MinAge, eligibility.MaxAge, purposes, situations),
                new CapacityProfile(capacity.Accepting ?? true, capacity.MaxOpenHandovers, capacity.NoCapacityUntil, capacity.Note?.Trim()));
        }

        return new OrganisationProfile(address, contacts, languages, topics, receiving);
    }

    private static void TooLong(Dictionary<string, string[]> errors, string field, string? text, int maxLength)
    {
        if (text?.Trim().Length > maxLength)
        {
            errors.TryAdd(field, [string.Create(CultureInfo.InvariantCulture, $"At most {maxLength} characters.")]);
        }
    }

    private static List<string> Codes(string field, List<string>? given, IReadOnlySet<string> known, string what, Dictionary<string, string[]> errors) =>
        Known(field, given, known.Contains, what, errors);

    private static List<string> Known(string field, List<string>? given, Func<string, bool> isKnown, string what, Dictionary<string, string[]> errors)
    {
        var codes = (given ?? []).Distinct(StringComparer.Ordinal).ToList();
        var unknown = codes.Where(code => !isKnown(code)).ToList();
        if (unknown.Count > 0)
        {
            errors[field] = [string.Create(CultureInfo.InvariantCulture, $"Unknown {what}: {string.Join(", ", unknown)}.")];
        }

        return codes;
    }
}
