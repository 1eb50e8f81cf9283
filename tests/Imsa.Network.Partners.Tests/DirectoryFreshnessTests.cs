using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Handovers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Imsa.Network.Partners.Tests;

/// <summary>
/// Matching answers from the instance's last directory snapshot, never reading the database per query: a change made
/// through this instance is in its very next answer, a change made elsewhere within about a second, handover loads
/// reach it without any consumer transaction touching the directory's shared row, and a rebuild holds up no query.
/// </summary>
public sealed class DirectoryFreshnessTests(ServiceFixture<Program> service) : IClassFixture<ServiceFixture<Program>>
{
    private const string District = "07315"; // Kreisfreie Stadt Mainz; 55116 is in it.

    private HttpClient Partners => service.Client;

    [Fact]
    public async Task AProfileOrStatusChange_IsInTheVeryNextMatch_OfTheSameInstance_WithOrWithoutAnIdempotencyKey()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (receiver, token) = await RegisterReceiverAsync(coordinator, accepting: true, maxOpenHandovers: 20);
        (await FindAsync(coordinator, receiver)).Should().Be("match");

        // No waiting between a change and the query: a snapshot checked once a second would still show the old one.
        for (var round = 0; round < 3; round++)
        {
            (await Partners.SendAsAsync(token, HttpMethod.Put, $"/organisations/{receiver}/profile", Profile(accepting: false, 20),
                idempotencyKey: Guid.NewGuid().ToString())).StatusCode.Should().Be(HttpStatusCode.OK);
            (await FindAsync(coordinator, receiver)).Should().Be("excluded", "the change committed with the Idempotency-Key's row (round {0})", round);

            (await Partners.SendAsAsync(token, HttpMethod.Put, $"/organisations/{receiver}/profile", Profile(accepting: true, 20)))
                .StatusCode.Should().Be(HttpStatusCode.OK);
            (await FindAsync(coordinator, receiver)).Should().Be("match", "the change committed in the endpoint's own transaction (round {0})", round);
        }

        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{receiver}/suspend")).EnsureSuccessStatusCode();
        (await FindAsync(coordinator, receiver)).Should().Be("absent");
        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{receiver}/reinstate", idempotencyKey: Guid.NewGuid().ToString()))
            .EnsureSuccessStatusCode();
        (await FindAsync(coordinator, receiver)).Should().Be("match");
    }

    [Fact]
    public async Task AChangeMadeElsewhere_ReachesMatching_WithinAboutASecond()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (receiver, _) = await RegisterReceiverAsync(coordinator, accepting: true, maxOpenHandovers: 20);
        (await FindAsync(coordinator, receiver)).Should().Be("match");

        // As another replica or an operator would: the change and the version bump, committed, not through this instance.
        var renamed = $"Renamed {Guid.NewGuid():N}";
        await service.Database.ExecuteAsync("UPDATE organisations SET name = $1 WHERE id = $2", renamed, receiver);
        await service.Database.ExecuteAsync("UPDATE directory_state SET version = version + 1 WHERE id = 1");
        var changed = Stopwatch.StartNew();

        await Eventually.Until(() => NameInMatchAsync(coordinator, receiver), name => name == renamed, "the new name in matching", TimeSpan.FromSeconds(10));
        changed.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(4), "each instance checks the directory's version once a second");
    }

    [Fact]
    public async Task WhileARebuildIsHeldUp_QueriesAreAnsweredFromTheLastSnapshot()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (receiver, _) = await RegisterReceiverAsync(coordinator, accepting: true, maxOpenHandovers: 20);
        (await FindAsync(coordinator, receiver)).Should().Be("match");

        // The rebuild reads organisations; this transaction keeps it from doing so until it ends.
        await using var blocker = new NpgsqlConnection(service.Database.ConnectionString);
        await blocker.OpenAsync();
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE organisations IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            await service.Database.ExecuteAsync("UPDATE directory_state SET version = version + 1 WHERE id = 1");
            await Task.Delay(DirectoryCatalogInterval * 2.5);
            for (var i = 0; i < 5; i++)
            {
                var query = FindAsync(coordinator, receiver);
                (await Task.WhenAny(query, Task.Delay(TimeSpan.FromSeconds(5)))).Should().BeSameAs(query, "no query waits for the rebuild");
                (await query).Should().Be("match");
            }

            (await service.Database.CountAsync("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM organisations%'"))
                .Should().BeGreaterThan(0, "the rebuild was under way, waiting for the lock");
            await transaction.RollbackAsync();
        }

        (await FindAsync(coordinator, receiver)).Should().Be("match");
    }

    [Fact]
    public async Task HandoverEvents_AreConsumedWhileTheDirectoryRowIsLocked_AndTheirLoadReachesMatching()
    {
        var coordinator = await Partners.GetCoordinatorTokenAsync();
        var (receiver, _) = await RegisterReceiverAsync(coordinator, accepting: true, maxOpenHandovers: 3);
        var bus = service.Factory.Services.GetRequiredService<IBus>();
        var (first, second, caseId, origin, now) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), DateTimeOffset.UtcNow);
        var loadBefore = await LoadVersionAsync();

        // Holding directory_state's row: a consumer that updated it in its transaction would wait here until the end.
        await using var blocker = new NpgsqlConnection(service.Database.ConnectionString);
        await blocker.OpenAsync();
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using (var lockRow = new NpgsqlCommand("SELECT version FROM directory_state WHERE id = 1 FOR UPDATE", blocker, transaction))
            {
                await lockRow.ExecuteScalarAsync();
            }

            await bus.Publish(new HandoverOffered(first, caseId, origin, receiver, now.AddDays(7), 2, now));
            await bus.Publish(new HandoverAccepted(second, caseId, origin, receiver, 3, now));
            await Eventually.UntilCount(
                () => service.Database.CountAsync($"SELECT count(*) FROM receiver_handovers WHERE receiver_organisation_id = '{receiver}' AND open"),
                2, "both handovers committed while the directory's row is locked", TimeSpan.FromSeconds(15));
            await transaction.RollbackAsync();
        }

        var released = Stopwatch.StartNew();
        await Eventually.Until(() => OpenOfAsync(coordinator, receiver), open => open == "2 of 3", "the load in matching", TimeSpan.FromSeconds(10));
        released.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(4), "the load version is bumped after the commits and checked once a second");
        (await LoadVersionAsync()).Should().BeGreaterThan(loadBefore, "the replicas learn of loads through the load version");

        await bus.Publish(new HandoverCompleted(second, caseId, origin, receiver, 5, now));
        await Eventually.Until(() => OpenOfAsync(coordinator, receiver), open => open == "1 of 3", "the ended handover out of the load", TimeSpan.FromSeconds(10));
    }

    private static TimeSpan DirectoryCatalogInterval => Imsa.Network.Partners.Data.DirectoryCatalog.CheckInterval;

    private Task<long> LoadVersionAsync() => service.Database.CountAsync("SELECT load_version FROM directory_state WHERE id = 1");

    private async Task<(Guid Id, string Token)> RegisterReceiverAsync(string coordinator, bool accepting, int maxOpenHandovers)
    {
        var created = await (await Partners.SendAsAsync(coordinator, HttpMethod.Post, "/organisations",
            new { name = $"JMD {Guid.NewGuid():N}", country = "DE", kind = "receiving-service" })).Content.ReadFromJsonAsync<JsonObject>();
        var id = Guid.Parse((string)created!["id"]!);
        var client = await Partners.OnboardAsync(coordinator, id);
        (await Partners.SendAsAsync(coordinator, HttpMethod.Post, $"/organisations/{id}/verify")).EnsureSuccessStatusCode();
        var token = await Partners.GetTokenAsync(client.ClientId, client.ClientSecret);
        (await Partners.SendAsAsync(token, HttpMethod.Put, $"/organisations/{id}/profile", Profile(accepting, maxOpenHandovers))).EnsureSuccessStatusCode();
        return (id, token);
    }

    private static object Profile(bool accepting, int maxOpenHandovers) => new
    {
        languages = new[] { "de" },
        topics = new[] { "EDU" },
        receiving = new
        {
            serviceTypes = new[] { "JMD" },
            area = new { districts = new[] { District } },
            eligibility = new { minAge = 12, maxAge = 26 },
            capacity = new { accepting, maxOpenHandovers },
        },
    };

    private async Task<JsonObject> MatchAsync(string token)
    {
        var response = await Partners.SendAsAsync(token, HttpMethod.Post, "/directory/matches",
            new { postalCode = "55116", age = 19, purpose = "vocational-training", explainExclusions = true });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>"match", "excluded" (in the state but not suggested) or "absent" (not in the directory).</summary>
    private async Task<string> FindAsync(string token, Guid receiver)
    {
        var answer = await MatchAsync(token);
        return answer["matches"]!.AsArray().Any(m => (Guid)m!["organisationId"]! == receiver) ? "match"
            : answer["exclusions"]!.AsArray().Any(e => (Guid)e!["organisationId"]! == receiver) ? "excluded"
            : "absent";
    }

    private async Task<string?> NameInMatchAsync(string token, Guid receiver) =>
        (string?)(await MatchAsync(token))["matches"]!.AsArray().FirstOrDefault(m => (Guid)m!["organisationId"]! == receiver)?["name"];

    private async Task<string?> OpenOfAsync(string token, Guid receiver)
    {
        var answer = await MatchAsync(token);
        return answer["matches"]!.AsArray().Concat(answer["exclusions"]!.AsArray())
            .Where(m => (Guid)m!["organisationId"]! == receiver)
            .SelectMany(m => m!["reasons"]!.AsArray().Select(r => (string?)r))
            .Select(r => r is null ? null : System.Text.RegularExpressions.Regex.Match(r, @"\d+ of \d+").Value)
            .FirstOrDefault(r => !string.IsNullOrEmpty(r));
    }
}
