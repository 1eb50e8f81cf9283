using Imsa.Network.Operations;
using Imsa.Network.Partners.Data;
using Imsa.Network.Reference.Retention;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Domain;

/// <summary>Partners' retention rules (<see cref="RetentionRules"/>, docs/privacy.md#retention), applied by every instance's <see cref="RetentionJob"/>.</summary>
internal static class PartnersRetention
{
    public static readonly RetentionRule WebhookDeliveries = Rule(RetentionRules.WebhookDeliveries, DeleteWebhookDeliveriesAsync);

    public static readonly RetentionRule CredentialEvents = Rule(RetentionRules.CredentialEvents, DeleteCredentialEventsAsync);

    public static readonly RetentionRule Notifications = Rule(RetentionRules.Notifications, DeleteNotificationsAsync);

    public static readonly RetentionRule Activity = Rule(RetentionRules.Activity(RetentionRules.Partners), OperationsRetention.DeleteActivityAsync);

    public static readonly RetentionRule AuditTrail = Rule(RetentionRules.AuditTrail(RetentionRules.Partners), OperationsRetention.DeleteAuditTrailAsync);

    private static RetentionRule Rule(RetentionRuleDefinition rule, RetentionBatch batch) =>
        new(rule.Name, rule.Default, rule.Minimum, rule.FromEndOfYear, rule.Reason, rule.MinimumReason, batch);

    /// <summary>Deliveries made before the cutoff that are done: delivered, or given up. A pending one is still owed.</summary>
    private static Task<int> DeleteWebhookDeliveriesAsync(IServiceProvider services, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) =>
        services.GetRequiredService<PartnersDbContext>().Database.ExecuteSqlAsync(
            $"""
            DELETE FROM webhook_deliveries WHERE id IN (
                SELECT id FROM webhook_deliveries
                WHERE status <> 'Pending' AND created_at < {cutoff}
                LIMIT {batchSize}
                FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken);

    /// <summary>
    /// Notifications made before the cutoff, read or not, then the mails they leave without a notification once done
    /// (sent, given up, cancelled): a pending mail is still owed.
    /// </summary>
    private static async Task<int> DeleteNotificationsAsync(IServiceProvider services, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<PartnersDbContext>();
        var notifications = await db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM notifications WHERE id IN (
                SELECT id FROM notifications WHERE created_at < {cutoff} ORDER BY id LIMIT {batchSize} FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken);
        var mails = await db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM notification_mails WHERE id IN (
                SELECT m.id FROM notification_mails m
                WHERE m.status <> 'Pending' AND m.created_at < {cutoff}
                    AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.mail_id = m.id)
                LIMIT {batchSize}
                FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken);
        return notifications + mails;
    }

    private static Task<int> DeleteCredentialEventsAsync(IServiceProvider services, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) =>
        services.GetRequiredService<PartnersDbContext>().Database.ExecuteSqlAsync(
            $"""
            DELETE FROM credential_events WHERE id IN (
                SELECT id FROM credential_events WHERE at < {cutoff} ORDER BY id LIMIT {batchSize} FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken);
}
