using System.Collections.Concurrent;

namespace Imsa.Network.Messaging;

/// <summary>The receive queues of this service, as MassTransit configured them (their dead letters are "&lt;queue&gt;_error").</summary>
public sealed class ReceiveQueues
{
    private readonly ConcurrentDictionary<string, bool> _names = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Names => [.. _names.Keys.Order(StringComparer.Ordinal)];

    public bool Contains(string name) => _names.ContainsKey(name);

    internal void Add(string name) => _names.TryAdd(name, true);
}
