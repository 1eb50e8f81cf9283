using Imsa.Network.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Bench.Backbone;

/// <summary>
/// The event the bench writes through the outbox, shaped like the services' events (ids, a code, a time).
/// <paramref name="Phase"/> and <paramref name="Index"/> say which run and which of its events this is;
/// <paramref name="WrittenAt"/> is the <see cref="System.Diagnostics.Stopwatch"/> timestamp at which the
/// writer began its transaction (the consumer runs in the same process, so the clocks agree).
/// </summary>
public sealed record BenchOrderPlaced(Guid OrderId, string Reference, int Phase, int Index, long WrittenAt, DateTimeOffset PlacedAt);

/// <summary>The writing service's state change, committed together with the event announcing it.</summary>
public sealed class BenchOrder
{
    public Guid Id { get; set; }

    public required string Reference { get; set; }

    public int Phase { get; set; }

    public int Index { get; set; }

    public DateTimeOffset PlacedAt { get; set; }
}

/// <summary>The consuming service's effect of one event.</summary>
public sealed class BenchEffect
{
    public Guid OrderId { get; set; }

    public int Phase { get; set; }

    public int Index { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>The writing service's database: its orders and the outbox (and an inbox it does not use).</summary>
public sealed class WriterDbContext(DbContextOptions<WriterDbContext> options) : DbContext(options)
{
    public DbSet<BenchOrder> Orders => Set<BenchOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessaging();
        modelBuilder.Entity<BenchOrder>(order =>
        {
            order.ToTable("bench_orders");
            order.HasKey(o => o.Id);
            order.Property(o => o.Id).HasColumnName("id");
            order.Property(o => o.Reference).HasColumnName("reference").HasMaxLength(40);
            order.Property(o => o.Phase).HasColumnName("phase");
            order.Property(o => o.Index).HasColumnName("index");
            order.Property(o => o.PlacedAt).HasColumnName("placed_at");
        });
    }
}

/// <summary>The consuming service's database: its effects and the inbox (and an outbox it does not use).</summary>
public sealed class ReaderDbContext(DbContextOptions<ReaderDbContext> options) : DbContext(options)
{
    public DbSet<BenchEffect> Effects => Set<BenchEffect>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessaging();
        modelBuilder.Entity<BenchEffect>(effect =>
        {
            effect.ToTable("bench_effects");
            effect.HasKey(e => e.OrderId);
            effect.Property(e => e.OrderId).HasColumnName("order_id");
            effect.Property(e => e.Phase).HasColumnName("phase");
            effect.Property(e => e.Index).HasColumnName("index");
            effect.Property(e => e.ReceivedAt).HasColumnName("received_at");
        });
    }
}
