using Npgsql;

namespace Imsa.Network.Testing;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ are: environment variables set by deploy/local/test.sh, with local
/// defaults for the addresses. Credentials have no default; they come from the environment.
/// </summary>
public static class TestInfrastructure
{
    public static string PostgresAdminConnectionString { get; } = BuildPostgres();

    public static string RabbitMqHost { get; } = Env("IMSA_RABBITMQ_HOST") ?? "127.0.0.1";

    public static int RabbitMqPort { get; } = int.Parse(Env("IMSA_RABBITMQ_PORT") ?? "5672", System.Globalization.CultureInfo.InvariantCulture);

    public static int RabbitMqManagementPort { get; } = int.Parse(Env("IMSA_RABBITMQ_MANAGEMENT_PORT") ?? "15672", System.Globalization.CultureInfo.InvariantCulture);

    public static string RabbitMqUser { get; } = Env("IMSA_RABBITMQ_USER") ?? "imsa";

    public static string RabbitMqPassword => Env("IMSA_RABBITMQ_PASSWORD")
        ?? throw new InvalidOperationException("IMSA_RABBITMQ_PASSWORD is not set: run the tests with deploy/local/test.sh.");

    private static string BuildPostgres()
    {
        var configured = Env("IMSA_TEST_POSTGRES")
            ?? throw new InvalidOperationException("IMSA_TEST_POSTGRES is not set: run the tests with deploy/local/test.sh.");
        return new NpgsqlConnectionStringBuilder(configured) { Database = "postgres", MaxPoolSize = 20 }.ConnectionString;
    }

    private static string? Env(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
