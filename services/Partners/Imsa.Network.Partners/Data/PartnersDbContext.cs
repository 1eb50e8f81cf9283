using Imsa.Network.Messaging;
using Imsa.Network.Partners.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Imsa.Network.Partners.Data;

internal sealed class PartnersDbContext(DbContextOptions<PartnersDbContext> options) : DbContext(options)
{
    public DbSet<Organisation> Organisations => Set<Organisation>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessaging();

        modelBuilder.Entity<Organisation>(organisation =>
        {
            organisation.ToTable("organisations");
            organisation.HasKey(o => o.Id);
            organisation.Property(o => o.Id).HasColumnName("id");
            organisation.Property(o => o.Name).HasColumnName("name").HasMaxLength(300);
            organisation.Property(o => o.NormalizedName).HasColumnName("normalized_name").HasMaxLength(300);
            organisation.Property(o => o.Country).HasColumnName("country").HasMaxLength(2).IsFixedLength();
            organisation.Property(o => o.Kind).HasColumnName("kind").HasConversion<string>().HasMaxLength(40);
            organisation.Property(o => o.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(40);
            organisation.Property(o => o.RegisteredAt).HasColumnName("registered_at");
            organisation.HasIndex(o => new { o.NormalizedName, o.Country }).IsUnique();
        });
    }
}

/// <summary>Lets `dotnet ef migrations add` build the model without a running configuration.</summary>
internal sealed class PartnersDbContextFactory : IDesignTimeDbContextFactory<PartnersDbContext>
{
    public PartnersDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PartnersDbContext>().UseNpgsql("Host=localhost").Options);
}
