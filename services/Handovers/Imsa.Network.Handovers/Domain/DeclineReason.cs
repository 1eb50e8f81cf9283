namespace Imsa.Network.Handovers.Domain;

/// <summary>Why a receiving service declined an offered handover; the origin partner and the statistics learn from it.</summary>
public enum DeclineReason
{
    NoCapacity,
    NotEligible,
    OutsideServiceArea,
    LanguageNotAvailable,
    Duplicate,
    Other,
}
