using Imsa.Network.Messaging.Inbox;
using Imsa.Network.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Messaging;

public static class MessagingModelBuilderExtensions
{
    public const string Schema = "messaging";
    public const string OutboxTable = "outbox_messages";
    public const string InboxTable = "inbox_messages";

    /// <summary>Maps the outbox and inbox tables into a service's model, so its migrations create them.</summary>
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

        return modelBuilder;
    }
}
