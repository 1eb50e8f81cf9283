using System.Diagnostics;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// Migrations as a release's step (docs/operations.md#releases): the services' real builds run as processes, as the
/// Kubernetes migration Job and a replica run them, given the database's connection string and nothing else.
/// </summary>
public sealed class MigrationCommandTests : IAsyncLifetime
{
    private static readonly Dictionary<string, Assembly> Services = new()
    {
        ["Partners"] = typeof(Imsa.Network.Partners.Program).Assembly,
        ["Counselling"] = typeof(Imsa.Network.Counselling.Program).Assembly,
        ["Handovers"] = typeof(Imsa.Network.Handovers.Program).Assembly,
    };

    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync("migrate");

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Theory]
    [InlineData("Partners")]
    [InlineData("Counselling")]
    [InlineData("Handovers")]
    public async Task Migrate_OnAnEmptyDatabase_AppliesEveryMigrationAndExits_AndAgainAppliesNothing(string service)
    {
        var migrations = Services[service].GetTypes().Count(type => type.GetCustomAttribute<MigrationAttribute>() is not null);

        var (exitCode, output) = await RunAsync(service, "--migrate");

        exitCode.Should().Be(0, output);
        output.Should().Contain($"The database schema matches this build: {migrations} migration(s) applied").And.NotContain("Now listening");
        (await _database.CountAsync("SELECT count(*) FROM \"__EFMigrationsHistory\"")).Should().Be(migrations);
        (await _database.CountAsync("SELECT count(*) FROM messaging.outbox_messages")).Should().Be(0, "the schema is there");

        (exitCode, output) = await RunAsync(service, "--migrate");

        exitCode.Should().Be(0, output);
        output.Should().Contain("The database schema matches this build: 0 migration(s) applied");
        (await _database.CountAsync("SELECT count(*) FROM \"__EFMigrationsHistory\"")).Should().Be(migrations);
    }

    [Fact]
    public async Task Start_WithoutMigratingOnStartup_OnAnEmptyDatabase_RefusesAsBehind()
    {
        var (exitCode, output) = await RunAsync("Handovers", settings: new() { ["Database__MigrateOnStartup"] = "false" });

        exitCode.Should().NotBe(0, output);
        ShouldBeOneCriticalLine(output, "The database schema is behind this build: ");
        output.Should().Contain("_WaitingRequests").And.Contain("run the service with --migrate first");
        (await _database.CountAsync("SELECT count(*) FROM pg_tables WHERE schemaname = 'messaging'")).Should().Be(0, "nothing was migrated");
    }

    [Fact]
    public async Task Start_OnADatabaseANewerReleaseMigrated_RefusesAsAhead_AsDoesItsMigrationStep()
    {
        (await RunAsync("Handovers", "--migrate")).ExitCode.Should().Be(0);
        await _database.ExecuteAsync(
            "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('29991231000000_FromANewerRelease', '10.0.0')");

        // Database:MigrateOnStartup is true by default: no migrating past what this build does not know.
        var (exitCode, output) = await RunAsync("Handovers");

        exitCode.Should().NotBe(0, output);
        ShouldBeOneCriticalLine(output, "The database schema is ahead of this build: 1 migration applied that this build does not know (29991231000000_FromANewerRelease)");
        output.Should().Contain("roll forward, or restore");

        (exitCode, output) = await RunAsync("Handovers", "--migrate");

        exitCode.Should().NotBe(0, output);
        ShouldBeOneCriticalLine(output, "The database schema is ahead of this build: ");
    }

    [Fact]
    public async Task Start_WhileTheDatabaseIsAway_WaitsForIt_ThenMigrates()
    {
        await using var link = _database.Proxy();
        link.Cut();
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = Process.Start(StartInfo("Handovers", null, new() { ["ConnectionStrings__Database"] = _database.ConnectionStringVia(link) }))!;
        process.OutputDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.ErrorDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.Until(() => Task.FromResult(string.Join('\n', output)), o => o.Contains("waiting for it before starting", StringComparison.Ordinal), "the wait to be logged");
            process.HasExited.Should().BeFalse("a database that is away is waited for, not a reason to exit");

            // (The rest of its configuration is not given here: it goes as far as migrating, which is what is looked at.)
            link.Restore();
            await Eventually.Until(
                () => _database.CountAsync("SELECT count(*) FROM pg_tables WHERE tablename = '__EFMigrationsHistory'"), n => n > 0, "the migrations once the database answers");
            string.Join('\n', output).Should().Contain("The database answers again");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>The refusal is logged once, at Critical, without a stack trace, and ends the process before it serves.</summary>
    private static void ShouldBeOneCriticalLine(string output, string message)
    {
        var critical = output.Split('\n').Where(line => line.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal)).ToList();
        critical.Should().ContainSingle(output).Which.Should().Contain(message);
        output.Should().NotContain("   at ").And.NotContain("Unhandled exception").And.NotContain("Now listening");
    }

    /// <summary>
    /// Runs the service's build (the configuration of this test run, under services/) from its folder, as the image
    /// runs it from /app, with the connection string, <paramref name="settings"/> and no other configuration.
    /// </summary>
    private async Task<(int ExitCode, string Output)> RunAsync(string service, string? argument = null, Dictionary<string, string>? settings = null)
    {
        using var process = Process.Start(StartInfo(service, argument, settings))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{service} {argument} still ran after a minute: {await output}{await errors}");
        }

        return (process.ExitCode, await output + await errors);
    }

    private ProcessStartInfo StartInfo(string service, string? argument, Dictionary<string, string>? settings)
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)));
        var folder = Path.Combine(TestRepository.Root, "services", service, $"Imsa.Network.{service}", "bin", configuration!, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(folder, $"Imsa.Network.{service}.dll"));
        if (argument is not null)
        {
            start.ArgumentList.Add(argument);
        }

        var inherited = new[] { "PATH", "HOME", "DOTNET_ROOT" }.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        start.Environment.Clear();
        foreach (var (name, value) in inherited.Where(variable => variable.Value is not null))
        {
            start.Environment[name] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // Should it start after all, on a port of its own, not 5000.
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ConnectionStrings__Database"] = _database.ConnectionString;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }
}
