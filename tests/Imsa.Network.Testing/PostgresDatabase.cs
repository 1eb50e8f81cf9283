using Npgsql;

namespace Imsa.Network.Testing;

/// <summary>A database of its own on the real PostgreSQL, dropped when disposed.</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private PostgresDatabase(string name)
    {
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(TestInfrastructure.PostgresAdminConnectionString)
        {
            Database = name,
            MaxPoolSize = 30,
        }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync(string purpose)
    {
        var name = $"imsa_test_{purpose.ToLowerInvariant()}_{Guid.NewGuid():N}"[..50];
        await using var connection = new NpgsqlConnection(TestInfrastructure.PostgresAdminConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new PostgresDatabase(name);
    }

    /// <summary>A TCP forwarder in front of the database's server, to take it away from one service (<see cref="TcpProxy.Cut"/>).</summary>
    public TcpProxy Proxy()
    {
        var server = new NpgsqlConnectionStringBuilder(ConnectionString);
        return new TcpProxy(server.Host!, server.Port);
    }

    /// <summary>This database's connection string, through <paramref name="proxy"/>.</summary>
    public string ConnectionStringVia(TcpProxy proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
    }

    /// <summary>Runs a query that returns one number, e.g. a count.</summary>
    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A hash of every row of every table: equal before and after a request when the request changed nothing. The
    /// rate-limit counters (schema "limits") are left out: every request to a limited endpoint is counted, refused or not.
    /// </summary>
    public async Task<string> FingerprintAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
            + "WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'limits') ORDER BY 1",
            connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var hashes = tables.Select(table => $"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t)");
        await using var hash = new NpgsqlCommand($"SELECT md5(concat_ws(',', {string.Join(", ", hashes)}))", connection);
        return (string)(await hash.ExecuteScalarAsync())!;
    }

    /// <summary>The whole database as pg_dump writes it (plain SQL, data included): what a backup would hold.</summary>
    public async Task<string> DumpAsync()
    {
        var connection = new NpgsqlConnectionStringBuilder(ConnectionString);
        var start = new System.Diagnostics.ProcessStartInfo("pg_dump")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--no-owner", "--host", connection.Host!, "--port", connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--username", connection.Username!, "--dbname", connection.Database! })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = connection.Password;
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"pg_dump failed: {await error}");
    }

    /// <summary>Runs a statement; returns the rows it affected.</summary>
    public async Task<int> ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        await using var connection = new NpgsqlConnection(TestInfrastructure.PostgresAdminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege && DateTime.UtcNow < deadline)
            {
                // FORCE may not end a process of no role of ours, such as an autovacuum worker that has just begun on
                // the database; it ends by itself in a moment.
                await Task.Delay(200);
            }
        }
    }
}
