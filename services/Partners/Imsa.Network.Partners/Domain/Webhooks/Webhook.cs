namespace Imsa.Network.Partners.Domain.Webhooks;

/// <summary>The events an organisation can hear about by webhook, as the payloads name them.</summary>
public static class WebhookEventTypes
{
    public const string HandoverOffered = "handover.offered";
    public const string HandoverAccepted = "handover.accepted";
    public const string HandoverDeclined = "handover.declined";
    public const string HandoverWithdrawn = "handover.withdrawn";
    public const string HandoverRevoked = "handover.revoked";
    public const string HandoverOutcomeRecorded = "handover.outcome-recorded";
    public const string HandoverEscalated = "handover.escalated";
    public const string HandoverCompleted = "handover.completed";
    public const string ConsentWithdrawn = "consent.withdrawn";

    public static readonly IReadOnlyList<string> All =
    [
        HandoverOffered, HandoverAccepted, HandoverDeclined, HandoverWithdrawn, HandoverRevoked, HandoverOutcomeRecorded,
        HandoverEscalated, HandoverCompleted, ConsentWithdrawn,
    ];
}

/// <summary>An organisation's HTTPS endpoint for the events that concern it, signed with a secret of its own.</summary>
internal sealed class WebhookSubscription
{
    public Guid Id { get; init; }

    public Guid OrganisationId { get; init; }

    public required string Url { get; init; }

    /// <summary>The event types it wants; empty means all.</summary>
    public required List<string> EventTypes { get; init; }

    /// <summary>The HMAC-SHA256 key, sealed (<see cref="WebhookSecrets"/>); shown once when made or rotated.</summary>
    public byte[]? SealedSecret { get; set; }

    /// <summary>The master key that sealed <see cref="SealedSecret"/>.</summary>
    public string? SecretKeyId { get; set; }

    /// <summary>A secret kept in clear before secrets were sealed; sealed and cleared by <see cref="WebhookSecrets.Refresh"/>.</summary>
    public string? LegacySecret { get; set; }

    /// <summary>The secret before the last rotation, sealed; it signs too until <see cref="PreviousSecretUntil"/>.</summary>
    public byte[]? PreviousSealedSecret { get; set; }

    public string? PreviousSecretKeyId { get; set; }

    public DateTimeOffset? PreviousSecretUntil { get; set; }

    /// <summary>PostgreSQL's row version: a rotation and a re-sealing at the same moment do not overwrite each other.</summary>
    public uint Version { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DeletedAt { get; set; }

    public bool Wants(string eventType) => EventTypes.Count == 0 || EventTypes.Contains(eventType);
}

public enum WebhookDeliveryStatus
{
    Pending,
    Delivered,
    Failed,
}

/// <summary>
/// A case erased in Counselling (CaseErased): the delivery log keeps nothing of it once its deliveries are done
/// (<see cref="ErasedCaseDeliveries"/>).
/// </summary>
internal sealed class ErasedCase
{
    public Guid CaseId { get; init; }

    public DateTimeOffset ErasedAt { get; init; }
}

/// <summary>One event for one subscription: its payload, and how its delivery went.</summary>
internal sealed class WebhookDelivery
{
    public Guid Id { get; init; }

    public Guid SubscriptionId { get; init; }

    /// <summary>The event's id (its MessageId): the receiver de-duplicates by it; one delivery per subscription and event.</summary>
    public Guid EventId { get; init; }

    public required string EventType { get; init; }

    public required string Payload { get; init; }

    public WebhookDeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Until when a dispatcher has taken it (several instances may run).</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}
