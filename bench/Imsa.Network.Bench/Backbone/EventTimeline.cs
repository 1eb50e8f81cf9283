using System.Collections.Concurrent;
using System.Diagnostics;
using Imsa.Network.Bench.Measurement;

namespace Imsa.Network.Bench.Backbone;

/// <summary>
/// Stopwatch timestamps of each event of one run at each stage of the backbone: the writer's transaction
/// began and committed, the relay began and finished its publish (confirm included), the consumer's
/// transaction committed. Zero means "not seen".
/// </summary>
public sealed class EventTimeline
{
    private readonly long[] _writeStarted;
    private readonly long[] _writeCommitted;
    private readonly long[] _publishStarted;
    private readonly long[] _publishEnded;
    private readonly long[] _consumed;
    private readonly ulong[] _deliveryTags;
    private readonly ConcurrentDictionary<Guid, int> _indexByMessageId;
    private readonly TaskCompletionSource _allConsumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _publishedCount;
    private int _consumedCount;

    public EventTimeline(int phase, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Phase = phase;
        Count = count;
        _writeStarted = new long[count];
        _writeCommitted = new long[count];
        _publishStarted = new long[count];
        _publishEnded = new long[count];
        _consumed = new long[count];
        _deliveryTags = new ulong[count];
        _indexByMessageId = new ConcurrentDictionary<Guid, int>(Environment.ProcessorCount, count);
    }

    public int Phase { get; }

    public int Count { get; }

    public int PublishedCount => Volatile.Read(ref _publishedCount);

    public int ConsumedCount => Volatile.Read(ref _consumedCount);

    /// <summary>Completes when every event's effect has been committed once.</summary>
    public Task AllConsumed => _allConsumed.Task;

    public void OnWriteStarted(int index, Guid messageId, long timestamp)
    {
        _writeStarted[index] = timestamp;
        _indexByMessageId[messageId] = index;
    }

    public void OnWriteCommitted(int index, long timestamp) => _writeCommitted[index] = timestamp;

    /// <summary>The relay's publish of <paramref name="messageId"/> ran from <paramref name="started"/> to <paramref name="ended"/>.</summary>
    public void OnPublished(Guid messageId, long started, long ended)
    {
        if (_indexByMessageId.TryGetValue(messageId, out var index)
            && Interlocked.CompareExchange(ref _publishEnded[index], ended, 0) == 0)
        {
            _publishStarted[index] = started;
            Interlocked.Increment(ref _publishedCount);
        }
    }

    /// <summary>
    /// The consumer committed the effect of event <paramref name="index"/>, which the broker delivered with
    /// <paramref name="deliveryTag"/> (its position in the queue's delivery order); duplicates count once.
    /// </summary>
    public void OnConsumed(int index, long timestamp, ulong deliveryTag)
    {
        if ((uint)index < (uint)Count && Interlocked.CompareExchange(ref _consumed[index], timestamp, 0) == 0)
        {
            _deliveryTags[index] = deliveryTag;
            if (Interlocked.Increment(ref _consumedCount) == Count)
            {
                _allConsumed.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Events the broker delivered before one with a lower index: when the indexes were published in order, the
    /// publishes that overtook an earlier one on the way to the queue.
    /// </summary>
    public int DeliveredOutOfIndexOrder()
    {
        var byDelivery = Enumerable.Range(0, Count).Where(i => _deliveryTags[i] != 0).OrderBy(i => _deliveryTags[i]).ToArray();
        return byDelivery.Zip(byDelivery.Skip(1)).Count(pair => pair.Second < pair.First);
    }

    public long FirstWriteStarted => _writeStarted.Where(t => t != 0).DefaultIfEmpty().Min();

    public long LastWriteStarted => _writeStarted.Max();

    public long LastWriteCommitted => _writeCommitted.Max();

    public long LastConsumed => _consumed.Max();

    /// <summary>From the writer's transaction start to the consumer's commit.</summary>
    public DurationStats EndToEnd() => Between(_writeStarted, _consumed);

    /// <summary>The writer's SaveChanges (state row and outbox row in one transaction).</summary>
    public DurationStats WriteTransaction() => Between(_writeStarted, _writeCommitted);

    /// <summary>From the writer's commit until the relay begins to publish the row.</summary>
    public DurationStats RelayPickup() => Between(_writeCommitted, _publishStarted);

    /// <summary>The relay's publish of one row, until the broker's confirm.</summary>
    public DurationStats PublishUntilConfirm() => Between(_publishStarted, _publishEnded);

    /// <summary>From the relay's publish until the consumer's commit (routing, delivery, consumer transaction).</summary>
    public DurationStats PublishToEffect() => Between(_publishStarted, _consumed);

    /// <summary>The relay's publishes in the order they began: (started, ended) Stopwatch timestamps.</summary>
    public IReadOnlyList<(long Started, long Ended)> Publishes() =>
        Enumerable.Range(0, Count)
            .Where(i => _publishEnded[i] != 0)
            .Select(i => (_publishStarted[i], _publishEnded[i]))
            .OrderBy(p => p.Item1)
            .ToArray();

    private DurationStats Between(long[] from, long[] to) =>
        DurationStats.Of(Enumerable.Range(0, Count)
            .Where(i => from[i] != 0 && to[i] != 0)
            .Select(i => Stopwatch.GetElapsedTime(from[i], to[i]).TotalMilliseconds));
}
