using System.Collections.Concurrent;
using System.Text.Json;

namespace Imsa.Network.Messaging.Outbox;

/// <summary>How an outbox row names its contract type, and how the relay finds the type again.</summary>
internal static class OutboxMessageTypes
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static readonly ConcurrentDictionary<string, Type?> Resolved = new(StringComparer.Ordinal);

    public static string NameOf(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    public static Type? Resolve(string name) => Resolved.GetOrAdd(name, static n => Type.GetType(n, throwOnError: false));
}
