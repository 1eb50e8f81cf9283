using System.Diagnostics;
using Imsa.Network.Messaging;
using MassTransit;

namespace Imsa.Network.Bench.Backbone;

/// <summary>
/// Watches the backbone without changing it: the relay's publishes through its activity source
/// ("Imsa.Network.Messaging", one activity per row around Publish and its confirm, tagged with the MessageId)
/// and the consumer's commits through a MassTransit consume observer. Feeds the current run's timeline.
/// </summary>
public sealed class BackboneProbe : IDisposable
{
    private const string StartedProperty = "imsa.bench.started";
    private const string MessageIdTag = "messaging.message.id";

    private readonly ActivityListener _listener;
    private EventTimeline? _current;
    private long _envelopeBytes;
    private int _faults;

    public BackboneProbe()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MessagingTelemetry.SourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = static activity => activity.SetCustomProperty(StartedProperty, Stopwatch.GetTimestamp()),
            ActivityStopped = OnActivityStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Size of one event's MassTransit envelope on the wire, as the consumer received it.</summary>
    public long EnvelopeBytes => Interlocked.Read(ref _envelopeBytes);

    /// <summary>Consumer faults seen (each goes to a retry, then to the _error queue); expected to stay 0.</summary>
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>Starts recording a run; events of other phases (stragglers of the one before) are ignored.</summary>
    public EventTimeline Begin(int phase, int count)
    {
        var timeline = new EventTimeline(phase, count);
        Volatile.Write(ref _current, timeline);
        return timeline;
    }

    public void End() => Volatile.Write(ref _current, null);

    public void OnConsumed(ConsumeContext<BenchOrderPlaced> context)
    {
        var now = Stopwatch.GetTimestamp();
        if (Volatile.Read(ref _current) is { } timeline && timeline.Phase == context.Message.Phase)
        {
            var deliveryTag = context.TryGetPayload<RabbitMqBasicConsumeContext>(out var delivery) ? delivery.DeliveryTag : 0;
            timeline.OnConsumed(context.Message.Index, now, deliveryTag);
        }

        if (Interlocked.Read(ref _envelopeBytes) == 0 && context.ReceiveContext.Body.Length is { } length)
        {
            Interlocked.Exchange(ref _envelopeBytes, length);
        }
    }

    public void OnFault() => Interlocked.Increment(ref _faults);

    public void Dispose() => _listener.Dispose();

    private void OnActivityStopped(Activity activity)
    {
        var ended = Stopwatch.GetTimestamp();
        if (activity.GetTagItem(MessageIdTag) is Guid messageId
            && activity.GetCustomProperty(StartedProperty) is long started
            && Volatile.Read(ref _current) is { } timeline)
        {
            timeline.OnPublished(messageId, started, ended);
        }
    }
}

/// <summary>Tells the probe when the consumer has committed (PostConsume runs after the consumer returned).</summary>
public sealed class BackboneConsumeObserver(BackboneProbe probe) : IConsumeObserver
{
    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        if (context is ConsumeContext<BenchOrderPlaced> placed)
        {
            probe.OnConsumed(placed);
        }

        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class
    {
        probe.OnFault();
        return Task.CompletedTask;
    }
}
