using Imsa.Network.Handovers.Domain;
using Imsa.Network.Access;
using Imsa.Network.Messaging;
using Imsa.Network.Operations;
using Imsa.Network.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Imsa.Network.Handovers.Data;

internal sealed class HandoversDbContext(DbContextOptions<HandoversDbContext> options) : DbContext(options)
{
    public DbSet<KnownOrganisation> Organisations => Set<KnownOrganisation>();

    public DbSet<HandoverTicket> Tickets => Set<HandoverTicket>();

    public DbSet<TimelineEntry> Timeline => Set<TimelineEntry>();

    public DbSet<CaseOwnership> Cases => Set<CaseOwnership>();

    public DbSet<ConsentCoverage> Consents => Set<ConsentCoverage>();

    public DbSet<CaseTextKey> CaseTextKeys => Set<CaseTextKey>();

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
            organisation.Ignore(o => o.IsReceivingService);
            organisation.Ignore(o => o.Capacity);
        });

        modelBuilder.Entity<HandoverTicket>(t =>
        {
            t.ToTable("handover_tickets");
            t.HasKey(x => x.Id);
            t.Property(x => x.Id).ValueGeneratedNever();
            t.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
            t.Property(x => x.Version).IsConcurrencyToken();
            // The free text is stored sealed under the case's key (TicketTexts); the clear columns of before stay
            // until the upkeep job has sealed what they hold.
            t.Ignore(x => x.Message);
            t.Ignore(x => x.DeclineNote);
            t.Property(x => x.LegacyMessage).HasColumnName("message").HasMaxLength(1000);
            t.Property(x => x.LegacyDeclineNote).HasColumnName("decline_note").HasMaxLength(1000);
            t.Property(x => x.DeclineReason).HasConversion<string>().HasMaxLength(40);
            t.Property(x => x.RevocationCause).HasConversion<string>().HasMaxLength(40);
            t.Property(x => x.LastOutcome).HasConversion<string>().HasMaxLength(40);
            t.Ignore(x => x.PlannedArrivalMonth);
            t.Ignore(x => x.IsOpen);
            t.HasMany(x => x.Timeline).WithOne().HasForeignKey(e => e.TicketId);
            // One offered open handover per case and receiver: the database keeps it so even under a race. A request
            // still waiting is not in it: its case is not yet known to be the origin's, so it must not block the owner's.
            t.HasIndex(x => new { x.CaseId, x.ReceiverOrganisationId })
                .IsUnique()
                .HasFilter("status IN ('Offered', 'Accepted', 'InContact', 'Escalated')")
                .HasDatabaseName("ix_handover_tickets_one_open_per_case_and_receiver");
            // The requests waiting for their case or consent (PendingRequests): few, looked up by case and by the job.
            t.HasIndex(x => x.CaseId).HasFilter("status = 'Requested'").HasDatabaseName("ix_handover_tickets_waiting");
            t.HasIndex(x => new { x.ReceiverOrganisationId, x.Status });
            t.HasIndex(x => new { x.OriginOrganisationId, x.Status });
            t.HasIndex(x => x.AnswerDueAt).HasFilter("status = 'Offered'");
            t.HasIndex(x => x.FollowUpDueAt).HasFilter("status = 'Accepted' AND follow_up_flagged_at IS NULL");
            // Set only while offered and not yet reminded (every step clears it), so the index holds the reminders to come.
            t.HasIndex(x => x.AnswerReminderAt).HasFilter("answer_reminder_at IS NOT NULL");
        });

        modelBuilder.Entity<TimelineEntry>(e =>
        {
            e.ToTable("handover_timeline");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.Property(x => x.Actor).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.Action).HasMaxLength(40);
            e.Property(x => x.Detail).HasMaxLength(200);
            e.Property(x => x.ActorClientId).HasMaxLength(200);
        });

        modelBuilder.Entity<CaseTextKey>(k =>
        {
            k.ToTable("case_text_keys");
            k.HasKey(x => x.CaseId);
            k.Property(x => x.CaseId).ValueGeneratedNever();
            k.Property(x => x.MasterKeyId).HasMaxLength(100);
            k.HasIndex(x => x.MasterKeyId);
        });

        modelBuilder.Entity<CaseOwnership>(c =>
        {
            c.ToTable("case_owners");
            c.HasKey(x => x.CaseId);
            c.Property(x => x.CaseId).ValueGeneratedNever();
        });

        modelBuilder.Entity<ConsentCoverage>(c =>
        {
            c.ToTable("consent_coverage");
            c.HasKey(x => x.ConsentId);
            c.Property(x => x.ConsentId).ValueGeneratedNever();
            c.Property(x => x.EndedHow).HasMaxLength(20);
            c.HasIndex(x => x.CaseId);
        });

        // snake_case for every column not named explicitly (the messaging tables name theirs).
        modelBuilder.UseSnakeCaseColumns();
    }
}

/// <summary>Lets `dotnet ef migrations add` build the model without a running configuration.</summary>
internal sealed class HandoversDbContextFactory : IDesignTimeDbContextFactory<HandoversDbContext>
{
    public HandoversDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<HandoversDbContext>().UseNpgsql("Host=localhost").Options);
}
