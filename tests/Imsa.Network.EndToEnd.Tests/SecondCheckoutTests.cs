using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using RabbitMQ.Client;

namespace Imsa.Network.EndToEnd.Tests;

/// <summary>
/// A second checkout on the same machine (a test run or a bench beside a network the first started) sets up the
/// same PostgreSQL and RabbitMQ and changes nobody's credentials: what this test run — like that network — connects
/// with keeps working. And the local broker keeps no default administrator and gives the scripts' administrator no
/// access to the network's messages.
/// </summary>
public sealed class SecondCheckoutTests
{
    [Fact]
    public async Task SettingUpFromAnotherCheckout_ChangesNoCredentialInUse()
    {
        var root = TestRepository.Root;
        var checkout = Directory.CreateTempSubdirectory("imsa-second-checkout-");
        try
        {
            CopyDirectory(Path.Combine(root, "deploy"), Path.Combine(checkout.FullName, "deploy"));

            var (exitCode, output) = await RunAsync(checkout.FullName,
                """. deploy/local/infra.sh && imsa_ensure_infra >/dev/null && printf '%s' "$IMSA_POSTGRES" """);

            exitCode.Should().Be(0, output);
            output.Should().Be(Environment.GetEnvironmentVariable("IMSA_TEST_POSTGRES"), "both checkouts use the machine's one set of credentials");
            await using (var connection = new NpgsqlConnection(TestInfrastructure.PostgresAdminConnectionString))
            {
                await connection.OpenAsync();
            }

            var factory = new ConnectionFactory
            {
                HostName = TestInfrastructure.RabbitMqHost,
                Port = TestInfrastructure.RabbitMqPort,
                UserName = BrokerUsers.Service("handovers"),
                Password = BrokerUsers.Password(BrokerUsers.Service("handovers")),
            };
            await using (await factory.CreateConnectionAsync())
            {
            }
        }
        finally
        {
            checkout.Delete(recursive: true);
        }

        using var management = new HttpClient { BaseAddress = new Uri($"http://{TestInfrastructure.RabbitMqHost}:{TestInfrastructure.RabbitMqManagementPort}/api/") };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestInfrastructure.RabbitMqUser}:{TestInfrastructure.RabbitMqPassword}")));
        (await management.GetAsync("users/guest")).StatusCode.Should().Be(HttpStatusCode.NotFound, "RabbitMQ's default administrator is deleted");
        (await management.GetAsync($"permissions/%2F/{TestInfrastructure.RabbitMqUser}")).StatusCode.Should().Be(
            HttpStatusCode.NotFound, "the scripts' administrator has no access to the local network's virtual host");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string directory, string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        // A fresh shell, as in another terminal: none of this run's IMSA_ settings.
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("IMSA_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, process.ExitCode == 0 ? await output : await output + await errors);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.GetDirectories(from))
        {
            CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }
}
