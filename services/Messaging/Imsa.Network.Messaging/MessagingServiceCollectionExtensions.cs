using Imsa.Network.Messaging.Access;
using Imsa.Network.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Wires a service's database and the backbone: the DbContext on PostgreSQL (connection string "Database"),
    /// the outbox commit signal and relay, MassTransit on RabbitMQ with consumer retries and _error queues, and
    /// readiness checks for the database and the broker. Configuration is read when services resolve, so a test
    /// host can override it.
    /// </summary>
    /// <param name="serviceName">Prefix of this service's queue names, e.g. "counselling".</param>
    /// <param name="configureConsumers">Registers the service's consumers.</param>
    public static IHostApplicationBuilder AddMessaging<TDbContext>(
        this IHostApplicationBuilder builder,
        string serviceName,
        Action<IBusRegistrationConfigurator>? configureConsumers = null)
        where TDbContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<OutboxCommitInterceptor>();
        services.AddOptions<OutboxOptions>().BindConfiguration("Messaging:Outbox");
        services.AddOptions<ConsumerRetryOptions>().BindConfiguration("Messaging:ConsumerRetry");
        services.AddOptions<RabbitMqOptions>().BindConfiguration("RabbitMq");

        services.AddDbContext<TDbContext>((provider, options) =>
        {
            var connectionString = provider.GetRequiredService<IConfiguration>().GetConnectionString("Database")
                ?? throw new InvalidOperationException("The connection string 'Database' is not configured.");
            options.UseNpgsql(connectionString)
                .AddInterceptors(provider.GetRequiredService<OutboxCommitInterceptor>());
        });
        services.AddScoped<OutboxQuarantine<TDbContext>>();
        services.TryAddSingleton<Admin.ReceiveQueues>();
        services.TryAddSingleton<Admin.DeadLetters>();
        services.AddHostedService<OutboxRelay<TDbContext>>();
        services.AddOptions<Inbox.InboxOptions>().BindConfiguration("Messaging:Inbox");
        services.AddHostedService<Inbox.InboxRetention<TDbContext>>();

        services.TryAddSingleton<BrokerProbe>();
        services.AddHealthChecks()
            .AddDbContextCheck<TDbContext>("database", tags: ["ready"])
            .AddCheck<BrokerProbe>("broker", tags: ["ready"]);

        services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, false));
            configureConsumers?.Invoke(bus);
            bus.AddConsumer<OrganisationAccessConsumer<TDbContext>>()
                .Endpoint(endpoint => endpoint.Name = $"{serviceName}-organisation-access");
            bus.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                context.GetRequiredService<Admin.ReceiveQueues>().Add(name);
                var retry = context.GetRequiredService<IOptions<ConsumerRetryOptions>>().Value;
                if (retry.Limit > 0)
                {
                    endpoint.UseMessageRetry(r => r.Exponential(retry.Limit, retry.MinInterval, retry.MaxInterval, retry.MinInterval));
                }
            });
            bus.UsingRabbitMq((context, rabbit) =>
            {
                var broker = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                rabbit.Host(broker.Host, broker.Port, broker.VirtualHost, host =>
                {
                    host.Username(broker.Username);
                    host.Password(broker.Password);
                });
                rabbit.PrefetchCount = broker.PrefetchCount;
                rabbit.ConfigureEndpoints(context);
            });
        });
        services.Configure<MassTransitHostOptions>(options =>
        {
            // Start serving HTTP while the broker connects; /health/ready says when it is up.
            options.WaitUntilStarted = false;
            options.StopTimeout = TimeSpan.FromSeconds(10);
        });

        return builder;
    }
}
