using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Partners;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Counselling.Tests;

/// <summary>The Counselling service with a clock tests can move, and the helpers its tests share.</summary>
public class CounsellingService : ServiceFixture<Program>
{
    public ShiftedTimeProvider Time { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Time);

    /// <summary>Makes an organisation known to the service the way Partners does: by its registration event.</summary>
    public async Task<Organisation> RegisterAsync(string kind)
    {
        var organisation = new Organisation(Guid.NewGuid(), kind);
        await PublishAsync(new OrganisationRegistered(organisation.Id, kind, kind == "receiving-service" ? "DE" : "MA", "pending-verification", DateTimeOffset.UtcNow));
        await Eventually.UntilCount(
            () => Database.CountAsync($"SELECT count(*) FROM known_organisations WHERE id = '{organisation.Id}'"), 1, "the organisation to be known");
        return organisation;
    }

    /// <summary>Publishes an event on the service's broker as another service would.</summary>
    public Task PublishAsync<T>(T message, Guid? messageId = null)
        where T : class =>
        Factory.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId ?? NewId.NextGuid());

    public Task<HttpResponseMessage> SendAsync(Organisation caller, HttpMethod method, string uri, object? body = null, string? idempotencyKey = null) =>
        Client.SendAsAsync(caller.Token, method, uri, body, idempotencyKey);

    public async Task<JsonObject> OpenCaseAsync(Organisation owner, object? content = null)
    {
        var response = await SendAsync(owner, HttpMethod.Post, "/cases", content ?? CaseSamples.Content());
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<JsonObject> RecordConsentAsync(Organisation owner, string caseId, object consent)
    {
        var response = await SendAsync(owner, HttpMethod.Post, $"/cases/{caseId}/consents", consent);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}

/// <summary>An organisation as tests use it: its id, its kind, and a token the service accepts.</summary>
public sealed record Organisation(Guid Id, string Kind)
{
    public string Token { get; } = TestIdentity.MintToken(
        Id, Kind, Kind switch { "receiving-service" => "receiving-service", "coordinator" => "coordinator", _ => "partner" });
}

/// <summary>Case content with a value in every category, each easy to find if it ever leaked.</summary>
public static class CaseSamples
{
    public const string GivenNames = "Zainab Leakcheck";
    public const string FamilyName = "Qadiriyya-Plaintext";
    public const string Email = "zainab.leakcheck@example.org";
    public const string Phone = "+212 611 987654";
    public const string Note = "Spoke about the apprenticeship contract with Bäckerei Sonnenschein";
    public const string RiskNote = "Was pressured by an unlicensed recruiter";
    public const string Certificate = "Goethe-Zertifikat B1 Leakcheck";
    public const string TaskTitle = "Anmeldung in Mainz Leakcheck";

    /// <summary>Every plaintext value that must never appear in a row, event or log.</summary>
    public static readonly string[] Secrets = [GivenNames, FamilyName, Email, Phone, Note, RiskNote, Certificate, TaskTitle, "2006-04-12"];

    public static object Content(DateOnly? plannedArrival = null, string dateOfBirth = "2006-04-12", string purpose = "vocational-training") => new
    {
        identity = new { givenNames = GivenNames, familyName = FamilyName, dateOfBirth, nationalities = new[] { "MA" } },
        contact = new { email = Email, phone = Phone, preferredLanguage = "ar", preferredCounsellorGender = "female" },
        migrationPlan = new
        {
            purpose,
            visa = new { status = "applied", appliedOn = "2026-10-01" },
            plannedArrival = TestDates.Text(plannedArrival ?? TestDates.Arrival),
            destinationPostalCode = "55116",
            familyMembers = new[] { new { relationship = "sibling", birthYear = 2010, arrival = "later" } },
        },
        languageAndQualifications = new
        {
            germanLevel = "B1",
            germanCertificate = Certificate,
            languagesSpoken = new[] { "ar", "fr" },
            qualifications = new[] { new { title = "Baccalauréat", country = "MA", regulated = false } },
        },
        needsAndOpenTasks = new
        {
            priorServices = new[] { new { provider = "Goethe-Institut Rabat", topic = "LANG" } },
            openTasks = new[] { new { topic = "ADMN", title = TaskTitle, dueOn = TestDates.Text(TestDates.Arrival.AddDays(14)), done = false } },
        },
        specialCategories = new { riskFlags = new[] { new { code = "exploitation", note = RiskNote } } },
    };

    public static object Session() => new { heldOn = "2026-11-20", format = "video", topics = new[] { "EDU", "REC" }, notes = Note };

    public static object Consent(
        Guid recipient,
        string[]? categories = null,
        bool explicitSpecial = false,
        DateTimeOffset? obtainedAt = null,
        DateTimeOffset? validUntil = null) => new
    {
        recipients = new[] { recipient },
        categories = categories ?? ["identity", "contact", "migration-plan"],
        explicitSpecialCategories = explicitSpecial,
        method = "signed-form",
        obtainedAt = obtainedAt ?? DateTimeOffset.UtcNow.AddMinutes(-10),
        textLanguage = "en",
        textVersion = "1",
        validUntil = validUntil ?? DateTimeOffset.UtcNow.AddYears(1),
    };
}
