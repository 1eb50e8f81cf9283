using System.Diagnostics.Metrics;
using Imsa.Network.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;

namespace Imsa.Network.Messaging.Tests;

/// <summary>The backbone's meter: the outbox's depth and age, what the relay published, duplicates skipped, consumers failing.</summary>
public sealed class MetricsTests : BackboneTestBase
{
    private static readonly Dictionary<string, string?> QuickGauges = new() { ["Metrics:GaugeCacheDuration"] = "00:00:00.050" };

    private static MeterRecorder Record(Backbone instance) =>
        new(instance.Services.GetRequiredService<IMeterFactory>(), MessagingMetrics.MeterName);

    [Fact]
    public async Task WaitingRows_ShowAsDepthAndAge_UntilTheRelayPublishesThem_CountedByType()
    {
        await using (var stopped = await Backbone.StartAsync(Database, VirtualHost, relay: false, consumer: false, settings: QuickGauges))
        {
            using var recorder = Record(stopped);
            for (var i = 0; i < 3; i++)
            {
                await stopped.CreateWidgetAsync();
            }

            await Eventually.Until(() => Task.FromResult(recorder.Observe("imsa.messaging.outbox.depth")), depth => depth == 3, "a depth of 3");
            await Eventually.Until(() => Task.FromResult(recorder.Observe("imsa.messaging.outbox.age")), age => age >= 1, "the oldest row's age");
            recorder.Sum("imsa.messaging.outbox.published").Should().Be(0);
        }

        await using var relay = await Backbone.StartAsync(Database, VirtualHost, settings: QuickGauges);
        using var after = Record(relay);
        await Eventually.Until(() => Task.FromResult(after.Observe("imsa.messaging.outbox.depth")), depth => depth == 0, "the outbox drained");
        after.Observe("imsa.messaging.outbox.age").Should().Be(0);
        after.Observe("imsa.messaging.outbox.quarantined").Should().Be(0);
        after.Sum("imsa.messaging.outbox.published", ("message_type", nameof(WidgetCreated))).Should().Be(3);
        after.Sum("imsa.messaging.outbox.publish_failures").Should().Be(0);
    }

    [Fact]
    public async Task ADuplicate_IsCountedAsSkipped_AndAFailingConsumer_ByItsMessageType()
    {
        await using var service = await Backbone.StartAsync(Database, VirtualHost, settings: QuickGauges);
        using var recorder = Record(service);
        var messageId = Guid.NewGuid();
        var message = new WidgetCreated(Guid.NewGuid(), 1);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PublishDirectly(service, messageId, message)));
        await Eventually.Until(() => Task.FromResult(service.Deliveries.Of(messageId)), n => n == 3, "three deliveries");
        recorder.Sum("imsa.messaging.inbox.duplicates", ("consumer", nameof(WidgetCreatedConsumer)), ("message_type", nameof(WidgetCreated)))
            .Should().Be(2);
        recorder.Sum("imsa.messaging.consumer.failures").Should().Be(0);

        await service.CreateWidgetAsync(number: -1);
        await Eventually.Until(
            () => VirtualHost.MessageCountAsync(Backbone.ConsumerQueue + "_error"), n => n == 1, "the poison message in the _error queue");
        // Backbone retries once (Messaging:ConsumerRetry:Limit 1): two attempts, each a failure.
        recorder.Sum("imsa.messaging.consumer.failures", ("consumer", nameof(WidgetCreatedConsumer)), ("message_type", nameof(WidgetCreated)))
            .Should().Be(2);
    }

    [Fact]
    public async Task AReadingThatFails_LeavesTheGaugeOut_WithoutThrowing_UntilOneSucceeds()
    {
        var fail = true;
        var reading = new CachedReading<string>(
            _ => fail ? throw new InvalidOperationException("the database is away") : Task.FromResult("read"),
            TimeSpan.Zero,
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        (await reading.RefreshAsync()).Should().BeNull();
        reading.Current.Should().BeNull();
        fail = false;
        await Eventually.Until(() => Task.FromResult(reading.Current), value => value == "read", "a reading once the database is back");
    }
}
