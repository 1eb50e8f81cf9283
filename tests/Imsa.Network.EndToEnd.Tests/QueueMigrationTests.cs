using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using RabbitMQ.Client;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// The local scripts migrate the classic queues an older build left (docs/operations.md#migrating-classic-queues-to-quorum-queues):
/// an empty one of a service is deleted, for the service to declare it as a quorum queue; one with messages is left and
/// named; nothing is touched while a service consumes; a second run has nothing to do and says nothing.
/// </summary>
public sealed class QueueMigrationTests
{
    [Fact]
    public async Task Migration_DeletesEmptyClassicQueuesOfTheServices_LeavesFullOnes_AndWaitsWhileServicesConsume()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync("migration");
        await using var connection = await vhost.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync("partners-empty", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueDeclareAsync("counselling-empty_error", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueDeclareAsync("handovers-full", durable: true, exclusive: false, autoDelete: false);
        await channel.BasicPublishAsync(string.Empty, "handovers-full", "waiting"u8.ToArray());
        await channel.QueueDeclareAsync("elsewhere-empty", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueDeclareAsync("handovers-quorum", durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        // A service consumes: the network runs, so nothing may go.
        var consumer = await channel.BasicConsumeAsync("handovers-quorum", autoAck: false, new AsyncEventingBasicConsumerStub(channel));
        await UntilListedAsync(vhost, queues => queues.Single(q => q.Name == "handovers-quorum").Consumers == 1
            && queues.Single(q => q.Name == "handovers-full").Messages == 1);

        var (_, whileRunning) = await MigrateAsync(vhost.Name);
        whileRunning.Should().Contain("services are consuming");
        (await vhost.QueueNamesAsync()).Should().Contain(["partners-empty", "counselling-empty_error", "handovers-full"]);

        await channel.BasicCancelAsync(consumer);
        await UntilListedAsync(vhost, queues => queues.Single(q => q.Name == "handovers-quorum").Consumers == 0);
        var (exitCode, output) = await MigrateAsync(vhost.Name);

        exitCode.Should().Be(0, output);
        var left = await vhost.QueuesAsync();
        left.Select(q => q.Name).Should().BeEquivalentTo(["handovers-full", "elsewhere-empty", "handovers-quorum"],
            "the services' empty classic queues are gone; another's, a full one and a quorum one stay");
        output.Should().Contain("deleted the empty classic queue partners-empty").And.Contain("counselling-empty_error")
            .And.Contain("handovers-full").And.Contain("Messaging__QuorumQueues=false");
        (await vhost.MessageCountAsync("handovers-full")).Should().Be(1, "a message is never deleted");

        await channel.QueueDeleteAsync("handovers-full");
        await UntilListedAsync(vhost, queues => queues.All(q => q.Name != "handovers-full"));
        var (_, again) = await MigrateAsync(vhost.Name);
        again.Should().BeEmpty("nothing is left to migrate");
    }

    private static async Task<(int ExitCode, string Output)> MigrateAsync(string vhost)
    {
        var start = new ProcessStartInfo("bash", ["-c", """. deploy/local/infra.sh && imsa_rabbitmq_quorum_migration "$1" """, "migrate", vhost])
        {
            WorkingDirectory = TestRepository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // No terminal to ask for a sudo password on: a step that needs one fails instead of waiting.
            RedirectStandardInput = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, (await output) + (await errors));
    }

    /// <summary>The management API's counts are statistics, refreshed every few seconds: the script reads them, so the test waits for them.</summary>
    private static async Task UntilListedAsync(RabbitMqVirtualHost vhost, Func<IReadOnlyList<ListedQueue>, bool> done)
    {
        using var management = new HttpClient { BaseAddress = new Uri($"http://{TestInfrastructure.RabbitMqHost}:{TestInfrastructure.RabbitMqManagementPort}/api/") };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestInfrastructure.RabbitMqUser}:{TestInfrastructure.RabbitMqPassword}")));
        await Eventually.Until(
            async () => (await management.GetFromJsonAsync<List<ListedQueue>>($"queues/{Uri.EscapeDataString(vhost.Name)}?columns=name,messages,consumers"))!,
            queues => queues.All(q => q.Messages is not null) && done(queues),
            "the management API's counts");
    }

    private sealed record ListedQueue(string Name, long? Messages, long? Consumers);

    private sealed class AsyncEventingBasicConsumerStub(IChannel channel) : AsyncDefaultBasicConsumer(channel);
}
