using System.Collections.Concurrent;
using Imsa.Network.Messaging;
using Imsa.Network.Messaging.Inbox;
using Imsa.Network.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Imsa.Network.Messaging.Tests;

/// <summary>The event the backbone tests send: a widget was created; a negative number makes its consumer fail.</summary>
public sealed record WidgetCreated(Guid WidgetId, int Number);

/// <summary>The state change an event announces.</summary>
public sealed class Widget
{
    public Guid Id { get; set; }

    public int Number { get; set; }
}

/// <summary>The consumer's effect: one row per WidgetCreated it applied.</summary>
public sealed class Effect
{
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    public Guid WidgetId { get; set; }
}

public sealed class TestDbContext(DbContextOptions<TestDbContext> options) : DbContext(options)
{
    public DbSet<Widget> Widgets => Set<Widget>();

    public DbSet<Effect> Effects => Set<Effect>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessaging();
        modelBuilder.Entity<Widget>().ToTable("widgets").Property(w => w.Id).ValueGeneratedNever();
        modelBuilder.Entity<Effect>().ToTable("effects");
    }
}

public sealed class WidgetCreatedConsumer(TestDbContext db) : IdempotentConsumer<TestDbContext>(db), IConsumer<WidgetCreated>
{
    public Task Consume(ConsumeContext<WidgetCreated> context) =>
        ConsumeOnceAsync(context, () =>
        {
            if (context.Message.Number < 0)
            {
                throw new InvalidOperationException("This widget cannot be consumed.");
            }

            Db.Effects.Add(new Effect { MessageId = context.MessageId!.Value, WidgetId = context.Message.WidgetId });
            return Task.CompletedTask;
        });
}

/// <summary>Every completed consume of every message (after its transaction committed), duplicates included.</summary>
public sealed class DeliveryLog : IConsumeObserver
{
    private readonly ConcurrentDictionary<Guid, int> _deliveries = new();

    public int Of(Guid messageId) => _deliveries.GetValueOrDefault(messageId);

    public int Total => _deliveries.Values.Sum();

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        _deliveries.AddOrUpdate(context.MessageId!.Value, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}

/// <summary>One instance of a service on the backbone: its database, relay and (optionally) its consumer.</summary>
public sealed class Backbone : IAsyncDisposable
{
    public const string ConsumerQueue = "test-widget-created";

    private readonly IHost _host;

    private Backbone(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public DeliveryLog Deliveries => Services.GetRequiredService<DeliveryLog>();

    public static async Task<Backbone> StartAsync(
        PostgresDatabase database,
        RabbitMqVirtualHost vhost,
        bool relay = true,
        bool consumer = true,
        IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        var configuration = vhost.Settings();
        configuration["ConnectionStrings:Database"] = database.ConnectionString;
        configuration["Messaging:Outbox:RelayEnabled"] = relay.ToString();
        configuration["Messaging:ConsumerRetry:Limit"] = "1";
        configuration["Messaging:ConsumerRetry:MinInterval"] = "00:00:00.020";
        configuration["Messaging:ConsumerRetry:TransientMaxInterval"] = "00:00:00.200";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<DeliveryLog>();
        builder.Services.AddDbContext<TestDbContext>(options => options.UseNpgsql(configuration["ConnectionStrings:Database"]));
        builder.AddMessaging<TestDbContext>("test", bus =>
        {
            if (consumer)
            {
                bus.AddConsumer<WidgetCreatedConsumer>();
            }
        });
        builder.Services.AddConsumeObserver(provider => provider.GetRequiredService<DeliveryLog>());

        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TestDbContext>().Database.EnsureCreatedAsync();
        }

        await host.StartAsync();
        using var started = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, started.Token);
        return new Backbone(host);
    }

    /// <summary>Creates a widget and announces it, in one transaction; returns the event's MessageId.</summary>
    public async Task<Guid> CreateWidgetAsync(int number = 1, Guid? id = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        var widget = new Widget { Id = id ?? Guid.NewGuid(), Number = number };
        db.Widgets.Add(widget);
        var messageId = db.AddEvent(new WidgetCreated(widget.Id, number));
        await db.SaveChangesAsync();
        return messageId;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
