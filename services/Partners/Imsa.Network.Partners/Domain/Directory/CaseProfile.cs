using Imsa.Network.Reference;

namespace Imsa.Network.Partners.Domain.Directory;

/// <summary>What the matching needs to know about a case: no name, no contact, no dates of birth.</summary>
internal sealed record CaseProfile
{
    /// <summary>The destination postal code in Germany.</summary>
    public required string PostalCode { get; init; }

    /// <summary>The person's age in years (at arrival, when the first contact will happen).</summary>
    public required int Age { get; init; }

    /// <summary>A <see cref="MigrationPurposes"/> code.</summary>
    public required string Purpose { get; init; }

    /// <summary>A <see cref="ResidenceSituations"/> code; when none is given it is derived from <see cref="Purpose"/>.</summary>
    public string? ResidenceSituation { get; init; }

    /// <summary>ISO 639-1 codes of the languages the person speaks; empty = any service will do.</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];

    /// <summary>Topic codes the person needs counselling on; empty = any service will do.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>The given residence situation, else the one expected for the purpose.</summary>
    public string EffectiveResidenceSituation => ResidenceSituation ?? ResidenceSituations.ExpectedFor(Purpose);
}
