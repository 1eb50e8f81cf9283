using System.Globalization;
using System.Security.Cryptography;

namespace Imsa.Network.Bench.MatchingHttp;

/// <summary>
/// The built Partners service for the HTTP matching bench, started as a <see cref="ServiceProcess"/> on a free
/// loopback port with the environment of deploy/environment/partners.env, filled in for the run: its database and
/// virtual host, a signing key and a bootstrap coordinator client made for the run; then log level Warning and the
/// run's --npgsql and --service-env settings over it.
/// </summary>
public static class PartnersService
{
    public const string CoordinatorClientId = "imsa-bench-coordinator";

    /// <param name="databasePrefix">IMSA_DATABASE_PREFIX: the service's database is {prefix}partners.</param>
    /// <returns>The running service and the secret of its bootstrap coordinator client.</returns>
    public static (ServiceProcess Service, string ClientSecret) Start(
        MatchingHttpSettings settings, BenchInfrastructure infrastructure, string databasePrefix, string logPath)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(infrastructure);
        var address = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture)}/");
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var placeholders = infrastructure.ServicePlaceholders(databasePrefix);
        ServiceEnvironment.AddRunIdentity(placeholders, address, CoordinatorClientId, secret);
        // The master key that seals webhook secrets (partners.env asks for it since the shared EncryptionOptions).
        placeholders["IMSA_PARTNERS_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var environment = ServiceEnvironment.ForRun("partners", placeholders, settings.NpgsqlSettings, settings.ServiceEnvironment);
        return (ServiceProcess.Start("Partners", settings.PartnersDirectory, address, environment, logPath), secret);
    }
}
