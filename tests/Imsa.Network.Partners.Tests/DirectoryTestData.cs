using System.Collections.Frozen;
using Imsa.Network.Partners.Domain.Directory;
using Imsa.Network.Reference.Geography;

namespace Imsa.Network.Partners.Tests;

/// <summary>Builders for directory entries and cases; pure, no database.</summary>
internal static class DirectoryTestData
{
    public static readonly DateOnly Today = new(2026, 11, 23);

    public static GermanGeography Geography => GermanGeography.Shared;

    /// <summary>A service of one type with the type's usual eligibility, counselling in German on residence law.</summary>
    public static ReceivingServiceEntry Service(string name, string type, ServiceArea area, Guid? id = null) => new()
    {
        Id = id ?? Guid.NewGuid(),
        Name = name,
        ServiceTypes = [type],
        Area = area,
        Languages = ["de"],
        Topics = ["RES"],
        Eligibility = Eligibility.DefaultFor(type),
    };

    public static ServiceArea InDistricts(params string[] keys) => new() { Districts = keys.ToFrozenSet(StringComparer.Ordinal) };

    public static ServiceArea InStates(params string[] states) => new() { States = states.ToFrozenSet(StringComparer.Ordinal) };

    public static ServiceArea AtPostalCodes(params string[] postalCodes) => new() { PostalCodes = postalCodes.ToFrozenSet(StringComparer.Ordinal) };

    public static CaseProfile Case(string postalCode = "55116", int age = 30, string purpose = "skilled-worker-vocational") =>
        new() { PostalCode = postalCode, Age = age, Purpose = purpose };

    public static DirectoryIndex Index(params ReceivingServiceEntry[] entries) => new(Geography, entries);
}
