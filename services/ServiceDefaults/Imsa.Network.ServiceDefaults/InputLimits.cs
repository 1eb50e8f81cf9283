namespace Imsa.Network.ServiceDefaults;

/// <summary>
/// The caps every request of every service is held to before an endpoint sees it (InputChecks,
/// BoundedDates); endpoints may set tighter ones for their own fields. docs/api.md lists them.
/// </summary>
public static class InputLimits
{
    /// <summary>A request body: 1 MiB, ample for the largest case.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>A JSON string that is not free text (names, codes, ids, addresses, URLs), a query value, a form value.</summary>
    public const int MaxTextLength = 1_000;

    /// <summary>A JSON string an endpoint declares free text : session notes are the longest.</summary>
    public const int MaxFreeTextLength = 10_000;

    /// <summary>A JSON array: a service area of many postal codes is the longest list the API takes.</summary>
    public const int MaxArrayItems = 1_000;

    /// <summary>The earliest date or timestamp a request may hold.</summary>
    public static readonly DateOnly EarliestDate = new(1900, 1, 1);

    /// <summary>The latest date or timestamp a request may hold (the last day of it).</summary>
    public static readonly DateOnly LatestDate = new(2199, 12, 31);
}
