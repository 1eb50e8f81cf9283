using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Imsa.Network.Bench;

/// <summary>
/// The run's own PostgreSQL databases and RabbitMQ virtual host: created at the start, removed at the end
/// (also after a failure or Ctrl+C), so runs neither see each other's data nor leave any behind.
/// </summary>
public sealed class BenchInfrastructure : IAsyncDisposable
{
    private readonly BenchSettings _settings;
    private readonly HttpClient _management;
    private readonly List<string> _createdDatabases = [];
    private readonly string[] _databases;
    private bool _virtualHostCreated;

    private BenchInfrastructure(BenchSettings settings, Func<string, string[]>? databases, Func<string, string>? virtualHost)
    {
        _settings = settings;
        RunId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        _databases = databases?.Invoke(RunId) ?? [WriterDatabase, ReaderDatabase, RawDatabase];
        VirtualHost = virtualHost?.Invoke(RunId) ?? $"imsa-bench-{RunId}";
        _management = new HttpClient
        {
            BaseAddress = new Uri($"http://{settings.RabbitMqHost}:{settings.RabbitMqManagementPort}/api/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.RabbitMqUser}:{settings.RabbitMqPassword}"));
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
    }

    public string RunId { get; }

    /// <summary>The writing service's database: its state table and the outbox.</summary>
    public string WriterDatabase => $"imsa_bench_{RunId}_writer";

    /// <summary>The consuming service's database: its effect table and the inbox.</summary>
    public string ReaderDatabase => $"imsa_bench_{RunId}_reader";

    /// <summary>The raw PostgreSQL baseline's database.</summary>
    public string RawDatabase => $"imsa_bench_{RunId}_raw";

    public string VirtualHost { get; }

    /// <summary>Where this run's Partners service drops the mail it sends (invitation codes): the bench organisations' mailbox.</summary>
    public string MailDirectory => Path.Combine(Path.GetTempPath(), $"imsa-bench-mail-{RunId}");

    /// <summary>The databases this run created (the backbone's three unless others were named).</summary>
    public IReadOnlyList<string> Databases => _databases;

    /// <summary>The backbone's three databases and the virtual host imsa-bench-{run}.</summary>
    public static Task<BenchInfrastructure> CreateAsync(BenchSettings settings, CancellationToken cancellationToken) =>
        CreateAsync(settings, databases: null, virtualHost: null, cancellationToken);

    /// <param name="databases">Names of the databases to create, from the run id; the backbone's three when null.</param>
    /// <param name="virtualHost">Name of the virtual host, from the run id; imsa-bench-{run} when null.</param>
    public static async Task<BenchInfrastructure> CreateAsync(
        BenchSettings settings,
        Func<string, string[]>? databases,
        Func<string, string>? virtualHost,
        CancellationToken cancellationToken)
    {
        var infrastructure = new BenchInfrastructure(settings, databases, virtualHost);
        try
        {
            await infrastructure.CreateDatabasesAsync(cancellationToken);
            await infrastructure.CreateVirtualHostAsync(cancellationToken);
            return infrastructure;
        }
        catch
        {
            await infrastructure.DisposeAsync();
            throw;
        }
    }

    public async Task<string> PostgresVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        return connection.PostgreSqlVersion.ToString();
    }

    public async Task<string> RabbitMqVersionAsync(CancellationToken cancellationToken)
    {
        var overview = await _management.GetFromJsonAsync<JsonElement>(new Uri("overview", UriKind.Relative), cancellationToken);
        return overview.TryGetProperty("rabbitmq_version", out var version) ? version.GetString() ?? "?" : "?";
    }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(_settings.Postgres) { Database = database }.ConnectionString;

    /// <summary>
    /// Where the services find PostgreSQL and RabbitMQ in this run, as the placeholders of deploy/environment/*.env:
    /// the server without a database (IMSA_POSTGRES; a service's file adds Database={prefix}{service}), the database
    /// prefix, and the broker with this run's virtual host.
    /// </summary>
    public Dictionary<string, string> ServicePlaceholders(string databasePrefix)
    {
        var server = new NpgsqlConnectionStringBuilder(_settings.Postgres);
        server.Remove("Database");
        var placeholders = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["IMSA_POSTGRES"] = server.ConnectionString,
            ["IMSA_DATABASE_PREFIX"] = databasePrefix,
            ["IMSA_RABBITMQ_HOST"] = _settings.RabbitMqHost,
            ["IMSA_RABBITMQ_PORT"] = _settings.RabbitMqPort.ToString(CultureInfo.InvariantCulture),
            ["IMSA_RABBITMQ_VIRTUAL_HOST"] = VirtualHost,
            ["IMSA_RABBITMQ_USER"] = _settings.RabbitMqUser,
            ["IMSA_RABBITMQ_PASSWORD"] = _settings.RabbitMqPassword,
            // No gateway in the bench: receipts name run.sh's address, nobody is a trusted proxy but this host.
            ["IMSA_PUBLIC_URL"] = "http://127.0.0.1:5100/",
            ["IMSA_ALLOWED_HOSTS"] = "localhost;127.0.0.1",
            ["IMSA_TRUSTED_PROXIES"] = "127.0.0.1",
            ["IMSA_MAIL_PICKUP_DIRECTORY"] = MailDirectory,
        };
        // The run's virtual host is the bench's alone: every service, and its dead-letter operations, use the bench's
        // user there (the tests prove the services' own users' permissions; the bench measures).
        foreach (var service in new[] { "PARTNERS", "COUNSELLING", "HANDOVERS" })
        {
            foreach (var user in new[] { service, $"{service}_DEAD_LETTERS" })
            {
                placeholders[$"IMSA_RABBITMQ_{user}_USER"] = _settings.RabbitMqUser;
                placeholders[$"IMSA_RABBITMQ_{user}_PASSWORD"] = _settings.RabbitMqPassword;
            }
        }

        return placeholders;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        foreach (var database in _createdDatabases)
        {
            await TryAsync($"drop database {database}", () => ExecuteAdminAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", CancellationToken.None));
        }

        if (_virtualHostCreated)
        {
            await TryAsync($"delete virtual host {VirtualHost}", async () =>
            {
                using var response = await _management.DeleteAsync(VirtualHostUri(), CancellationToken.None);
                response.EnsureSuccessStatusCode();
            });
        }

        if (Directory.Exists(MailDirectory))
        {
            Directory.Delete(MailDirectory, recursive: true);
        }

        _management.Dispose();
    }

    private async Task CreateDatabasesAsync(CancellationToken cancellationToken)
    {
        foreach (var database in _databases)
        {
            await ExecuteAdminAsync($"CREATE DATABASE {database}", cancellationToken);
            _createdDatabases.Add(database);
        }
    }

    private async Task CreateVirtualHostAsync(CancellationToken cancellationToken)
    {
        using (var created = await _management.PutAsync(VirtualHostUri(), content: null, cancellationToken))
        {
            created.EnsureSuccessStatusCode();
        }

        _virtualHostCreated = true;
        var permissions = new Uri($"permissions/{Uri.EscapeDataString(VirtualHost)}/{Uri.EscapeDataString(_settings.RabbitMqUser)}", UriKind.Relative);
        using var granted = await _management.PutAsJsonAsync(permissions, new { configure = ".*", write = ".*", read = ".*" }, cancellationToken);
        granted.EnsureSuccessStatusCode();
    }

    private Uri VirtualHostUri() => new($"vhosts/{Uri.EscapeDataString(VirtualHost)}", UriKind.Relative);

    /// <summary>Runs a statement on the maintenance database; the names in it are generated here, never input.</summary>
    private async Task ExecuteAdminAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task TryAsync(string what, Func<Task> action)
    {
        try
        {
            await action();
        }
#pragma warning disable CA1031 // Clean-up goes on past a failure; what was left behind is reported.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"warning: could not {what}: {ex.Message}");
        }
    }
}
