using Imsa.Network.Messaging.Inbox;
using Imsa.Network.Messaging.Outbox;
using Imsa.Network.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace Imsa.Network.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Wires the backbone for a service whose database is <typeparamref name="TDbContext"/> (registered by the
    /// service): the outbox commit signal in that context and the relay that publishes its rows, inbox retention,
    /// MassTransit on RabbitMQ with the consumers <paramref name="configureConsumers"/> registers, consumer retries,
    /// quorum receive queues with a delivery limit and _error queues, the broker's readiness check ("broker") and the backbone's trace sources. Configuration is
    /// read when services resolve, so a test host can override it.
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
        services.AddOptions<InboxOptions>().BindConfiguration("Messaging:Inbox");
        services.AddOptions<QueueOptions>().BindConfiguration("Messaging")
            .Validate(queues => queues.DeliveryLimit > 0, "Messaging:DeliveryLimit must be at least 1.");

        // Rows added with AddEvent wake the relay as soon as their transaction commits. The interceptor is a singleton,
        // and so is this configuration: a pooled DbContext's options are built once.
        services.ConfigureDbContext<TDbContext>(
            (provider, options) => options.AddInterceptors(provider.GetRequiredService<OutboxCommitInterceptor>()),
            ServiceLifetime.Singleton);
        services.AddHostedService<OutboxRelay<TDbContext>>();
        services.AddHostedService<InboxRetention<TDbContext>>();

        services.TryAddSingleton<ReceiveQueues>();
        services.TryAddSingleton<BrokerProbe>();
        services.AddHealthChecks().AddCheck<BrokerProbe>("broker", tags: ["ready"]);
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource("MassTransit", MessagingTelemetry.SourceName));
        services.AddMessagingMetrics<TDbContext>();

        services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, false));
            // MassTransit 8.5 would report the bus's shape to usage-tracking.masstransit.io at start: the network
            // calls out to nobody it has not chosen (and the services' egress policies refuse it anyway).
            bus.DisableUsageTelemetry();
            configureConsumers?.Invoke(bus);
            bus.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                context.GetRequiredService<ReceiveQueues>().Add(name);
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbitEndpoint)
                {
                    QuorumQueues.Configure(rabbitEndpoint, name, context.GetRequiredService<IOptions<QueueOptions>>().Value);
                }

                // Nobody consumes Fault<T> events (a failure's record is its _error queue), and a service's broker user
                // may publish only its own event types.
                endpoint.PublishFaults = false;
                var retry = context.GetRequiredService<IOptions<ConsumerRetryOptions>>().Value;
                // Outer: a failure of the message's own, a few times, then _error. Inner: a failure that passes (the
                // database away), for as long as it lasts; it never reaches the outer policy.
                endpoint.UseMessageRetry(r =>
                {
                    r.Ignore<Exception>(DatabaseFailures.IsTransient);
                    r.Exponential(retry.Limit, retry.MinInterval, retry.MaxInterval, retry.MinInterval);
                });
                endpoint.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(DatabaseFailures.IsTransient);
                    r.Exponential(int.MaxValue, retry.MinInterval, retry.TransientMaxInterval, retry.MinInterval);
                });
            });
            bus.UsingRabbitMq((context, rabbit) =>
            {
                var broker = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                rabbit.Host(broker.Host, broker.Port, broker.VirtualHost, host =>
                {
                    host.Username(broker.Username);
                    host.Password(broker.Password);
                    if (broker.UseTls)
                    {
                        host.UseSsl(ssl => ssl.ServerName = broker.Host);
                    }
                });
                rabbit.PrefetchCount = broker.PrefetchCount;
                QuorumQueues.Configure(rabbit.SendTopology, context.GetRequiredService<IOptions<QueueOptions>>().Value);
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
