using System.Globalization;
using System.Text;
using Imsa.Network.Handovers.Data;
using Imsa.Network.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Handovers.Domain;

/// <summary>
/// One line of a breakdown. Counts are strings: any count from 1 to 4 is "&lt;5" (small-cell suppression), and "*"
/// marks a larger count hidden so that a single small one cannot be worked out from the total.
/// </summary>
public sealed record StatisticsCell(string Key, string Handovers);

/// <param name="AcceptanceRate">Accepted ÷ answered; left out (null) when accepted or declined is from 1 to 4, as it would give them away.</param>
public sealed record AnswerStatistics(string Answered, string Accepted, string Declined, double? AcceptanceRate, double? DeclineRate);

/// <summary>
/// The network in figures, from handover events and organisation data only: no case content, no person. Every
/// count from 1 to 4 is shown as "&lt;5", and a rate or median that could reveal such a count is left out.
/// </summary>
/// <param name="ByServiceType">A handover to a service of several types counts under each.</param>
/// <param name="ByMonth">By month of request (yyyy-MM).</param>
/// <param name="MedianHoursToAnswer">From request to accept or decline; only from 5 answers.</param>
/// <param name="MedianDaysToFirstContact">From acceptance to reported first contact; only from 5 such handovers.</param>
/// <param name="Stale">Offers past their deadline not yet escalated, and accepted handovers past their follow-up date.</param>
public sealed record NetworkStatistics(
    DateTimeOffset ComputedAt,
    string Handovers,
    IReadOnlyList<StatisticsCell> ByOriginCountry,
    IReadOnlyList<StatisticsCell> ByDestinationState,
    IReadOnlyList<StatisticsCell> ByServiceType,
    IReadOnlyList<StatisticsCell> ByPurpose,
    IReadOnlyList<StatisticsCell> ByMonth,
    AnswerStatistics Answers,
    IReadOnlyList<StatisticsCell> DeclineReasons,
    double? MedianHoursToAnswer,
    double? MedianDaysToFirstContact,
    string Open,
    string Escalated,
    string Stale)
{
    public const int Threshold = 5;

    /// <summary>A count of 5 or more hidden because it would reveal a small one by subtraction (secondary suppression).</summary>
    public const string Hidden = "*";

    public static string Suppress(int count) => count is > 0 and < Threshold ? "<5" : count.ToString(CultureInfo.InvariantCulture);

    internal static async Task<NetworkStatistics> ComputeAsync(HandoversDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var facts = await (
            // Offered handovers only: a request declined unoffered (its case or consent never came) is no handover.
            from t in db.Tickets.AsNoTracking().Where(t => t.AnswerDueAt != null)
            join o in db.Organisations on t.OriginOrganisationId equals o.Id into origins
            from origin in origins.DefaultIfEmpty()
            join r in db.Organisations on t.ReceiverOrganisationId equals r.Id into receivers
            from receiver in receivers.DefaultIfEmpty()
            join c in db.Cases on t.CaseId equals c.CaseId into cases
            from kase in cases.DefaultIfEmpty()
            select new
            {
                t.Status,
                OriginCountry = origin == null ? null : origin.Country,
                ServiceTypes = receiver == null ? null : receiver.ServiceTypes,
                DestinationState = kase == null ? null : kase.DestinationState,
                Purpose = kase == null ? null : kase.Purpose,
                t.RequestedAt,
                t.AnsweredAt,
                t.AcceptedAt,
                t.FirstContactAt,
                t.DeclineReason,
                t.AnswerDueAt,
                t.FollowUpDueAt,
            }).ToListAsync(cancellationToken);

        static IReadOnlyList<StatisticsCell> By(IEnumerable<string?> keys)
        {
            var counts = keys
                .Select(k => string.IsNullOrEmpty(k) || k == "--" ? "unknown" : k)
                .GroupBy(k => k, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, Count: g.Count()))
                .ToList();
            // A single small cell could be worked out from the total by subtraction: hide the next smallest too.
            var secondary = counts.Count(c => c.Count is > 0 and < Threshold) == 1
                ? counts.Where(c => c.Count >= Threshold).OrderBy(c => c.Count).Select(c => c.Key).FirstOrDefault()
                : null;
            return counts.Select(c => new StatisticsCell(c.Key, c.Key == secondary ? Hidden : Suppress(c.Count))).ToList();
        }

        var accepted = facts.Count(f => f.AcceptedAt != null);
        var declined = facts.Count(f => f.Status == HandoverStatus.Declined);
        var answered = accepted + declined;
        var rateShown = answered > 0 && accepted is 0 or >= Threshold && declined is 0 or >= Threshold;
        var toAnswer = facts.Where(f => f.AnsweredAt != null).Select(f => (f.AnsweredAt!.Value - f.RequestedAt).TotalHours).ToList();
        var toContact = facts.Where(f => f.FirstContactAt != null && f.AcceptedAt != null).Select(f => (f.FirstContactAt!.Value - f.AcceptedAt!.Value).TotalDays).ToList();
        var stale = facts.Count(f => (f.Status == HandoverStatus.Offered && f.AnswerDueAt <= now) || (f.Status == HandoverStatus.Accepted && f.FollowUpDueAt <= now));

        return new NetworkStatistics(
            now,
            Suppress(facts.Count),
            By(facts.Select(f => f.OriginCountry)),
            By(facts.Select(f => f.DestinationState)),
            By(facts.SelectMany(f => f.ServiceTypes is { Count: > 0 } types ? types.Select(t => (string?)t) : [null])),
            By(facts.Select(f => f.Purpose)),
            By(facts.Select(f => f.RequestedAt.ToString("yyyy-MM", CultureInfo.InvariantCulture))),
            new AnswerStatistics(
                Suppress(answered),
                // Answered = accepted + declined: when one is small, the other would give it away.
                rateShown || answered == 0 ? Suppress(accepted) : accepted is > 0 and < Threshold ? Suppress(accepted) : Hidden,
                rateShown || answered == 0 ? Suppress(declined) : declined is > 0 and < Threshold ? Suppress(declined) : Hidden,
                rateShown ? Math.Round((double)accepted / answered, 3) : null,
                rateShown ? Math.Round((double)declined / answered, 3) : null),
            By(facts.Where(f => f.DeclineReason != null).Select(f => EnumCodes.Of(f.DeclineReason!.Value))),
            Median(toAnswer),
            Median(toContact),
            Suppress(facts.Count(f => HandoverTicket.OpenStatuses.Contains(f.Status))),
            Suppress(facts.Count(f => f.Status == HandoverStatus.Escalated)),
            Suppress(stale));
    }

    private static double? Median(List<double> values)
    {
        if (values.Count < Threshold)
        {
            return null;
        }

        values.Sort();
        var middle = values.Count / 2;
        var median = values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
        return Math.Round(median, 1);
    }

    /// <summary>The same figures as CSV: dimension, key, value.</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("dimension,key,value\n");
        void Row(string dimension, string key, string value) => csv.Append(dimension).Append(',').Append(key).Append(',').Append(value).Append('\n');
        Row("handovers", "all", Handovers);
        foreach (var (dimension, cells) in new[]
                 {
                     ("origin-country", ByOriginCountry), ("destination-state", ByDestinationState), ("service-type", ByServiceType),
                     ("purpose", ByPurpose), ("month", ByMonth), ("decline-reason", DeclineReasons),
                 })
        {
            foreach (var cell in cells)
            {
                Row(dimension, cell.Key, cell.Handovers);
            }
        }

        Row("answers", "answered", Answers.Answered);
        Row("answers", "accepted", Answers.Accepted);
        Row("answers", "declined", Answers.Declined);
        Row("answers", "acceptance-rate", Format(Answers.AcceptanceRate));
        Row("answers", "decline-rate", Format(Answers.DeclineRate));
        Row("time", "median-hours-to-answer", Format(MedianHoursToAnswer));
        Row("time", "median-days-to-first-contact", Format(MedianDaysToFirstContact));
        Row("status", "open", Open);
        Row("status", "escalated", Escalated);
        Row("status", "stale", Stale);
        return csv.ToString();
    }

    private static string Format(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
