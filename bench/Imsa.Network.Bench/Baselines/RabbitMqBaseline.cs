using System.Diagnostics;
using Imsa.Network.Bench.Measurement;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Imsa.Network.Bench.Baselines;

/// <summary>
/// What RabbitMQ itself delivers here, with RabbitMQ.Client 7 and no MassTransit, outbox or database:
/// persistent messages to a durable queue with publisher confirms, consumed and acknowledged one by one.
/// </summary>
/// <param name="ConfirmWindow">Publishes whose confirm may be outstanding at once.</param>
/// <param name="SequentialConfirmsPerSecond">Publishing one message at a time, awaiting each confirm (as the outbox relay does).</param>
public sealed record RabbitMqBaselineResult(
    int Messages,
    int BodyBytes,
    int Prefetch,
    int ConfirmWindow,
    double Seconds,
    double MessagesPerSecond,
    double PublishedPerSecond,
    int SequentialMessages,
    double SequentialConfirmsPerSecond,
    DurationStats SequentialConfirm,
    CpuUsage Cpu);

public static class RabbitMqBaseline
{
    /// <summary>About the size of the backbone's MassTransit envelope of one event (the report prints the measured size).</summary>
    public const int BodyBytes = 1_200;

    private const string Queue = "bench-raw";
    private const int ConfirmWindow = 100;
    private const int WarmupMessages = 2_000;
    private const int MaxWarmupRounds = 10;
    private const int SequentialMessages = 2_000;

    public static async Task<RabbitMqBaselineResult> RunAsync(BenchSettings settings, string virtualHost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var factory = new ConnectionFactory
        {
            HostName = settings.RabbitMqHost,
            Port = settings.RabbitMqPort,
            VirtualHost = virtualHost,
            UserName = settings.RabbitMqUser,
            Password = settings.RabbitMqPassword,
            ClientProvidedName = "imsa-bench-raw",
        };
        // Separate connections, as a publishing and a consuming service would have.
        await using var publisherConnection = await factory.CreateConnectionAsync(cancellationToken);
        await using var consumerConnection = await factory.CreateConnectionAsync(cancellationToken);
        await using var publisher = await publisherConnection.CreateChannelAsync(
            new CreateChannelOptions(
                publisherConfirmationsEnabled: true,
                publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: null),
            cancellationToken);
        await using var consumerChannel = await consumerConnection.CreateChannelAsync(cancellationToken: cancellationToken);

        await publisher.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await consumerChannel.BasicQosAsync(0, settings.PrefetchCount, global: false, cancellationToken);
        var deliveries = new DeliveryCounter();
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await consumerChannel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
            deliveries.Increment();
        };
        await consumerChannel.BasicConsumeAsync(Queue, autoAck: false, consumer, cancellationToken);

        var message = new Message(new BasicProperties { Persistent = true, ContentType = "application/json" }, new byte[BodyBytes]);
        Array.Fill(message.Body, (byte)'x');

        long sent = 0;
        await JitWarmup.UntilSettledAsync(
            async () =>
            {
                sent += WarmupMessages;
                var warmedUp = deliveries.Expect(sent);
                await PublishWindowedAsync(publisher, message, WarmupMessages, cancellationToken);
                await warmedUp.WaitAsync(cancellationToken);
            },
            MaxWarmupRounds);

        var messages = settings.BaselineCount;
        var allDelivered = deliveries.Expect(sent += messages);
        var cpuBefore = CpuSnapshot.Take();
        var start = Stopwatch.GetTimestamp();
        await PublishWindowedAsync(publisher, message, messages, cancellationToken);
        var published = Stopwatch.GetTimestamp();
        await allDelivered.WaitAsync(cancellationToken);
        var cpu = cpuBefore.Until(CpuSnapshot.Take());
        var seconds = Stopwatch.GetElapsedTime(start, deliveries.LastDeliveredAt).TotalSeconds;

        var sequentialDelivered = deliveries.Expect(sent += SequentialMessages);
        var confirms = new double[SequentialMessages];
        var sequentialStart = Stopwatch.GetTimestamp();
        for (var i = 0; i < SequentialMessages; i++)
        {
            var publishStart = Stopwatch.GetTimestamp();
            await publisher.BasicPublishAsync(string.Empty, Queue, mandatory: true, message.Properties, message.Body, cancellationToken);
            confirms[i] = Stopwatch.GetElapsedTime(publishStart).TotalMilliseconds;
        }

        var sequentialSeconds = Stopwatch.GetElapsedTime(sequentialStart).TotalSeconds;
        await sequentialDelivered.WaitAsync(cancellationToken);

        return new RabbitMqBaselineResult(
            messages,
            BodyBytes,
            settings.PrefetchCount,
            ConfirmWindow,
            seconds,
            messages / seconds,
            messages / Stopwatch.GetElapsedTime(start, published).TotalSeconds,
            SequentialMessages,
            SequentialMessages / sequentialSeconds,
            DurationStats.Of(confirms),
            cpu);
    }

    /// <summary>Publishes with up to <see cref="ConfirmWindow"/> confirms outstanding, oldest awaited first.</summary>
    private static async Task PublishWindowedAsync(IChannel channel, Message message, int count, CancellationToken cancellationToken)
    {
        var outstanding = new Queue<Task>(ConfirmWindow);
        for (var i = 0; i < count; i++)
        {
            if (outstanding.Count == ConfirmWindow)
            {
                await outstanding.Dequeue();
            }

            outstanding.Enqueue(channel.BasicPublishAsync(string.Empty, Queue, mandatory: true, message.Properties, message.Body, cancellationToken).AsTask());
        }

        await Task.WhenAll(outstanding);
    }

    private sealed record Message(BasicProperties Properties, byte[] Body);

    /// <summary>Counts acknowledged deliveries and completes a task when a given total is reached.</summary>
    private sealed class DeliveryCounter
    {
        private long _count;
        private long _target = long.MaxValue;
        private long _lastDeliveredAt;
        private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long LastDeliveredAt => Interlocked.Read(ref _lastDeliveredAt);

        public Task Expect(long total)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _reached, reached);
            Volatile.Write(ref _target, total);
            if (Interlocked.Read(ref _count) >= total)
            {
                reached.TrySetResult();
            }

            return reached.Task;
        }

        public void Increment()
        {
            var count = Interlocked.Increment(ref _count);
            Interlocked.Exchange(ref _lastDeliveredAt, Stopwatch.GetTimestamp());
            if (count >= Volatile.Read(ref _target))
            {
                Volatile.Read(ref _reached).TrySetResult();
            }
        }
    }
}
