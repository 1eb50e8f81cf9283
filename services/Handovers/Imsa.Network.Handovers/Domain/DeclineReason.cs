namespace Imsa.Network.Handovers.Domain;

/// <summary>
/// Why a handover was declined; the origin partner and the statistics learn from it. The first six are the receiving
/// service's (<see cref="DeclineReasons.ByReceiver"/>); the rest are the service's own, for a request that could not
/// be offered when its case and consent arrived, or that waited for them in vain.
/// </summary>
public enum DeclineReason
{
    NoCapacity,
    NotEligible,
    OutsideServiceArea,
    LanguageNotAvailable,
    Duplicate,
    Other,

    /// <summary>No case of the origin's with the id reached this service in time (never opened, someone else's, or erased).</summary>
    CaseNotFound,

    /// <summary>No active consent naming the receiver reached this service in time.</summary>
    NoConsent,

    /// <summary>The receiver stopped taking handovers (not active, paused, not accepting, at capacity) while the request waited.</summary>
    ReceiverUnavailable,

    /// <summary>The case's processing is restricted (GDPR Art. 18).</summary>
    CaseRestricted,

    /// <summary>The origin is no longer active.</summary>
    OriginNotActive,
}

/// <summary>Who may give which reason.</summary>
public static class DeclineReasons
{
    /// <summary>What a receiving service may decline with (POST /handovers/{id}/decline, GET /reference/decline-reasons).</summary>
    public static readonly IReadOnlyList<DeclineReason> ByReceiver =
    [
        DeclineReason.NoCapacity, DeclineReason.NotEligible, DeclineReason.OutsideServiceArea,
        DeclineReason.LanguageNotAvailable, DeclineReason.Duplicate, DeclineReason.Other,
    ];
}
