using System.Globalization;

namespace Imsa.Network.Testing;

/// <summary>Dates relative to today, so tests do not expire: a planned arrival is always some months ahead.</summary>
public static class TestDates
{
    /// <summary>The first day of the month four months from now (UTC).</summary>
    public static DateOnly Arrival { get; } = FirstOfMonth(DateTime.UtcNow.AddMonths(4));

    public static string ArrivalText => Text(Arrival);

    public static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly FirstOfMonth(DateTime day) => new(day.Year, day.Month, 1);
}
