using System.Text.Json;
using Imsa.Network.Partners.Domain;
using Imsa.Network.Partners.Domain.Directory;
using Imsa.Network.Reference.Geography;
using Npgsql;
using NpgsqlTypes;

namespace Imsa.Network.Bench.MatchingHttp;

/// <summary>
/// Writes synthetic receiving services straight into the Partners service's <c>organisations</c> table (binary
/// COPY), as the registry would hold them after registration, verification and a profile update: kind
/// ReceivingService, status Active, status version 2, the profile as the service serializes it (System.Text.Json
/// web defaults, camelCase). Then bumps <c>directory_state</c> so the service rebuilds its index.
/// </summary>
internal static class DirectorySeeder
{
    private static readonly JsonSerializerOptions ProfileJson = new(JsonSerializerDefaults.Web);

    private static readonly string[] Streets =
        ["Hauptstraße", "Bahnhofstraße", "Schulstraße", "Kirchplatz", "Marktplatz", "Gartenweg", "Lindenallee", "Am Rathaus"];

    /// <returns>The rows written and the bytes of profile JSON.</returns>
    public static async Task<(int Rows, long ProfileBytes)> InsertAsync(
        string connectionString, GermanGeography geography, IReadOnlyList<ReceivingServiceEntry> services, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        long bytes = 0;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY organisations (id, name, normalized_name, country, kind, status, status_version, registered_at, status_changed_at, profile, profile_updated_at) " +
            "FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            for (var i = 0; i < services.Count; i++)
            {
                var service = services[i];
                var profile = JsonSerializer.Serialize(ProfileOf(service, geography, i), ProfileJson);
                bytes += profile.Length;
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(service.Id, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(service.Name, NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(Normalize(service.Name), NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync("DE", NpgsqlDbType.Char, cancellationToken);
                await writer.WriteAsync("ReceivingService", NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync("Active", NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(2L, NpgsqlDbType.Bigint, cancellationToken);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                await writer.WriteAsync(profile, NpgsqlDbType.Jsonb, cancellationToken);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        await BumpVersionAsync(connection, cancellationToken);
        await using (var analyze = new NpgsqlCommand("ANALYZE organisations", connection))
        {
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        return (services.Count, bytes);
    }

    /// <summary>Marks the directory changed, as every change through the API does.</summary>
    public static async Task BumpVersionAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await BumpVersionAsync(connection, cancellationToken);
    }

    private static async Task BumpVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var bump = new NpgsqlCommand("UPDATE directory_state SET version = version + 1 WHERE id = 1", connection);
        if (await bump.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new InvalidOperationException("directory_state has no row 1: did the service's migrations run?");
        }
    }

    /// <summary>As the registry normalizes names (Organisation.Normalize): whitespace folded, upper case.</summary>
    private static string Normalize(string name) =>
        string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();

    /// <summary>The profile a receiving service would have saved through PUT /organisations/{id}/profile.</summary>
    public static OrganisationProfile ProfileOf(ReceivingServiceEntry service, GermanGeography geography, int number)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(geography);
        // An address in the service's area: one of its postal codes, else a postal code of its first district, else of its state's first.
        var district = service.Area.Districts.Count > 0
            ? service.Area.Districts.Order(StringComparer.Ordinal).First()
            : service.Area.PostalCodes.Count > 0
                ? geography.DistrictsOf(service.Area.PostalCodes.Order(StringComparer.Ordinal).First())[0].Key
                : geography.DistrictsIn(service.Area.States.Order(StringComparer.Ordinal).First())[0].Key;
        var postalCode = service.Area.PostalCodes.Count > 0
            ? service.Area.PostalCodes.Order(StringComparer.Ordinal).First()
            : geography.PostalCodesIn(district)[0];
        var city = geography.Districts[district].Name;
        var mailbox = $"beratung{number + 1}@dienst{number + 1}.example";
        return new OrganisationProfile(
            new PostalAddress($"{Streets[number % Streets.Length]} {number % 97 + 1}", postalCode, city, "DE"),
            [new OrganisationContact("Beratung", mailbox, null), new OrganisationContact("Leitung", null, "+49 30 1234567")],
            [.. service.Languages.Order(StringComparer.Ordinal)],
            [.. service.Topics.Order(StringComparer.Ordinal)],
            new ReceivingServiceProfile(
                [.. service.ServiceTypes.Order(StringComparer.Ordinal)],
                new ServiceAreaProfile(
                    [.. service.Area.States.Order(StringComparer.Ordinal)],
                    [.. service.Area.Districts.Order(StringComparer.Ordinal)],
                    [.. service.Area.PostalCodes.Order(StringComparer.Ordinal)]),
                new EligibilityProfile(
                    service.Eligibility.MinAge,
                    service.Eligibility.MaxAge,
                    [.. service.Eligibility.Purposes.Order(StringComparer.Ordinal)],
                    [.. service.Eligibility.ResidenceSituations.Order(StringComparer.Ordinal)]),
                new CapacityProfile(service.Capacity.Accepting, service.Capacity.MaxOpenHandovers, service.Capacity.NoCapacityUntil, service.Capacity.Note)));
    }
}
