using System.Diagnostics;
using System.Globalization;

namespace Imsa.Network.Bench.Journeys;

/// <summary>The HTTP calls of a journey, in order.</summary>
public enum JourneyStep
{
    /// <summary>POST /cases on Counselling (the partner).</summary>
    OpenCase,

    /// <summary>POST /cases/{id}/consents on Counselling (the partner).</summary>
    RecordConsent,

    /// <summary>POST /handovers on Handovers (the partner).</summary>
    RequestHandover,

    /// <summary>POST /handovers/{id}/accept on Handovers (the receiver), tried again while the ticket waits for the case and consent to reach Handovers.</summary>
    Accept,

    /// <summary>GET /cases/{id} on Counselling (the partner), read until the acceptance shows.</summary>
    ReadCase,

    /// <summary>GET /cases/{id}/dossier on Counselling (the receiver).</summary>
    ReadDossier,

    /// <summary>POST /handovers/{id}/outcomes on Handovers (the receiver): first contact made.</summary>
    RecordFirstContact,
}

/// <summary>What one journey took: its calls, and the waits for events between the services.</summary>
public sealed class JourneyTrace
{
    public List<(JourneyStep Step, int Status, double Milliseconds)> Calls { get; } = new(12);

    public long StartedAt { get; init; }

    public long FinishedAt { get; set; }

    /// <summary>From the POST /handovers until the receiver's accept succeeded (the case and consent reaching Handovers, the ticket offered), ms.</summary>
    public double HandoverWait { get; set; }

    /// <summary>From the accept's answer to the first read of the origin's case that shows it accepted, ms.</summary>
    public double Propagation { get; set; }

    /// <summary>Milliseconds since the journey was due (paced runs; 0 in closed loops).</summary>
    public double StartDelay { get; init; }

    public double Milliseconds => Stopwatch.GetElapsedTime(StartedAt, FinishedAt).TotalMilliseconds;
}

/// <summary>A journey ended by an answer it cannot go on from.</summary>
/// <param name="reason">What went wrong, the same text for every journey it happens to (the report counts them by it).</param>
/// <param name="detail">This journey's particulars, e.g. the problem answered.</param>
public sealed class JourneyFailedException(string reason, string detail) : Exception($"{reason}: {detail}")
{
    public string Reason { get; } = reason;
}

/// <summary>
/// One complete handover journey through the REST APIs, as the end-to-end test walks it: the partner opens a case and
/// records a consent naming the receiver, then requests the handover; the receiver accepts (retrying while the ticket
/// waits, not yet offered, for the case and consent to reach Handovers); the partner reads its case until the
/// acceptance shows (the closed loop; Counselling's consumer of HandoverAccepted writes the row that both shows the
/// status and opens the dossier); the receiver reads the dossier and records first contact.
/// </summary>
public sealed class Journey(JourneyApi api, JourneySettings settings)
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(15);
    private static readonly string[] Categories = ["identity", "contact", "migration-plan", "counselling-history"];
    private static readonly string[] Topics = ["EDU", "LANG"];
    private static int _number;

    /// <param name="trace">Where the journey's calls and waits go, also when it fails.</param>
    /// <param name="settling">Before the measurements: a consent naming a receiver Counselling has not heard of yet (422) is tried again too.</param>
    public async Task RunAsync(JourneyTrace trace, Member partner, Member receiver, bool settling, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(partner);
        ArgumentNullException.ThrowIfNull(receiver);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var plannedArrival = today.AddDays(90);

        var opened = await CallAsync(trace, JourneyStep.OpenCase, HttpMethod.Post, new Uri(api.Counselling, "cases"), partner, JourneyApi.Body(CaseContent(plannedArrival)), cancellationToken);
        Expect(opened, 201, JourneyStep.OpenCase);
        Guid caseId;
        using (var json = opened.Json())
        {
            caseId = json.RootElement.GetProperty("id").GetGuid();
        }

        var now = DateTimeOffset.UtcNow;
        var consent = JourneyApi.Body(new
        {
            recipients = new[] { receiver.Id },
            categories = Categories,
            method = "signed-form",
            obtainedAt = now.AddMinutes(-5),
            textLanguage = "en",
            textVersion = "1",
            validUntil = now.AddYears(1),
        });
        var recorded = await UntilAsync(trace, JourneyStep.RecordConsent, HttpMethod.Post, new Uri(api.Counselling, $"cases/{caseId}/consents"), partner, consent,
            answer => answer.Status != 422 || !settling, cancellationToken);
        Expect(recorded, 201, JourneyStep.RecordConsent);

        var requestedAt = Stopwatch.GetTimestamp();
        var request = JourneyApi.Body(new { caseId, receiverOrganisationId = receiver.Id, topics = Topics, plannedArrival });
        var requested = await CallAsync(trace, JourneyStep.RequestHandover, HttpMethod.Post, new Uri(api.Handovers, "handovers"), partner, request, cancellationToken);
        Expect(requested, 201, JourneyStep.RequestHandover);
        Guid handoverId;
        using (var json = requested.Json())
        {
            handoverId = json.RootElement.GetProperty("id").GetGuid();
        }

        // Until the case and consent reach Handovers the ticket waits, requested, and the receiver's accept answers 404 or 409.
        var accepted = await UntilAsync(trace, JourneyStep.Accept, HttpMethod.Post, new Uri(api.Handovers, $"handovers/{handoverId}/accept"), receiver, null,
            answer => answer.Status is not (404 or 409), cancellationToken);
        Expect(accepted, 200, JourneyStep.Accept);
        trace.HandoverWait = Stopwatch.GetElapsedTime(requestedAt, accepted.ReadAt).TotalMilliseconds;

        trace.Propagation = await UntilAcceptanceShowsAsync(trace, partner, caseId, handoverId, accepted.ReadAt, cancellationToken);

        // The row that showed the acceptance on the case is the one that opens the dossier: no reason to wait here.
        var dossier = await CallAsync(trace, JourneyStep.ReadDossier, HttpMethod.Get, new Uri(api.Counselling, $"cases/{caseId}/dossier"), receiver, null, cancellationToken);
        if (dossier.Is(404))
        {
            throw new JourneyFailedException(
                "the dossier answered 404 after the case had shown the acceptance (the acceptance was overwritten)", $"handover {handoverId}: {dossier.Excerpt()}");
        }

        Expect(dossier, 200, JourneyStep.ReadDossier);

        var outcome = JourneyApi.Body(new { outcome = "first-contact-made", occurredOn = DateOnly.FromDateTime(DateTime.UtcNow) });
        var contact = await CallAsync(trace, JourneyStep.RecordFirstContact, HttpMethod.Post, new Uri(api.Handovers, $"handovers/{handoverId}/outcomes"), receiver, outcome, cancellationToken);
        Expect(contact, 200, JourneyStep.RecordFirstContact);
        trace.FinishedAt = contact.ReadAt;
    }

    private static object CaseContent(DateOnly plannedArrival)
    {
        var number = Interlocked.Increment(ref _number);
        return new
        {
            identity = new
            {
                givenNames = "Amina",
                familyName = string.Create(CultureInfo.InvariantCulture, $"Example {number}"),
                dateOfBirth = new DateOnly(2005, 1, 1).AddDays(number % 1_500),
                nationalities = new[] { "MA" },
            },
            contact = new { email = string.Create(CultureInfo.InvariantCulture, $"person{number}@example.org"), preferredLanguage = "ar" },
            migrationPlan = new { purpose = "vocational-training", plannedArrival, destinationPostalCode = "55116" },
            languageAndQualifications = new { germanLevel = "B1", languagesSpoken = new[] { "ar", "fr" } },
            specialCategories = new { riskFlags = new[] { new { code = "psychosocial", note = "Lost a parent this year" } } },
        };
    }

    /// <summary>Reads the origin's case until the handover shows accepted (or later); returns ms since the accept's answer.</summary>
    private async Task<double> UntilAcceptanceShowsAsync(
        JourneyTrace trace, Member partner, Guid caseId, Guid handoverId, long acceptedAt, CancellationToken cancellationToken)
    {
        var uri = new Uri(api.Counselling, $"cases/{caseId}");
        var seen = "nothing";
        while (Stopwatch.GetElapsedTime(acceptedAt) < GiveUpAfter)
        {
            var answer = await CallAsync(trace, JourneyStep.ReadCase, HttpMethod.Get, uri, partner, null, cancellationToken);
            Expect(answer, 200, JourneyStep.ReadCase);
            seen = StatusOn(answer, handoverId) ?? "no such handover";
            if (seen is "accepted" or "in-contact")
            {
                return Stopwatch.GetElapsedTime(acceptedAt, answer.ReadAt).TotalMilliseconds;
            }

            await Task.Delay(PollPause(Stopwatch.GetElapsedTime(acceptedAt)), cancellationToken);
        }

        throw new JourneyFailedException(
            $"the acceptance did not show on the origin's case within {GiveUpAfter.TotalSeconds:N0} s", $"handover {handoverId} still {seen} there");
    }

    /// <summary>
    /// <see cref="JourneySettings.PollMilliseconds"/> for the first 100 ms after the accept (where the target lies), then a tenth of
    /// the time waited so far: a slow acceptance is still timed within 10 % without a flood of reads slowing everything else down.
    /// </summary>
    private TimeSpan PollPause(TimeSpan waited) =>
        TimeSpan.FromMilliseconds(Math.Max(settings.PollMilliseconds, waited.TotalMilliseconds >= 100 ? waited.TotalMilliseconds / 10 : 0));

    /// <summary>The handover's status on the case as its owner reads it (null while the case shows no such handover).</summary>
    private static string? StatusOn(Answer caseAnswer, Guid handoverId)
    {
        using var json = caseAnswer.Json();
        foreach (var handover in json.RootElement.GetProperty("handovers").EnumerateArray())
        {
            if (handover.GetProperty("handoverId").GetGuid() == handoverId)
            {
                return handover.GetProperty("status").GetString();
            }
        }

        return null;
    }

    /// <summary>Sends the request until <paramref name="done"/> holds, pausing <see cref="JourneySettings.RetryMilliseconds"/> ms, doubling, at most 100 ms.</summary>
    private async Task<Answer> UntilAsync(
        JourneyTrace trace, JourneyStep step, HttpMethod method, Uri uri, Member caller, byte[]? body, Func<Answer, bool> done, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var pause = settings.RetryMilliseconds;
        // One key for every try: a refused try keeps nothing, the one that succeeds counts once.
        var key = Guid.NewGuid().ToString();
        while (true)
        {
            var answer = await CallAsync(trace, step, method, uri, caller, body, cancellationToken, key);
            if (done(answer) || Stopwatch.GetElapsedTime(started) > GiveUpAfter)
            {
                return answer;
            }

            await Task.Delay(pause, cancellationToken);
            pause = Math.Min(pause * 2, 100);
        }
    }

    private async Task<Answer> CallAsync(
        JourneyTrace trace, JourneyStep step, HttpMethod method, Uri uri, Member caller, byte[]? body, CancellationToken cancellationToken,
        string? idempotencyKey = null)
    {
        var answer = await api.SendAsync(method, uri, caller.Token, body, cancellationToken, idempotencyKey);
        trace.Calls.Add((step, answer.Status, answer.Milliseconds));
        return answer;
    }

    private static void Expect(Answer answer, int status, JourneyStep step)
    {
        if (!answer.Is(status))
        {
            throw new JourneyFailedException(string.Create(CultureInfo.InvariantCulture, $"{step} answered {answer.Status}"), answer.Excerpt());
        }
    }
}
