using Imsa.Network.Messaging;
using Imsa.Network.Counselling.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Imsa.Network.Counselling.Data;

internal sealed class CounsellingDbContext(DbContextOptions<CounsellingDbContext> options) : DbContext(options)
{
    public DbSet<KnownOrganisation> Organisations => Set<KnownOrganisation>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessaging();

        modelBuilder.Entity<KnownOrganisation>(organisation =>
        {
            organisation.ToTable("known_organisations");
            organisation.HasKey(o => o.Id);
            organisation.Property(o => o.Id).HasColumnName("id").ValueGeneratedNever();
            organisation.Property(o => o.Kind).HasColumnName("kind").HasMaxLength(40);
            organisation.Property(o => o.Country).HasColumnName("country").HasMaxLength(2).IsFixedLength();
            organisation.Property(o => o.Status).HasColumnName("status").HasMaxLength(40);
            organisation.Property(o => o.RegisteredAt).HasColumnName("registered_at");
        });
    }
}

/// <summary>Lets `dotnet ef migrations add` build the model without a running configuration.</summary>
internal sealed class CounsellingDbContextFactory : IDesignTimeDbContextFactory<CounsellingDbContext>
{
    public CounsellingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CounsellingDbContext>().UseNpgsql("Host=localhost").Options);
}
