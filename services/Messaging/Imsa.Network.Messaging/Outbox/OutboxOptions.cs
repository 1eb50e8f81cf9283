namespace Imsa.Network.Messaging.Outbox;

/// <summary>Relay settings, bound from the "Messaging:Outbox" configuration section.</summary>
public sealed class OutboxOptions
{
    /// <summary>Rows locked and published per transaction.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Fallback scan when no commit signal arrives (rows written by another instance or before a crash).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Failed publishes (while the broker is reachable) before a row is quarantined.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Backoff after the first failed attempt; doubles each time up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one publish may wait for the broker's confirm.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Set false to run an instance that writes events but never publishes (tests, maintenance).</summary>
    public bool RelayEnabled { get; set; } = true;
}
