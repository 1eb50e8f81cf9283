using System.Collections.Frozen;

namespace Imsa.Network.Reference;

/// <param name="Code">The service type code used in directory entries and events.</param>
/// <param name="German">The German name of the service.</param>
/// <param name="English">An English name.</param>
public sealed record ServiceType(string Code, string German, string English);

/// <summary>The kinds of receiving migration services in Germany a handover can go to.</summary>
public static class ServiceTypes
{
    public const string Mbe = "MBE";
    public const string Jmd = "JMD";
    public const string Mfd = "MFD";
    public const string Avb = "AVB";
    public const string Iq = "IQ";
    public const string Fi = "FI";
    public const string Fm = "FM";
    public const string Other = "OTHER";

    public static readonly IReadOnlyList<ServiceType> All =
    [
        new(Mbe, "Migrationsberatung für erwachsene Zugewanderte", "Migration counselling for adult immigrants"),
        new(Jmd, "Jugendmigrationsdienst", "Youth migration service"),
        new(Mfd, "Migrationsfachdienst", "Specialist migration service of a Land"),
        new(Avb, "Asylverfahrensberatung", "Asylum procedure counselling"),
        new(Iq, "IQ Anerkennungs- und Qualifizierungsberatung", "IQ recognition and qualification counselling"),
        new(Fi, "Faire Integration", "Fair Integration (labour rights of non-EU workers)"),
        new(Fm, "Faire Mobilität", "Fair Mobility (labour rights of EU workers)"),
        new(Other, "Sonstiger Dienst", "Other service"),
    ];

    public static readonly FrozenSet<string> Codes = All.Select(t => t.Code).ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, ServiceType> ByCode = All.ToFrozenDictionary(t => t.Code, StringComparer.Ordinal);
}
