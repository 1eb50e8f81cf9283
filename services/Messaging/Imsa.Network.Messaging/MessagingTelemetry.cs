using System.Diagnostics;

namespace Imsa.Network.Messaging;

/// <summary>The activity source of the outbox relay; MassTransit's own is "MassTransit".</summary>
public static class MessagingTelemetry
{
    public const string SourceName = "Imsa.Network.Messaging";

    internal static readonly ActivitySource Source = new(SourceName);
}
