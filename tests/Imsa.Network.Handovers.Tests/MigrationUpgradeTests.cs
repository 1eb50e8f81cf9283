using Imsa.Network.Handovers.Data;
using Imsa.Network.Handovers.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Imsa.Network.Handovers.Tests;

/// <summary>
/// A release's migrations run against a database full of the previous release's data, not an empty one: each test
/// migrates a fresh database to an earlier migration, fills it with SQL as that schema was, and migrates it to this
/// build's newest.
/// </summary>
public sealed class MigrationUpgradeTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync("upgrade");

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task WaitingRequests_OnTicketsInEveryStatus_KeepsThemAll_AndChangesTheIndexes()
    {
        // The migration before WaitingRequests, whose unique index still counted requested tickets as open.
        await MigrateAsync("20261202222913_RetentionRuns");
        var tickets = Enum.GetValues<HandoverStatus>().ToDictionary(_ => Guid.NewGuid(), status => status);
        foreach (var (id, status) in tickets)
        {
            await InsertTicketAsync(id, Guid.NewGuid(), Guid.NewGuid(), status);
        }

        // One case and receiver: declined twice, then offered again — what the unique index must let through.
        var (caseId, receiver) = (Guid.NewGuid(), Guid.NewGuid());
        foreach (var status in new[] { HandoverStatus.Declined, HandoverStatus.Declined, HandoverStatus.Offered })
        {
            var id = Guid.NewGuid();
            tickets[id] = status;
            await InsertTicketAsync(id, caseId, receiver, status);
        }

        await MigrateAsync(target: null);

        (await _database.CountAsync("SELECT count(*) FROM handover_tickets")).Should().Be(tickets.Count);
        foreach (var (id, status) in tickets)
        {
            (await _database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE id = '{id}' AND status = '{status}'"))
                .Should().Be(1, $"ticket {id} keeps its status {status}");
        }

        (await IndexAsync("ix_handover_tickets_one_open_per_case_and_receiver")).Should()
            .Contain("UNIQUE").And.Contain("Offered").And.NotContain("Requested");
        (await IndexAsync("ix_handover_tickets_waiting")).Should().Contain("Requested");
        // The new index in effect: a request waiting beside the offered ticket of the same case and receiver.
        await InsertTicketAsync(Guid.NewGuid(), caseId, receiver, HandoverStatus.Requested);
    }

    [Fact]
    public async Task StatisticsFacts_AddingNotNullColumns_ToPopulatedTables_KeepsTheRows()
    {
        // The migration before StatisticsFacts, which added known_organisations.service_types and case_owners.purpose,
        // both NOT NULL: without a default for the rows already there, it fails on any database but an empty one.
        await MigrateAsync("20261123161437_AdminAudit");
        var organisation = Guid.NewGuid();
        await _database.ExecuteAsync(
            "INSERT INTO known_organisations (id, kind, country, status, registered_at) VALUES ($1, 'receiving-service', 'DE', 'active', now())",
            organisation);
        var caseId = Guid.NewGuid();
        await _database.ExecuteAsync(
            "INSERT INTO case_owners (case_id, owner_organisation_id, erased, updated_at) VALUES ($1, $2, false, now())", caseId, Guid.NewGuid());

        await MigrateAsync(target: null);

        (await _database.CountAsync($"SELECT count(*) FROM known_organisations WHERE id = '{organisation}' AND service_types = '{{}}'")).Should().Be(1);
        (await _database.CountAsync($"SELECT count(*) FROM case_owners WHERE case_id = '{caseId}' AND purpose = '' AND NOT restricted")).Should().Be(1);
    }

    [Fact]
    public async Task AnswerReminders_ArmsTheReminderOfOffersMadeBefore_ADayBeforeTheirDeadline_AndOfNoOtherTicket()
    {
        // The migration before AnswerReminders, whose offers had a deadline and no reminder.
        await MigrateAsync("20261203064201_WaitingRequests");
        var offered = Guid.NewGuid();
        var escalated = Guid.NewGuid();
        foreach (var (id, status) in new[] { (offered, HandoverStatus.Offered), (escalated, HandoverStatus.Escalated) })
        {
            await InsertTicketAsync(id, Guid.NewGuid(), Guid.NewGuid(), status);
            await _database.ExecuteAsync("UPDATE handover_tickets SET answer_due_at = '2027-03-10T09:30:00Z' WHERE id = $1", id);
        }

        await MigrateAsync(target: null);

        (await _database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE id = '{offered}' AND answer_reminder_at = '2027-03-09T09:30:00Z'"))
            .Should().Be(1, "an offer made before the upgrade is reminded a day before its deadline");
        (await _database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE id = '{escalated}' AND answer_reminder_at IS NULL"))
            .Should().Be(1, "an escalated offer is past reminding");
        (await IndexAsync("IX_handover_tickets_answer_reminder_at")).Should().Contain("answer_reminder_at IS NOT NULL");
    }

    /// <summary>Migrates the database to <paramref name="target"/>, or to this build's newest migration.</summary>
    private async Task MigrateAsync(string? target)
    {
        await using var context = new HandoversDbContext(new DbContextOptionsBuilder<HandoversDbContext>().UseNpgsql(_database.ConnectionString).Options);
        await context.GetService<IMigrator>().MigrateAsync(target);
    }

    private Task<int> InsertTicketAsync(Guid id, Guid caseId, Guid receiver, HandoverStatus status) => _database.ExecuteAsync(
        "INSERT INTO handover_tickets (id, case_id, origin_organisation_id, receiver_organisation_id, status, topics, requested_at, updated_at, version) "
        + "VALUES ($1, $2, $3, $4, $5, '{EDU}', now(), now(), 1)",
        id, caseId, Guid.NewGuid(), receiver, status.ToString());

    private async Task<string> IndexAsync(string name)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT indexdef FROM pg_indexes WHERE indexname = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return (await command.ExecuteScalarAsync()) as string ?? throw new InvalidOperationException($"No index {name}.");
    }
}
