namespace Imsa.Network.Partners.Domain.Directory;

/// <summary>
/// A directory search; every filter is optional and all given filters must hold. The area filters mean "serves
/// at least part of": a state finds every service with a state, district or postal code in it; a district finds
/// the services listing it, a postal code in it, or its whole state; a postal code finds the services covering
/// it (the code itself, one of its districts, or one of their states).
/// </summary>
internal sealed record DirectoryQuery
{
    public const int MaxLimit = 500;

    /// <summary>Far beyond the last page of any directory this network will have; offset plus limit stays an int.</summary>
    public const int MaxOffset = 100_000;

    /// <summary>ISO 3166-2:DE code.</summary>
    public string? State { get; init; }

    /// <summary>5-digit district key.</summary>
    public string? District { get; init; }

    public string? PostalCode { get; init; }

    public string? ServiceType { get; init; }

    /// <summary>ISO 639-1 code.</summary>
    public string? Language { get; init; }

    public string? Topic { get; init; }

    public int Offset { get; init; }

    /// <summary>Page size, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 50;
}

/// <summary>One page of a directory search, sorted by name, then id.</summary>
/// <param name="Total">How many services match the filters, over all pages.</param>
internal sealed record DirectoryPage(int Total, int Offset, int Limit, IReadOnlyList<ReceivingServiceEntry> Items);
