using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Imsa.Network.Contracts.Counselling;
using RabbitMQ.Client;

namespace Imsa.Network.Handovers.Tests;

/// <summary>The Handovers service reaching its database through a proxy that a test can cut.</summary>
public sealed class HandoversBehindAProxy : HandoversService
{
    public TcpProxy DatabaseLink { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> ExtraSettings
    {
        get
        {
            DatabaseLink = Database.Proxy();
            return new Dictionary<string, string?> { ["ConnectionStrings:Database"] = Database.ConnectionStringVia(DatabaseLink) };
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await DatabaseLink.DisposeAsync();
    }
}

/// <summary>While the database is away, requests answer 503 with Retry-After, never 500, and readiness says why.</summary>
public sealed class OutageTests(HandoversBehindAProxy service) : IClassFixture<HandoversBehindAProxy>
{
    [Fact]
    public async Task DatabaseAway_ReadsAndWritesAnswer503WithRetryAfter_ReadinessNamesTheDatabase_ThenItAllWorksAgain()
    {
        var scene = await Scene.SetUpAsync(service);

        service.DatabaseLink.Cut();
        try
        {
            foreach (var (method, uri, body) in new (HttpMethod, string, object?)[]
            {
                (HttpMethod.Get, "/handovers/outgoing", null),
                (HttpMethod.Post, "/handovers", new { caseId = scene.CaseId, receiverOrganisationId = scene.Receiver.Id, topics = new[] { "EDU" } }),
            })
            {
                var response = await service.SendAsync(scene.Origin, method, uri, body);
                response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, $"{method} {uri}");
                response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(5));
                ((int?)(await response.ReadProblemAsync())["status"]).Should().Be(503);
            }

            var ready = await service.Client.GetAsync("/health/ready");
            ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            var checks = (await ready.Content.ReadFromJsonAsync<JsonObject>())!["checks"]!;
            ((string?)checks["database"]).Should().Be("Unhealthy");
            ((string?)checks["broker"]).Should().Be("Healthy");
        }
        finally
        {
            service.DatabaseLink.Restore();
        }

        await Eventually.Until(
            () => service.SendAsync(scene.Origin, HttpMethod.Get, "/handovers/outgoing"),
            response => response.StatusCode == HttpStatusCode.OK,
            "the service to answer again");
        (await service.Client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeadLettersOfAnOutage_AreReplayedInBulk_ThoseOfTheirOwnFailureStay()
    {
        var coordinator = await service.OrganisationAsync("coordinator");
        var owner = await service.OrganisationAsync("origin-partner");
        const string queue = "handovers-case-events";

        // A genuine dead letter (its table gone), then restored: the envelope the copies below are made of.
        await service.Database.ExecuteAsync("ALTER TABLE case_owners RENAME TO case_owners_away");
        await service.PublishAsync(new CaseOpened(Guid.NewGuid(), owner.Id, "study", null, null, null, DateTimeOffset.UtcNow));
        await Eventually.Until(() => service.VirtualHost.MessageCountAsync(queue + "_error"), n => n == 1, "the dead letter");
        await service.Database.ExecuteAsync("ALTER TABLE case_owners_away RENAME TO case_owners");

        // As an older build dead-lettered them: two while the database was away, one for a reason of its own.
        var away = (Case: Guid.NewGuid(), Id: Guid.NewGuid());
        var shutDown = (Case: Guid.NewGuid(), Id: Guid.NewGuid());
        var own = (Case: Guid.NewGuid(), Id: Guid.NewGuid());
        await using (var connection = await service.VirtualHost.ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            var template = (await channel.BasicGetAsync(queue + "_error", autoAck: true))!;
            await RepublishAsync(channel, queue + "_error", template, away, "Npgsql.NpgsqlException", "Failed to connect to 127.0.0.1:5432");
            await RepublishAsync(channel, queue + "_error", template, shutDown, "Npgsql.PostgresException", "57P01: terminating connection due to administrator command");
            await RepublishAsync(channel, queue + "_error", template, own, "Npgsql.PostgresException", "23505: duplicate key value violates unique constraint");
        }

        // Published without confirms: listed once the broker holds all three.
        await Eventually.Until(() => service.VirtualHost.MessageCountAsync(queue + "_error"), n => n == 3, "the three dead letters");
        var listed = (await (await service.SendAsync(coordinator, HttpMethod.Get, "/admin/dead-letters")).Content.ReadFromJsonAsync<JsonArray>())!
            .Single(q => (string?)q!["queue"] == queue)!["messages"]!.AsArray();
        listed.Where(m => (bool)m!["passing"]!).Select(m => (Guid?)m!["messageId"]).Should().BeEquivalentTo([away.Id, shutDown.Id]);

        var replayed = await service.SendAsync(coordinator, HttpMethod.Post, "/admin/dead-letters/replay-passing?reason=after%20the%20outage");

        replayed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await replayed.Content.ReadFromJsonAsync<JsonArray>())!.Single(r => (string?)r!["queue"] == queue)!["count"]!.GetValue<int>().Should().Be(2);
        foreach (var caseId in new[] { away.Case, shutDown.Case })
        {
            await Eventually.UntilCount(() => service.Database.CountAsync($"SELECT count(*) FROM case_owners WHERE case_id = '{caseId}'"), 1, "the replayed case to be known");
        }

        (await service.Database.CountAsync($"SELECT count(*) FROM case_owners WHERE case_id = '{own.Case}'")).Should().Be(0);
        (await service.VirtualHost.MessageCountAsync(queue + "_error")).Should().Be(1, "the message that failed for its own reason stays");
        var audit = (await (await service.SendAsync(coordinator, HttpMethod.Get, "/admin/audit")).Content.ReadFromJsonAsync<JsonArray>())!;
        ((string?)audit.First(e => (string?)e!["action"] == "dead-letter.replay-passing")!["reason"]).Should().Be("after the outage");
    }

    /// <summary>A copy of <paramref name="template"/> for another case under another message id, with the fault headers given.</summary>
    private static async Task RepublishAsync(IChannel channel, string errorQueue, BasicGetResult template, (Guid Case, Guid Id) copy, string exceptionType, string exceptionMessage)
    {
        var envelope = JsonNode.Parse(template.Body.Span)!.AsObject();
        envelope["messageId"] = copy.Id.ToString();
        envelope["message"]!["caseId"] = copy.Case.ToString();
        var headers = template.BasicProperties.Headers!.ToDictionary(h => h.Key, h => h.Value);
        headers["MT-Fault-ExceptionType"] = Encoding.UTF8.GetBytes(exceptionType);
        headers["MT-Fault-Message"] = Encoding.UTF8.GetBytes(exceptionMessage);
        var properties = new BasicProperties(template.BasicProperties) { MessageId = copy.Id.ToString(), Headers = headers };
        await channel.BasicPublishAsync(string.Empty, errorQueue, mandatory: true, properties, Encoding.UTF8.GetBytes(envelope.ToJsonString()));
    }
}
