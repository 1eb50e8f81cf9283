using System.Collections.Frozen;
using Imsa.Network.Reference;

namespace Imsa.Network.Partners.Domain.Directory;

/// <summary>
/// An immutable snapshot of one active receiving service, as the directory and the matching see it. Modelled on
/// Open Referral HSDS 3 where it fits: <c>service</c> (id, name), <c>service_area</c> (<see cref="Area"/>),
/// <c>language</c> (<see cref="Languages"/>), <c>eligibility</c> (<see cref="Eligibility"/>); HSDS's service
/// <c>status</c> is represented by being in the snapshot at all (only active services are) and, for the
/// short term, by <see cref="Capacity"/>. Service types and topics are the network's own codes.
/// </summary>
internal sealed record ReceivingServiceEntry
{
    public required Guid Id { get; init; }

    public required string Name { get; init; }

    /// <summary><see cref="Reference.ServiceTypes"/> codes (MBE, JMD, ...).</summary>
    public required FrozenSet<string> ServiceTypes { get; init; }

    public required ServiceArea Area { get; init; }

    /// <summary>ISO 639-1 codes of the languages the service counsels in.</summary>
    public FrozenSet<string> Languages { get; init; } = FrozenSet<string>.Empty;

    /// <summary><see cref="Reference.Topics"/> codes the service counsels on.</summary>
    public FrozenSet<string> Topics { get; init; } = FrozenSet<string>.Empty;

    public Eligibility Eligibility { get; init; } = Eligibility.Everyone;

    public Capacity Capacity { get; init; } = Capacity.Open;

    /// <summary>Handovers sent to the service and not yet closed.</summary>
    public int OpenHandovers { get; init; }
}

/// <summary>
/// Where a service counsels people (HSDS <c>service_area</c>): whole states, districts, single postal codes, in
/// any mix. A service covers a postal code if it lists the code, one of the districts the code lies in, or one
/// of those districts' states.
/// </summary>
internal sealed record ServiceArea
{
    /// <summary>ISO 3166-2:DE codes (DE-RP).</summary>
    public FrozenSet<string> States { get; init; } = FrozenSet<string>.Empty;

    /// <summary>5-digit district keys (07315).</summary>
    public FrozenSet<string> Districts { get; init; } = FrozenSet<string>.Empty;

    /// <summary>5-digit postal codes (55116).</summary>
    public FrozenSet<string> PostalCodes { get; init; } = FrozenSet<string>.Empty;
}

/// <summary>Who a service may counsel (HSDS <c>eligibility</c>: minimum_age, maximum_age, eligible_values).</summary>
internal sealed record Eligibility
{
    public static readonly Eligibility Everyone = new();

    /// <summary>Youngest age served, inclusive; none = no lower limit.</summary>
    public int? MinAge { get; init; }

    /// <summary>Oldest age served, inclusive; none = no upper limit.</summary>
    public int? MaxAge { get; init; }

    /// <summary><see cref="MigrationPurposes"/> codes served; empty = every purpose.</summary>
    public FrozenSet<string> Purposes { get; init; } = FrozenSet<string>.Empty;

    /// <summary><see cref="Reference.ResidenceSituations"/> codes served; empty = every situation.</summary>
    public FrozenSet<string> ResidenceSituations { get; init; } = FrozenSet<string>.Empty;

    /// <summary>
    /// The usual eligibility of a service type, a starting point a service can then change: JMD 12–26, MBE 27+
    /// (MBE may also counsel younger people with "adult" concerns, by setting its own range), AVB asylum
    /// applicants only, FI workers from outside the EU, FM EU citizens; MFD, IQ and others everyone.
    /// </summary>
    public static Eligibility DefaultFor(string serviceType) => serviceType switch
    {
        Reference.ServiceTypes.Jmd => new() { MinAge = 12, MaxAge = 26 },
        Reference.ServiceTypes.Mbe => new() { MinAge = 27 },
        Reference.ServiceTypes.Avb => new() { ResidenceSituations = [Reference.ResidenceSituations.AsylumApplicant] },
        Reference.ServiceTypes.Fi => new()
        {
            ResidenceSituations = Reference.ResidenceSituations.Codes
                .Where(code => code != Reference.ResidenceSituations.EuCitizen)
                .ToFrozenSet(StringComparer.Ordinal),
        },
        Reference.ServiceTypes.Fm => new() { ResidenceSituations = [Reference.ResidenceSituations.EuCitizen] },
        _ => Everyone,
    };
}

/// <summary>Whether a service takes new handovers now.</summary>
internal sealed record Capacity
{
    public static readonly Capacity Open = new();

    /// <summary>False while the service takes no handovers at all.</summary>
    public bool Accepting { get; init; } = true;

    /// <summary>Most handovers the service wants open at once; none = no limit declared.</summary>
    public int? MaxOpenHandovers { get; init; }

    /// <summary>The service takes no handovers before this date (e.g. staff on leave); none or past = no pause.</summary>
    public DateOnly? NoCapacityUntil { get; init; }

    /// <summary>The service's own words about its capacity, shown with the exclusion.</summary>
    public string? Note { get; init; }

    /// <summary>The declaration as the network's capacity rule reads it.</summary>
    public ReceiverCapacity Rule => new(Accepting, MaxOpenHandovers, NoCapacityUntil);
}
