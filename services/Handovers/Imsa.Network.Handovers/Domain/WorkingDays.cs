namespace Imsa.Network.Handovers.Domain;

/// <summary>Deadlines in working days (Monday to Friday; public holidays are not counted out).</summary>
internal static class WorkingDays
{
    public static DateTimeOffset Add(DateTimeOffset from, int days)
    {
        var at = from;
        var left = days;
        while (left > 0)
        {
            at = at.AddDays(1);
            if (at.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                left--;
            }
        }

        return at;
    }

    /// <summary>
    /// <paramref name="days"/> working days before <paramref name="to"/>, at the same time of day: the reverse of
    /// <see cref="Add"/> (a deadline on Monday 10:00, one working day before, is Friday 10:00).
    /// </summary>
    public static DateTimeOffset Subtract(DateTimeOffset to, int days)
    {
        var at = to;
        var left = days;
        while (left > 0)
        {
            at = at.AddDays(-1);
            if (at.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                left--;
            }
        }

        return at;
    }
}
