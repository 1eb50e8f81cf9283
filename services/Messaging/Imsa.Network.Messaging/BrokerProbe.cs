using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Imsa.Network.Messaging;

/// <summary>
/// Whether the broker is reachable right now, from a connection of its own. MassTransit's bus health only
/// watches receive endpoints, so a service that only publishes would stay "healthy" through an outage; this
/// probe feeds /health/ready and tells the relay when publishing is pointless.
/// </summary>
public sealed class BrokerProbe(IOptions<RabbitMqOptions> options) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnection? _connection;

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        if (_connection is { IsOpen: true })
        {
            return true;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true })
            {
                return true;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }

            var factory = options.Value.ConnectionFactory("imsa-broker-probe");
            factory.AutomaticRecoveryEnabled = false;
            factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(2);
            _connection = await factory.CreateConnectionAsync(cancellationToken);
            return true;
        }
#pragma warning disable CA1031 // Any failure to connect means: not reachable now.
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return false;
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await IsReachableAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The message broker is not reachable.");

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _connecting.Dispose();
    }
}
