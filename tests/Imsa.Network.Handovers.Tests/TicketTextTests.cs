using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Imsa.Network.Access;
using Imsa.Network.Contracts.Counselling;

namespace Imsa.Network.Handovers.Tests;

/// <summary>
/// The tickets' free text at rest: sealed under a key of the case, readable by the two parties, shredded with the
/// case, sealed anew after a master key rotation, and sealed when it was kept in clear before.
/// </summary>
public sealed class TicketTextTests(TicketTextTests.TextService service) : IClassFixture<TicketTextTests.TextService>
{
    /// <summary>Upkeep every fraction of a second, and a second master key, no longer active, to rotate away from.</summary>
    public sealed class TextService : HandoversService
    {
        public const string OldKeyId = "old";

        public static readonly string OldKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Encryption:RotationInterval"] = "00:00:00.300",
            [$"Encryption:MasterKeys:{OldKeyId}"] = OldKey,
        };
    }

    [Fact]
    public async Task TheMessageAndTheDeclineNote_AreStoredSealed_TheirAnswersToo_AndBothPartiesReadThem()
    {
        var scene = await Scene.SetUpAsync(service);
        const string message = "Herr Sealcheck-Message kommt am 3. April.";
        const string note = "Frau Sealcheck-Note ist uns bekannt.";
        var requested = await service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers",
            new { caseId = scene.CaseId, receiverOrganisationId = scene.Receiver.Id, message }, idempotencyKey: $"request-{scene.CaseId}");
        requested.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (string)(await requested.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        (await service.SendAsync(scene.Receiver, HttpMethod.Post, $"/handovers/{id}/decline", new { reason = "other", note }, idempotencyKey: $"decline-{id}"))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        foreach (var party in new[] { scene.Origin, scene.Receiver })
        {
            var read = await service.ReadAsync(party, id);
            ((string?)read["message"]).Should().Be(message);
            ((string?)read["declineNote"]).Should().Be(note);
        }

        var outgoing = (await (await service.SendAsync(scene.Origin, HttpMethod.Get, $"/handovers/outgoing?caseId={scene.CaseId}")).Content.ReadFromJsonAsync<JsonArray>())!;
        ((string?)outgoing.Single()!["message"]).Should().Be(message);
        foreach (var value in new[] { "Sealcheck-Message", "Sealcheck-Note" })
        {
            (await service.Database.CountAsync($"SELECT count(*) FROM handover_tickets t WHERE t::text LIKE '%{value}%' "
                + $"OR position(convert_to('{value}', 'UTF8') in coalesce(t.sealed_message, ''::bytea) || coalesce(t.sealed_decline_note, ''::bytea)) > 0")).Should().Be(0);
            (await service.Database.CountAsync("SELECT count(*) FROM idempotency.requests")).Should().BeGreaterThan(0);
            (await service.Database.CountAsync(
                $"SELECT count(*) FROM idempotency.requests r WHERE position(convert_to('{value}', 'UTF8') in coalesce(r.body, ''::bytea)) > 0"))
                .Should().Be(0, "the kept answers are sealed under the case's key as well");
        }

        // A repeat gets the first answer back, opened.
        var repeated = await service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers",
            new { caseId = scene.CaseId, receiverOrganisationId = scene.Receiver.Id, message }, idempotencyKey: $"request-{scene.CaseId}");
        ((string?)(await repeated.Content.ReadFromJsonAsync<JsonObject>())!["message"]).Should().Be(message);
    }

    [Fact]
    public async Task AfterTheErasure_TheKeyIsGone_TheTextIsNull_AndARepeatOfAnAnswerThatHeldItIsGone()
    {
        var scene = await Scene.SetUpAsync(service);
        var requested = await service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers",
            new { caseId = scene.CaseId, receiverOrganisationId = scene.Receiver.Id, message = "Erasecheck text" }, idempotencyKey: $"erase-{scene.CaseId}");
        requested.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (string)(await requested.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        var sealedBefore = await service.Database.CountAsync($"SELECT count(*) FROM case_text_keys WHERE case_id = '{scene.CaseId}'");
        sealedBefore.Should().Be(1);

        await service.PublishAsync(new CaseErased(scene.CaseId, scene.Origin.Id, DateTimeOffset.UtcNow));
        await service.StatusAsync(id, "Revoked");

        (await service.Database.CountAsync($"SELECT count(*) FROM case_text_keys WHERE case_id = '{scene.CaseId}'")).Should().Be(0);
        (await service.ReadAsync(scene.Receiver, id))["message"].Should().BeNull();
        var repeated = await service.SendAsync(scene.Origin, HttpMethod.Post, "/handovers",
            new { caseId = scene.CaseId, receiverOrganisationId = scene.Receiver.Id, message = "Erasecheck text" }, idempotencyKey: $"erase-{scene.CaseId}");
        repeated.StatusCode.Should().Be(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task ACaseKeyWrappedByAnOlderMasterKey_IsWrappedAnewUnderTheActiveOne_AndItsTextStillOpens()
    {
        var scene = await Scene.SetUpAsync(service);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;

        // As if the key had been made before the rotation: the same data key, wrapped by the old master key.
        var wrapped = await ReadWrappedKeyAsync(scene.CaseId);
        var dataKey = Sealing.Open(Convert.FromBase64String(TestMasterKey.Value), wrapped, WrapContext(scene.CaseId, TestMasterKey.Id));
        await service.Database.ExecuteAsync(
            $"UPDATE case_text_keys SET master_key_id = '{TextService.OldKeyId}', wrapped_key = $1 WHERE case_id = '{scene.CaseId}'",
            Sealing.Seal(Convert.FromBase64String(TextService.OldKey), dataKey, WrapContext(scene.CaseId, TextService.OldKeyId)));

        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM case_text_keys WHERE case_id = '{scene.CaseId}' AND master_key_id = '{TestMasterKey.Id}'"),
            1,
            "the case's key to be wrapped under the active master key");
        ((string?)(await service.ReadAsync(scene.Receiver, id))["message"]).Should().Be("Starts an apprenticeship in April.");
    }

    [Fact]
    public async Task TextKeptInClearBeforeSealingExisted_IsReadable_AndSealedByTheUpkeep()
    {
        var scene = await Scene.SetUpAsync(service);
        var id = (string)(await service.RequestAsync(scene.Origin, scene.CaseId, scene.Receiver))["id"]!;
        await service.Database.ExecuteAsync(
            $"UPDATE handover_tickets SET message = 'Legacycheck clear text', sealed_message = NULL, decline_note = 'Legacycheck note' WHERE id = '{id}'");

        await Eventually.UntilCount(
            () => service.Database.CountAsync($"SELECT count(*) FROM handover_tickets WHERE id = '{id}' AND message IS NULL AND decline_note IS NULL "
                + "AND sealed_message IS NOT NULL AND sealed_decline_note IS NOT NULL"),
            1,
            "the clear text to be sealed");
        var read = await service.ReadAsync(scene.Origin, id);
        ((string?)read["message"]).Should().Be("Legacycheck clear text");
        ((string?)read["declineNote"]).Should().Be("Legacycheck note");
    }

    private async Task<byte[]> ReadWrappedKeyAsync(Guid caseId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(service.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT wrapped_key FROM case_text_keys WHERE case_id = '{caseId}'", connection);
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    // The documented binding of a wrapped case text key (docs/privacy.md#handovers-free-text).
    private static byte[] WrapContext(Guid caseId, string masterKeyId) => Encoding.UTF8.GetBytes($"imsa-handover-text-key|{caseId:N}|{masterKeyId}");
}
