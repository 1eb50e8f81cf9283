using System.Diagnostics.Metrics;
using Imsa.Network.Handovers.Data;
using Imsa.Network.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Handovers.Domain;

/// <summary>
/// The Handovers meter ("Imsa.Network.Handovers"): handovers by state (read from the database, cached), offers the SLA
/// job escalated, receivers it reminded of an answer deadline and accepted handovers it flagged for follow-up. The only
/// label is the state's code.
/// </summary>
internal sealed class HandoversMetrics
{
    public const string MeterName = "Imsa.Network.Handovers";

    private readonly Counter<long> _escalations;
    private readonly Counter<long> _reminders;
    private readonly Counter<long> _followUps;
    private readonly CachedReading<Dictionary<HandoverStatus, long>> _byState;

    public HandoversMetrics(
        IMeterFactory meters, IServiceScopeFactory scopes, IOptions<MetricsOptions> options, TimeProvider time, ILogger<HandoversMetrics> logger)
    {
        var meter = meters.Create(MeterName);
        _escalations = meter.CreateCounter<long>(
            "imsa.handovers.sla.escalations", "{handover}", "Offers escalated to the coordinators for want of an answer in time.");
        _reminders = meter.CreateCounter<long>(
            "imsa.handovers.sla.reminders", "{handover}", "Offers whose receiver was reminded that the answer deadline is near.");
        _followUps = meter.CreateCounter<long>(
            "imsa.handovers.sla.follow_ups", "{handover}", "Accepted handovers flagged for follow-up for want of first contact.");
        _byState = new CachedReading<Dictionary<HandoverStatus, long>>(
            async cancellationToken =>
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<HandoversDbContext>();
                return await db.Tickets.GroupBy(t => t.Status)
                    .Select(g => new { Status = g.Key, Count = g.LongCount() })
                    .ToDictionaryAsync(g => g.Status, g => g.Count, cancellationToken);
            },
            options.Value.GaugeCacheDuration,
            time,
            logger);
        meter.CreateObservableGauge("imsa.handovers.tickets", ObserveByState, "{handover}", "Handovers by state.");
    }

    public void Escalated(int count)
    {
        if (count > 0)
        {
            _escalations.Add(count);
        }
    }

    public void RemindedOfAnswer(int count)
    {
        if (count > 0)
        {
            _reminders.Add(count);
        }
    }

    public void FlaggedForFollowUp(int count)
    {
        if (count > 0)
        {
            _followUps.Add(count);
        }
    }

    // Every state, 0 included, so a state's series does not vanish when its last handover moves on.
    private IEnumerable<Measurement<long>> ObserveByState() =>
        _byState.Current is { } counts
            ? Enum.GetValues<HandoverStatus>().Select(status =>
                new Measurement<long>(counts.GetValueOrDefault(status), new KeyValuePair<string, object?>("state", EnumCodes.Of(status))))
            : [];
}
