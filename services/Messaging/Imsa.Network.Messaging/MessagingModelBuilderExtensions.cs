using Imsa.Network.Messaging.Access;
using Imsa.Network.Messaging.Inbox;
using Imsa.Network.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Messaging;

public static class MessagingModelBuilderExtensions
{
    public const string Schema = "messaging";
    public const string OutboxTable = "outbox_messages";
    public const string InboxTable = "inbox_messages";

    /// <summary>
    /// Maps the outbox and inbox tables, the access projection (organisation status, revoked clients) every
    /// service checks tokens against, and the coordinators' audit trail into a service's model, so its migrations
    /// create them.
    /// </summary>
    public static ModelBuilder AddMessaging(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable(OutboxTable, Schema);
            outbox.HasKey(m => m.Sequence);
            outbox.Property(m => m.Sequence).HasColumnName("sequence").UseIdentityAlwaysColumn();
            outbox.Property(m => m.Id).HasColumnName("id");
            outbox.HasIndex(m => m.Id).IsUnique();
            outbox.Property(m => m.MessageType).HasColumnName("message_type").HasMaxLength(500);
            outbox.Property(m => m.Body).HasColumnName("body").HasColumnType("jsonb");
            outbox.Property(m => m.TraceParent).HasColumnName("trace_parent").HasMaxLength(100);
            outbox.Property(m => m.CreatedAt).HasColumnName("created_at");
            outbox.Property(m => m.Attempts).HasColumnName("attempts");
            outbox.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at");
            outbox.Property(m => m.LastError).HasColumnName("last_error").HasMaxLength(2000);
            outbox.Property(m => m.QuarantinedAt).HasColumnName("quarantined_at");
            // The relay's scan: pending rows in order.
            outbox.HasIndex(m => m.Sequence).HasFilter("quarantined_at IS NULL").HasDatabaseName("ix_outbox_messages_pending");
        });

        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable(InboxTable, Schema);
            inbox.HasKey(m => new { m.MessageId, m.Consumer });
            inbox.Property(m => m.MessageId).HasColumnName("message_id");
            inbox.Property(m => m.Consumer).HasColumnName("consumer").HasMaxLength(200);
            inbox.Property(m => m.ProcessedAt).HasColumnName("processed_at");
        });

        modelBuilder.Entity<OrganisationAccess>(access =>
        {
            access.ToTable("organisation_access", "access");
            access.HasKey(a => a.OrganisationId);
            access.Property(a => a.OrganisationId).HasColumnName("organisation_id").ValueGeneratedNever();
            access.Property(a => a.Status).HasColumnName("status").HasMaxLength(40);
            access.Property(a => a.StatusVersion).HasColumnName("status_version");
            access.Property(a => a.ChangedAt).HasColumnName("changed_at");
        });

        modelBuilder.Entity<RevokedClient>(revoked =>
        {
            revoked.ToTable("revoked_clients", "access");
            revoked.HasKey(c => c.ClientId);
            revoked.Property(c => c.ClientId).HasColumnName("client_id").HasMaxLength(100);
            revoked.Property(c => c.OrganisationId).HasColumnName("organisation_id");
            revoked.Property(c => c.RevokedAt).HasColumnName("revoked_at");
        });

        modelBuilder.Entity<Admin.AuditEntry>(audit =>
        {
            audit.ToTable("audit_trail", "admin");
            audit.HasKey(e => e.Id);
            audit.Property(e => e.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            audit.Property(e => e.At).HasColumnName("at");
            audit.Property(e => e.OrganisationId).HasColumnName("organisation_id");
            audit.Property(e => e.ClientId).HasColumnName("client_id").HasMaxLength(100);
            audit.Property(e => e.Action).HasColumnName("action").HasMaxLength(100);
            audit.Property(e => e.Target).HasColumnName("target").HasMaxLength(300);
            audit.Property(e => e.Reason).HasColumnName("reason").HasMaxLength(500);
        });

        return modelBuilder;
    }

    /// <summary>
    /// Names every column not named explicitly in snake_case (<c>OwnerOrganisationId</c> → <c>owner_organisation_id</c>).
    /// Call it last in OnModelCreating.
    /// </summary>
    public static ModelBuilder UseSnakeCaseColumns(this ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(entity => entity.GetProperties()))
        {
            if (property.GetColumnName() == property.Name)
            {
                property.SetColumnName(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
            }
        }

        return modelBuilder;
    }
}
