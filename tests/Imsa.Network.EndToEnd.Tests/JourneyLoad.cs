using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>A journey the load completed: everything in it was acknowledged to the client.</summary>
public sealed record CompletedJourney(Guid CaseId, Guid HandoverId);

/// <summary>
/// Complete handover journeys from several clients at once, each as a careful client makes it: every write under an
/// Idempotency-Key of its own, sent again with the same key after a 503 (a dependency away) and, for the handover
/// request, while the case or consent is still on its way to Handovers (404, 409); behind the gateway, also after a 502
/// (the instance that had the request was killed), and after a 409 for a race lost to another change of the ticket. Any
/// other answer is a failure.
/// </summary>
public sealed class JourneyLoad : IAsyncDisposable
{
    private readonly INetworkApis _network;
    private readonly Member _partner;
    private readonly Member _receiver;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];

    private JourneyLoad(INetworkApis network, Member partner, Member receiver)
    {
        _network = network;
        _partner = partner;
        _receiver = receiver;
    }

    public ConcurrentQueue<CompletedJourney> Completed { get; } = new();

    /// <summary>Answers no careful client should ever get (a 500, a 422 for a valid request, ...), with the step.</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    /// <summary>503 answers seen: the outage as clients saw it.</summary>
    public int Unavailable => _unavailable;

    private int _unavailable;

    /// <summary>502 answers seen: requests in flight on an instance that was killed, sent again.</summary>
    public int LostInFlight => _lostInFlight;

    private int _lostInFlight;

    /// <summary>409 answers for a race lost to another change of the ticket, sent again.</summary>
    public int LostRaces => _lostRaces;

    private int _lostRaces;

    public static JourneyLoad Start(INetworkApis network, Member partner, Member receiver, int workers)
    {
        var load = new JourneyLoad(network, partner, receiver);
        for (var i = 0; i < workers; i++)
        {
            load._workers.Add(Task.Run(load.WorkAsync));
        }

        return load;
    }

    /// <summary>Waits until at least <paramref name="count"/> journeys have completed; fails at once when every client has given up.</summary>
    public async Task UntilCompletedAsync(int count)
    {
        var completed = await Eventually.Until(
            () => Task.FromResult(Completed.Count), n => n >= count || _workers.TrueForAll(w => w.IsCompleted), $"{count} journeys to complete", TimeSpan.FromSeconds(90));
        if (completed < count)
        {
            throw new InvalidOperationException($"Every client gave up after {completed} journeys: {string.Join("; ", Failures)}");
        }
    }

    /// <summary>Starts no new journey; the ones under way are finished.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                Completed.Enqueue(await JourneyAsync());
            }
            catch (JourneyFailed failed)
            {
                Failures.Enqueue(failed.Message);
                return;
            }
            catch (HttpRequestException ex)
            {
                Failures.Enqueue($"no answer: {ex.Message}");
                return;
            }
        }
    }

    private async Task<CompletedJourney> JourneyAsync()
    {
        var opened = await WriteAsync("open case", _partner, _network.Counselling, "/cases", Samples.Case(), HttpStatusCode.Created);
        var caseId = (Guid)opened["id"]!;
        await WriteAsync("record consent", _partner, _network.Counselling, $"/cases/{caseId}/consents", Samples.Consent(_receiver.Id), HttpStatusCode.Created);
        var requested = await WriteAsync(
            "request handover", _partner, _network.Handovers, "/handovers",
            new { caseId, receiverOrganisationId = _receiver.Id, topics = new[] { "EDU" }, plannedArrival = TestDates.ArrivalText },
            HttpStatusCode.Created);
        var handoverId = (Guid)requested["id"]!;
        // Not offered yet while the case and consent are on their way to Handovers: the receiver does not see it.
        await WriteAsync("accept", _receiver, _network.Handovers, $"/handovers/{handoverId}/accept", null, HttpStatusCode.OK, HttpStatusCode.NotFound);
        await WriteAsync(
            "first contact", _receiver, _network.Handovers, $"/handovers/{handoverId}/outcomes",
            new { outcome = "first-contact-made", occurredOn = DateOnly.FromDateTime(DateTime.UtcNow) }, HttpStatusCode.OK);
        return new CompletedJourney(caseId, handoverId);
    }

    /// <summary>Sends the write until it answers <paramref name="expected"/>: again after a 503, or after one of <paramref name="awaiting"/>.</summary>
    private async Task<JsonObject> WriteAsync(
        string step, Member caller, HttpClient service, string uri, object? body, HttpStatusCode expected, params HttpStatusCode[] awaiting)
    {
        var key = Guid.NewGuid().ToString();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var response = await service.SendAsAsync(caller.Token, HttpMethod.Post, uri, body, key);
            if (response.StatusCode == expected)
            {
                return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            }

            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Interlocked.Increment(ref _unavailable);
            }
            else if (response.StatusCode == HttpStatusCode.BadGateway)
            {
                // Behind the gateway: the instance that had the request went away under it (killed). The change
                // happened or not; the same key makes the repeat safe either way.
                Interlocked.Increment(ref _lostInFlight);
            }
            else if (response.StatusCode == HttpStatusCode.Conflict
                && (await response.Content.ReadAsStringAsync()).Contains("changed meanwhile", StringComparison.Ordinal))
            {
                // A race lost to another change of the ticket (the SLA job's escalation): the answer says read and try again.
                Interlocked.Increment(ref _lostRaces);
            }
            else if (!awaiting.Contains(response.StatusCode))
            {
                throw new JourneyFailed($"{step}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new JourneyFailed($"{step}: still {(int)response.StatusCode} after 90 s");
            }

            await Task.Delay(100);
        }
    }

    private sealed class JourneyFailed(string message) : Exception(message);
}

/// <summary>What journeys open and consent to.</summary>
public static class Samples
{
    public static object Case() => new
    {
        identity = new { givenNames = "Amina", familyName = "Example", dateOfBirth = "2007-05-02", nationalities = new[] { "MA" } },
        migrationPlan = new { purpose = "vocational-training", plannedArrival = TestDates.ArrivalText, destinationPostalCode = "55116" },
    };

    public static object Consent(Guid receiver) => new
    {
        recipients = new[] { receiver },
        categories = new[] { "identity", "migration-plan" },
        method = "signed-form",
        obtainedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
        textLanguage = "en",
        textVersion = "1",
        validUntil = DateTimeOffset.UtcNow.AddYears(1),
    };
}
