using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Imsa.Network.Bench.Journeys;
using Imsa.Network.Bench.MatchingHttp;
using Npgsql;
using RabbitMQ.Client;

namespace Imsa.Network.Bench.Faults;

/// <summary>
/// An operator's bad day, as a test (deploy/local/faults.sh): after one kill and restart of each service on the quiet
/// machine (what a start costs), complete journeys from eight careful clients while,
/// one after another, Handovers is killed (SIGKILL) and restarted, RabbitMQ's application is stopped for 8 s,
/// Counselling is killed and restarted, PostgreSQL is stopped in immediate mode for 20 s, and Partners is killed and
/// restarted. A careful client sends every write under an Idempotency-Key and sends it again, with the same key,
/// after a 503 or a lost connection. Then: every acknowledged journey must show in all three services within a minute,
/// nothing twice, no message in any _error queue, no outbox row quarantined, and no client may have met an answer a
/// careful client should never get (a 500). Exit code 0 when all of it holds, 1 otherwise.
/// </summary>
public static class FaultRun
{
    private const int Workers = 8;
    private static readonly TimeSpan Between = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BrokerAway = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan DatabaseAway = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        JourneySettings settings;
        try
        {
            // The journey bench's options that set up the services apply (--service-env, --npgsql, --services).
            settings = JourneySettings.Load(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"bench/run.sh --faults (through deploy/local/faults.sh) [--service-env K=V ...]\n{ex.Message}");
            return 2;
        }

        var commands = new Dictionary<string, string>();
        foreach (var name in new[] { "IMSA_FAULT_BROKER_STOP", "IMSA_FAULT_BROKER_START", "IMSA_FAULT_DATABASE_STOP", "IMSA_FAULT_DATABASE_START" })
        {
            commands[name] = Environment.GetEnvironmentVariable(name)
                ?? throw new InvalidOperationException($"{name} is not set: run deploy/local/faults.sh.");
        }

        using var cancellation = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });
        var infrastructureSettings = BenchSettings.Load([]);
        var cancellationToken = cancellation.Token;

        using var client = HttpLoad.CreateClient(Workers + 8);
        client.Timeout = TimeSpan.FromSeconds(10);
        var stamp = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        Step("starting Counselling, Handovers, then Partners (Release builds, each its own process)");
        await using var network = await ServiceNetwork.StartAsync(
            settings, infrastructureSettings, client, Path.Combine(settings.ResultsDirectory, $"faults-{stamp}"), cancellationToken);
        var api = new JourneyApi(client, network.Partners.Address, network.Counselling.Address, network.Handovers.Address);
        var members = await Members.JoinAsync(api, network.Infrastructure.MailDirectory, ServiceNetwork.CoordinatorClientId, network.CoordinatorSecret, 4, 4, 10_000, cancellationToken);
        Step($"run {network.RunId}: 4 partners and 4 receiving services; waiting until every service knows them");
        await KnownEverywhereAsync(network, members, cancellationToken);

        // The same restarts on a quiet machine first: what a start costs when nothing else wants the CPU.
        var report = new List<string>();
        foreach (var name in new[] { "Handovers", "Counselling", "Partners" })
        {
            var restart = await network.KillAndRestartAsync(name, client, cancellationToken);
            report.Add($"{name} killed and restarted, no load: {restart}");
            Step($"{name} killed and restarted, no load: {restart}");
        }

        using var load = new CarefulLoad(api, members);
        var loading = load.RunAsync(Workers, cancellationToken);
        async Task PhaseAsync(string what, Func<Task<string>> fault)
        {
            await Task.Delay(Between, cancellationToken);
            var before = (load.Completed.Count, load.Unavailable, load.Disconnected);
            Step($"{what} ({before.Count} journeys completed so far)");
            var detail = await fault();
            var line = $"{what}: {detail}";
            report.Add(line);
            Step($"  {detail}");
        }

        await PhaseAsync("Handovers killed (SIGKILL) and restarted", async () =>
            (await network.KillAndRestartAsync("Handovers", client, cancellationToken)).ToString());
        await PhaseAsync($"RabbitMQ's application stopped for {BrokerAway.TotalSeconds:N0} s", async () =>
        {
            await ShellAsync(commands["IMSA_FAULT_BROKER_STOP"], cancellationToken);
            await Task.Delay(BrokerAway, cancellationToken);
            await ShellAsync(commands["IMSA_FAULT_BROKER_START"], cancellationToken);
            return "started again";
        });
        await PhaseAsync("Counselling killed (SIGKILL) and restarted", async () =>
            (await network.KillAndRestartAsync("Counselling", client, cancellationToken)).ToString());
        await PhaseAsync($"PostgreSQL stopped (immediate mode) for {DatabaseAway.TotalSeconds:N0} s", async () =>
        {
            await ShellAsync(commands["IMSA_FAULT_DATABASE_STOP"], cancellationToken);
            await Task.Delay(DatabaseAway, cancellationToken);
            await ShellAsync(commands["IMSA_FAULT_DATABASE_START"], cancellationToken);
            return "started again";
        });
        await PhaseAsync("Partners killed (SIGKILL) and restarted", async () =>
            (await network.KillAndRestartAsync("Partners", client, cancellationToken)).ToString());
        await Task.Delay(Between, cancellationToken);
        Step("no new journeys; finishing the ones under way");
        load.Stop();
        await loading;

        var journeys = load.Completed.ToList();
        Step($"{journeys.Count} journeys acknowledged ({load.Unavailable} answers 503, {load.Disconnected} lost connections, sent again); checking the three services");
        var failures = new List<string>(load.Failures);
        var settled = Stopwatch.GetTimestamp();
        var shown = await ShownEverywhereAsync(network, journeys, cancellationToken);
        if (shown is null)
        {
            failures.Add($"not every acknowledged journey shows in all three services within {Settle.TotalSeconds:N0} s");
        }
        else
        {
            report.Add($"every acknowledged journey shown in all three services {Stopwatch.GetElapsedTime(settled).TotalSeconds:F1} s after the load ended");
        }

        failures.AddRange(await DuplicatesAsync(network, journeys.Count, cancellationToken));
        failures.AddRange(await DeadLettersAsync(network, infrastructureSettings, cancellationToken));
        failures.AddRange(await QuarantinedAsync(network, cancellationToken));

        Console.WriteLine();
        Console.WriteLine($"Fault run {network.RunId}: {journeys.Count} journeys, {load.Unavailable} answers 503, {load.Disconnected} lost connections");
        foreach (var line in report)
        {
            Console.WriteLine($"  {line}");
        }

        foreach (var failure in failures)
        {
            Console.WriteLine($"  FAILED: {failure}");
        }

        Console.WriteLine(failures.Count == 0 ? "  all acknowledged actions are everywhere, once; nothing dead-lettered or quarantined" : $"  {failures.Count} failures");
        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task KnownEverywhereAsync(ServiceNetwork network, Members members, CancellationToken cancellationToken)
    {
        var ids = string.Join(", ", members.Partners.Concat(members.Receivers).Select(m => $"'{m.Id}'"));
        var expected = members.Partners.Count + members.Receivers.Count;
        while (true)
        {
            var counselling = await CountAsync(network.Databases["Counselling"], $"SELECT count(*) FROM known_organisations WHERE id IN ({ids})", cancellationToken);
            var handovers = await CountAsync(network.Databases["Handovers"], $"SELECT count(*) FROM access.organisation_access WHERE status = 'active' AND organisation_id IN ({ids})", cancellationToken);
            if (counselling == expected && handovers == expected)
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static async Task<bool?> ShownEverywhereAsync(ServiceNetwork network, List<CompletedJourney> journeys, CancellationToken cancellationToken)
    {
        var ids = journeys.Count == 0 ? "NULL" : string.Join(", ", journeys.Select(j => $"'{j.HandoverId}'"));
        var deadline = Stopwatch.GetTimestamp() + (long)(Settle.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            try
            {
                var handovers = await CountAsync(network.Databases["Handovers"], $"SELECT count(*) FROM handover_tickets WHERE status = 'InContact' AND id IN ({ids})", cancellationToken);
                var counselling = await CountAsync(network.Databases["Counselling"], $"SELECT count(*) FROM case_handovers WHERE status = 'in-contact' AND handover_id IN ({ids})", cancellationToken);
                var partners = await CountAsync(network.Databases["Partners"], $"SELECT count(*) FROM receiver_handovers WHERE open AND handover_id IN ({ids})", cancellationToken);
                if (handovers == journeys.Count && counselling == journeys.Count && partners == journeys.Count)
                {
                    return true;
                }
            }
            catch (NpgsqlException)
            {
                // PostgreSQL still coming back.
            }

            await Task.Delay(500, cancellationToken);
        }

        return null;
    }

    private static async Task<IEnumerable<string>> DuplicatesAsync(ServiceNetwork network, int journeys, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        // One per organisation at set-up, one per journey: a case opened twice for one request would show here.
        var cases = await CountAsync(network.Databases["Counselling"], "SELECT count(*) FROM cases", cancellationToken);
        var tickets = await CountAsync(network.Databases["Handovers"], "SELECT count(*) FROM handover_tickets", cancellationToken);
        var twice = await CountAsync(network.Databases["Handovers"], "SELECT count(*) FROM (SELECT case_id FROM handover_tickets GROUP BY case_id HAVING count(*) > 1) t", cancellationToken);
        if (cases != journeys || tickets != journeys || twice != 0)
        {
            failures.Add($"{journeys} journeys, but {cases} cases, {tickets} handovers, {twice} cases with more than one handover");
        }

        return failures;
    }

    private static async Task<IEnumerable<string>> DeadLettersAsync(ServiceNetwork network, BenchSettings settings, CancellationToken cancellationToken)
    {
        using var management = new HttpClient { BaseAddress = new Uri($"http://{settings.RabbitMqHost}:{settings.RabbitMqManagementPort}/api/") };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{settings.RabbitMqUser}:{settings.RabbitMqPassword}")));
        var queues = (await management.GetFromJsonAsync<JsonElement>($"queues/{Uri.EscapeDataString(network.Infrastructure.VirtualHost)}?columns=name", cancellationToken))
            .EnumerateArray().Select(q => q.GetProperty("name").GetString()!).Where(name => name.EndsWith("_error", StringComparison.Ordinal) || name.EndsWith("_skipped", StringComparison.Ordinal));
        var factory = new ConnectionFactory
        {
            HostName = settings.RabbitMqHost,
            Port = settings.RabbitMqPort,
            UserName = settings.RabbitMqUser,
            Password = settings.RabbitMqPassword,
            VirtualHost = network.Infrastructure.VirtualHost,
        };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var failures = new List<string>();
        foreach (var queue in queues)
        {
            var count = (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
            if (count > 0)
            {
                failures.Add($"{count} messages in {queue}");
            }
        }

        return failures;
    }

    private static async Task<IEnumerable<string>> QuarantinedAsync(ServiceNetwork network, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var (name, database) in network.Databases)
        {
            var quarantined = await CountAsync(database, "SELECT count(*) FROM messaging.outbox_messages WHERE quarantined_at IS NOT NULL", cancellationToken);
            if (quarantined > 0)
            {
                failures.Add($"{quarantined} outbox rows quarantined in {name}");
            }
        }

        return failures;
    }

    private static async Task<long> CountAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task ShellAsync(string command, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync(cancellationToken)}");
        }
    }

    private static void Step(string message) =>
        Console.Error.WriteLine($"[faults {DateTime.Now:HH:mm:ss}] {message}");
}

/// <summary>A journey every step of which was acknowledged to the client.</summary>
public sealed record CompletedJourney(Guid CaseId, Guid HandoverId);

/// <summary>
/// Complete journeys from careful clients: every write under an Idempotency-Key of its own, sent again with the same
/// key after a 503 or a lost connection (and, for the handover request, while the case or consent is still on its
/// way: 404, 409). Any other answer is a failure.
/// </summary>
internal sealed class CarefulLoad(JourneyApi api, Members members) : IDisposable
{
    private static readonly string[] Topics = ["EDU"];
    private static readonly string[] Nationalities = ["MA"];
    private static readonly string[] Categories = ["identity", "migration-plan"];

    private readonly CancellationTokenSource _stop = new();
    private int _unavailable;
    private int _disconnected;

    public ConcurrentQueue<CompletedJourney> Completed { get; } = new();

    public ConcurrentQueue<string> Failures { get; } = new();

    public int Unavailable => _unavailable;

    public int Disconnected => _disconnected;

    public void Stop() => _stop.Cancel();

    public void Dispose() => _stop.Dispose();

    public Task RunAsync(int workers, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(() => WorkAsync(worker, cancellationToken), cancellationToken)));

    private async Task WorkAsync(int worker, CancellationToken cancellationToken)
    {
        var random = new Random(worker);
        while (!_stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var partner = members.Partners[random.Next(members.Partners.Count)];
            var receiver = members.Receivers[random.Next(members.Receivers.Count)];
            try
            {
                Completed.Enqueue(await JourneyAsync(partner, receiver, cancellationToken));
            }
            catch (InvalidOperationException failure)
            {
                Failures.Enqueue(failure.Message);
                return;
            }
        }
    }

    private async Task<CompletedJourney> JourneyAsync(Member partner, Member receiver, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var arrival = new DateOnly(today.Year, today.Month, 1).AddMonths(3);
        var opened = await WriteAsync("open case", partner, new Uri(api.Counselling, "cases"), new
        {
            identity = new { givenNames = "Amina", familyName = "Example", dateOfBirth = "2007-05-02", nationalities = Nationalities },
            migrationPlan = new { purpose = "vocational-training", plannedArrival = arrival, destinationPostalCode = "55116" },
        }, 201, [], cancellationToken);
        var caseId = opened.GetProperty("id").GetGuid();
        await WriteAsync("record consent", partner, new Uri(api.Counselling, $"cases/{caseId}/consents"), new
        {
            recipients = new[] { receiver.Id },
            categories = Categories,
            method = "signed-form",
            obtainedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            textLanguage = "en",
            textVersion = "1",
            validUntil = DateTimeOffset.UtcNow.AddYears(1),
        }, 201, [], cancellationToken);
        var requested = await WriteAsync("request handover", partner, new Uri(api.Handovers, "handovers"), new
        {
            caseId,
            receiverOrganisationId = receiver.Id,
            topics = Topics,
            plannedArrival = arrival,
        }, 201, [404, 409], cancellationToken);
        var handoverId = requested.GetProperty("id").GetGuid();
        await WriteAsync("accept", receiver, new Uri(api.Handovers, $"handovers/{handoverId}/accept"), null, 200, [], cancellationToken);
        await WriteAsync("first contact", receiver, new Uri(api.Handovers, $"handovers/{handoverId}/outcomes"), new
        {
            outcome = "first-contact-made",
            occurredOn = DateOnly.FromDateTime(DateTime.UtcNow),
        }, 200, [], cancellationToken);
        return new CompletedJourney(caseId, handoverId);
    }

    private async Task<JsonElement> WriteAsync(
        string step, Member caller, Uri uri, object? body, int expected, int[] awaiting, CancellationToken cancellationToken)
    {
        var key = Guid.NewGuid().ToString();
        var bytes = body is null ? null : JourneyApi.Body(body);
        var deadline = Stopwatch.GetTimestamp() + (120L * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                var answer = await api.SendAsync(HttpMethod.Post, uri, caller.Token, bytes, cancellationToken, key);
                if (answer.Is(expected))
                {
                    return answer.Json().RootElement.Clone();
                }

                if (answer.Status == (int)HttpStatusCode.ServiceUnavailable)
                {
                    Interlocked.Increment(ref _unavailable);
                }
                else if (!awaiting.Contains(answer.Status))
                {
                    throw new InvalidOperationException($"{step}: {answer.Status} {answer.Excerpt()}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // The service is down (killed, restarting) or its answer was lost: the same request, the same key, again.
                Interlocked.Increment(ref _disconnected);
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"{step}: no answer {expected} within 120 s");
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
