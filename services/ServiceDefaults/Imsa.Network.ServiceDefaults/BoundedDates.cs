using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Imsa.Network.ServiceDefaults;

/// <summary>
/// Dates and timestamps in JSON bodies, read and written as System.Text.Json does, but refused when they lie outside
/// <see cref="InputLimits.EarliestDate"/> to <see cref="InputLimits.LatestDate"/>: no date any endpoint takes is
/// sensible there, and date arithmetic at the edge of the calendar (year 9999 plus five years) throws. A refused date
/// makes the body unreadable: 400, its path named in <c>errors</c> (<see cref="ExceptionProblems"/>).
/// </summary>
public static class BoundedDates
{
    private static readonly DateTime Earliest = InputLimits.EarliestDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
    private static readonly DateTime Latest = InputLimits.LatestDate.ToDateTime(TimeOnly.MaxValue, DateTimeKind.Utc);

    public static void AddTo(IList<JsonConverter> converters)
    {
        ArgumentNullException.ThrowIfNull(converters);
        converters.Add(new Bounded<DateOnly>(date => date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)));
        converters.Add(new Bounded<DateTime>(time => time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time));
        converters.Add(new Bounded<DateTimeOffset>(time => time.UtcDateTime));
    }

    private sealed class Bounded<T>(Func<T, DateTime> utc) : JsonConverter<T>
        where T : struct
    {
        private static readonly JsonConverter<T> Default = (JsonConverter<T>)JsonSerializerOptions.Default.GetConverter(typeof(T));

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var value = Default.Read(ref reader, typeToConvert, options);
            var at = utc(value);
            return at >= Earliest && at <= Latest ? value : throw new DateOutOfRangeException();
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => Default.Write(writer, value, options);
    }
}

/// <summary>A date outside <see cref="InputLimits.EarliestDate"/> to <see cref="InputLimits.LatestDate"/> (<see cref="BoundedDates"/>).</summary>
internal sealed class DateOutOfRangeException : JsonException
{
    public DateOutOfRangeException()
        : base(string.Create(CultureInfo.InvariantCulture, $"A date from {InputLimits.EarliestDate:yyyy-MM-dd} to {InputLimits.LatestDate:yyyy-MM-dd}."))
    {
    }
}
