namespace Imsa.Network.Counselling.Domain;

// The content of a case, one record per data category a consent can release (docs/privacy.md). Each is stored
// as one AES-GCM-sealed JSON document under the case's data key. Codes are strings so that a wrong code is a
// 422 naming the field rather than a 400 about JSON.

/// <summary>Category <c>identity</c>: who the person is.</summary>
/// <param name="GivenNames">Given name(s) as in the passport.</param>
/// <param name="FamilyName">Family name as in the passport.</param>
/// <param name="DateOfBirth">Drives routing: Jugendmigrationsdienste serve ages 12–26, MBE 27 and over.</param>
/// <param name="Nationalities">ISO 3166-1 alpha-2 codes, e.g. ["MA"].</param>
public sealed record PersonIdentity(string? GivenNames, string? FamilyName, DateOnly? DateOfBirth, IReadOnlyList<string>? Nationalities);

/// <summary>Category <c>contact</c>: how to reach the person and how they wish to be counselled.</summary>
/// <param name="Messenger">A messenger handle, e.g. "WhatsApp +212 600 000 000".</param>
/// <param name="AddressAbroad">Postal address in the country of origin or transit.</param>
/// <param name="PreferredLanguage">ISO 639-1 code of the preferred counselling language.</param>
/// <param name="PreferredCounsellorGender">any, female or male.</param>
public sealed record ContactDetails(
    string? Email,
    string? Phone,
    string? Messenger,
    string? AddressAbroad,
    string? PreferredLanguage,
    string? PreferredCounsellorGender);

/// <summary>Category <c>migration-plan</c>: why, when and where to.</summary>
/// <param name="Purpose">Migration purpose code (GET /reference/migration-purposes).</param>
/// <param name="Visa">The visa: status with dates.</param>
/// <param name="PlannedArrival">Planned arrival date in Germany.</param>
/// <param name="DestinationPostalCode">German postal code of the destination, e.g. "55116".</param>
/// <param name="FamilyMembers">Family members coming now or later.</param>
public sealed record MigrationPlan(
    string? Purpose,
    VisaDetails? Visa,
    DateOnly? PlannedArrival,
    string? DestinationPostalCode,
    IReadOnlyList<FamilyMember>? FamilyMembers);

/// <param name="Status">none, planned, applied, granted or refused.</param>
/// <param name="AppliedOn">When the visa was applied for.</param>
/// <param name="DecidedOn">When it was granted or refused.</param>
/// <param name="ValidUntil">When a granted visa ends: the residence permit must be applied for before.</param>
public sealed record VisaDetails(string? Status, DateOnly? AppliedOn, DateOnly? DecidedOn, DateOnly? ValidUntil);

/// <param name="Relationship">spouse, child, parent, sibling or other.</param>
/// <param name="BirthYear">Year of birth, if a child (school, JMD).</param>
/// <param name="Arrival">together (comes now) or later (reunification).</param>
public sealed record FamilyMember(string? Relationship, int? BirthYear, string? Arrival);

/// <summary>Category <c>language-and-qualifications</c>.</summary>
/// <param name="GermanLevel">CEFR level A0–C2 (GET /reference/cefr-levels).</param>
/// <param name="GermanCertificate">The certificate, e.g. "Goethe-Zertifikat B1".</param>
/// <param name="LanguagesSpoken">ISO 639-1 codes of the other languages the person speaks.</param>
public sealed record LanguageAndQualifications(
    string? GermanLevel,
    string? GermanCertificate,
    IReadOnlyList<string>? LanguagesSpoken,
    IReadOnlyList<Qualification>? Qualifications);

/// <param name="Title">The qualification as named in its country, e.g. "Diplôme de technicien spécialisé en électromécanique".</param>
/// <param name="Country">ISO 3166-1 alpha-2 code of the country that awarded it.</param>
/// <param name="ReferenceOccupation">The German reference occupation (Referenzberuf), e.g. "Elektroniker/-in".</param>
/// <param name="Regulated">Whether the occupation is regulated in Germany (recognition required to work in it).</param>
public sealed record Qualification(string? Title, string? Country, string? ReferenceOccupation, bool? Regulated, Recognition? Recognition);

/// <param name="Status">not-started, applied, full, partial or rejected.</param>
/// <param name="Authority">The competent authority, e.g. "HWK Rheinhessen".</param>
/// <param name="CompensationMeasure">For partial recognition: the adaptation course or exam required.</param>
public sealed record Recognition(string? Status, string? Authority, DateOnly? DecidedOn, string? CompensationMeasure);

/// <summary>Category <c>needs-and-open-tasks</c>.</summary>
/// <param name="PriorServices">Pre-integration services already received.</param>
/// <param name="OpenTasks">What is still to do, e.g. registration within 14 days, health insurance from day one.</param>
public sealed record NeedsAndOpenTasks(IReadOnlyList<PriorService>? PriorServices, IReadOnlyList<OpenTask>? OpenTasks);

/// <param name="Provider">Who provided it, e.g. "Goethe-Institut Rabat".</param>
/// <param name="Topic">Topic code (GET /reference/topics).</param>
public sealed record PriorService(string? Provider, string? Topic, string? Description, DateOnly? CompletedOn);

/// <param name="Topic">Topic code (GET /reference/topics).</param>
/// <param name="Title">What to do, e.g. "Register the address (Anmeldung) within 14 days".</param>
public sealed record OpenTask(string? Topic, string? Title, DateOnly? DueOn, bool Done);

/// <summary>Category <c>special-categories</c> (GDPR Art. 9): released only by an explicit consent.</summary>
public sealed record SpecialCategories(IReadOnlyList<RiskFlag>? RiskFlags);

/// <param name="Code">exploitation, psychosocial, vulnerability, health or other.</param>
/// <param name="Note">What the receiving service should know.</param>
public sealed record RiskFlag(string? Code, string? Note);

/// <summary>A counselling session (category <c>counselling-history</c>).</summary>
/// <param name="HeldOn">The day of the session.</param>
/// <param name="Format">in-person, phone, video, group or messenger.</param>
/// <param name="Topics">Topic codes discussed.</param>
/// <param name="Notes">The counsellor's notes.</param>
public sealed record SessionContent(DateOnly? HeldOn, string? Format, IReadOnlyList<string>? Topics, string? Notes);
