using System.Globalization;

namespace Imsa.Network.ServiceDefaults;

/// <summary>How list endpoints page: "page" from 1, "pageSize" from 1 to 200; a page beyond the last is merely empty.</summary>
public static class Paging
{
    /// <summary>Far beyond the last page of any list here; (page - 1) * pageSize stays an int.</summary>
    public const int MaxPage = 100_000;

    public const int MaxPageSize = 200;

    /// <summary>Adds what is wrong with <paramref name="page"/> and <paramref name="pageSize"/> to <paramref name="errors"/> (a 422).</summary>
    public static void Check(int page, int pageSize, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (page is < 1 or > MaxPage)
        {
            errors["page"] = [string.Create(CultureInfo.InvariantCulture, $"Pages count from 1 to {MaxPage}.")];
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [string.Create(CultureInfo.InvariantCulture, $"Between 1 and {MaxPageSize}.")];
        }
    }

    /// <summary>The page's rows of an ordered query (checked with <see cref="Check"/> first).</summary>
    public static IQueryable<T> Page<T>(this IQueryable<T> query, int page, int pageSize) =>
        query.Skip((page - 1) * pageSize).Take(pageSize);
}
