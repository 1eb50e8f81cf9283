using Imsa.Network.Counselling.Domain;
using Imsa.Network.Counselling.Domain.ConsentTexts;
using Imsa.Network.Counselling.Protection;
using Imsa.Network.Access;
using Imsa.Network.Messaging;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Imsa.Network.Counselling.Data;

internal sealed class CounsellingDbContext(DbContextOptions<CounsellingDbContext> options) : DbContext(options)
{
    public DbSet<KnownOrganisation> Organisations => Set<KnownOrganisation>();

    public DbSet<Case> Cases => Set<Case>();

    public DbSet<CaseKey> CaseKeys => Set<CaseKey>();

    public DbSet<CounsellingSession> Sessions => Set<CounsellingSession>();

    public DbSet<Consent> Consents => Set<Consent>();

    public DbSet<ConsentWithdrawal> ConsentWithdrawals => Set<ConsentWithdrawal>();

    public DbSet<Disclosure> Disclosures => Set<Disclosure>();

    public DbSet<CaseHandover> Handovers => Set<CaseHandover>();

    public DbSet<ConsentText> ConsentTexts => Set<ConsentText>();

    public DbSet<ControllerContact> ControllerContacts => Set<ControllerContact>();

    public DbSet<ReceiptSigningKey> ReceiptSigningKeys => Set<ReceiptSigningKey>();

    public DbSet<Export.CaseExportRecord> CaseExports => Set<Export.CaseExportRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessaging();
        modelBuilder.AddNetworkAccess();
        modelBuilder.AddOperations();
        modelBuilder.AddIdempotentRequests();
        modelBuilder.AddRateLimits();

        modelBuilder.Entity<KnownOrganisation>(organisation =>
        {
            organisation.ToTable("known_organisations");
            organisation.HasKey(o => o.Id);
            organisation.Property(o => o.Id).ValueGeneratedNever();
            organisation.Property(o => o.Kind).HasMaxLength(40);
            organisation.Property(o => o.Country).HasMaxLength(2).IsFixedLength();
            organisation.Property(o => o.Status).HasMaxLength(40);
        });

        modelBuilder.Entity<Case>(c =>
        {
            c.ToTable("cases");
            c.HasKey(x => x.Id);
            c.Property(x => x.Id).ValueGeneratedNever();
            c.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
            c.Property(x => x.CloseReason).HasConversion<string>().HasMaxLength(40);
            c.Property(x => x.RestrictionReason).HasConversion<string>().HasMaxLength(40);
            c.Property(x => x.Purpose).HasMaxLength(60);
            c.Property(x => x.DestinationState).HasMaxLength(5);
            c.Property(x => x.DestinationDistrict).HasMaxLength(5);
            c.Property(x => x.Version).IsRowVersion().HasColumnName("xmin");
            c.HasIndex(x => new { x.OwnerOrganisationId, x.OpenedAt });
        });

        modelBuilder.Entity<CaseKey>(k =>
        {
            k.ToTable("case_keys");
            k.HasKey(x => x.CaseId);
            k.Property(x => x.MasterKeyId).HasMaxLength(100);
            k.HasIndex(x => x.MasterKeyId);
        });

        modelBuilder.Entity<CounsellingSession>(s =>
        {
            s.ToTable("counselling_sessions");
            s.HasKey(x => x.Id);
            s.Property(x => x.Id).ValueGeneratedNever();
            s.HasIndex(x => new { x.CaseId, x.RecordedAt });
        });

        modelBuilder.Entity<Consent>(c =>
        {
            c.ToTable("consents");
            c.HasKey(x => x.Id);
            c.Property(x => x.Id).ValueGeneratedNever();
            c.Property(x => x.RecordedByClientId).HasMaxLength(200);
            c.Property(x => x.Method).HasConversion<string>().HasMaxLength(40);
            c.Property(x => x.Purpose).HasConversion<string>().HasMaxLength(60);
            c.Property(x => x.TextLanguage).HasMaxLength(2);
            c.Property(x => x.TextVersion).HasMaxLength(20);
            c.Property(x => x.TextSha256).HasMaxLength(64);
            c.HasIndex(x => x.CaseId);
            c.HasIndex(x => x.WithdrawalCodeHash).IsUnique();
            // Serves the expiry job's both queries: ended by valid_until, and announced in the notice period before it.
            c.HasIndex(x => x.ValidUntil);
            c.HasOne(x => x.Withdrawal).WithOne().HasForeignKey<ConsentWithdrawal>(w => w.ConsentId);
        });

        modelBuilder.Entity<ConsentWithdrawal>(w =>
        {
            w.ToTable("consent_withdrawals");
            w.HasKey(x => x.ConsentId);
            w.Property(x => x.Channel).HasConversion<string>().HasMaxLength(40);
        });

        modelBuilder.Entity<Disclosure>(d =>
        {
            d.ToTable("disclosures");
            d.HasKey(x => x.Id);
            d.Property(x => x.Id).ValueGeneratedNever();
            d.Property(x => x.ReaderClientId).HasMaxLength(200);
            d.HasIndex(x => new { x.CaseId, x.At });
        });

        modelBuilder.Entity<Export.CaseExportRecord>(e =>
        {
            e.ToTable("case_exports");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.ClientId).HasMaxLength(200);
            e.Property(x => x.Format).HasMaxLength(10);
            e.Property(x => x.Language).HasMaxLength(10);
            e.HasIndex(x => new { x.CaseId, x.At });
        });

        modelBuilder.Entity<CaseHandover>(h =>
        {
            h.ToTable("case_handovers");
            h.HasKey(x => x.HandoverId);
            h.Property(x => x.HandoverId).ValueGeneratedNever();
            h.Property(x => x.Status).HasMaxLength(40);
            // Two events of one ticket applied at once must not both win: the later commit re-reads and defers.
            h.Property(x => x.Version).IsConcurrencyToken();
            h.Property(x => x.DeclineReason).HasMaxLength(60);
            h.Property(x => x.LastOutcome).HasMaxLength(60);
            h.HasIndex(x => x.CaseId);
            h.HasIndex(x => new { x.ReceiverOrganisationId, x.CaseId });
        });

        modelBuilder.Entity<ConsentText>(t =>
        {
            t.ToTable("consent_texts");
            t.HasKey(x => new { x.Language, x.Version });
            t.Property(x => x.Language).HasMaxLength(2);
            t.Property(x => x.Version).HasMaxLength(Domain.ConsentTexts.ConsentTexts.MaxVersionLength);
            t.Property(x => x.Title).HasMaxLength(Domain.ConsentTexts.ConsentTexts.MaxTitleLength);
            t.Property(x => x.Sha256).HasMaxLength(64);
            t.Property(x => x.Text).HasMaxLength(Domain.ConsentTexts.ConsentTexts.MaxTextLength);
        });

        modelBuilder.Entity<ControllerContact>(c =>
        {
            c.ToTable("controller_contacts");
            c.HasKey(x => x.OrganisationId);
            c.Property(x => x.OrganisationId).ValueGeneratedNever();
            c.Property(x => x.Name).HasMaxLength(200);
            c.Property(x => x.Street).HasMaxLength(200);
            c.Property(x => x.PostalCode).HasMaxLength(20);
            c.Property(x => x.City).HasMaxLength(100);
            c.Property(x => x.Country).HasMaxLength(2);
            c.Property(x => x.Role).HasMaxLength(200);
            c.Property(x => x.Email).HasMaxLength(254);
            c.Property(x => x.Phone).HasMaxLength(50);
        });

        modelBuilder.Entity<ReceiptSigningKey>(k =>
        {
            k.ToTable("receipt_signing_keys");
            k.HasKey(x => x.Kid);
            k.Property(x => x.Kid).HasMaxLength(64);
            k.Property(x => x.X).HasMaxLength(64);
            k.Property(x => x.Y).HasMaxLength(64);
            k.Property(x => x.MasterKeyId).HasMaxLength(100);
            k.HasIndex(x => x.SignsUntil);
        });

        // snake_case for every column not named explicitly (the messaging tables name theirs).
        modelBuilder.UseSnakeCaseColumns();
    }
}

/// <summary>Lets `dotnet ef migrations add` build the model without a running configuration.</summary>
internal sealed class CounsellingDbContextFactory : IDesignTimeDbContextFactory<CounsellingDbContext>
{
    public CounsellingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CounsellingDbContext>().UseNpgsql("Host=localhost").Options);
}
