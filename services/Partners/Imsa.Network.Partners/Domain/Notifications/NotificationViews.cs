using Imsa.Network.Partners.Data;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Domain.Notifications;

/// <summary>Notifications with the names of the organisations they name, as their texts need them.</summary>
internal static class NotificationViews
{
    /// <summary>The notifications a mail carries, oldest first.</summary>
    public static async Task<IReadOnlyList<NotificationView>> OfMailAsync(PartnersDbContext db, Guid mailId, CancellationToken cancellationToken) =>
        await WithNamesAsync(db, await db.Notifications.AsNoTracking().Where(n => n.MailId == mailId).OrderBy(n => n.Id).ToListAsync(cancellationToken), cancellationToken);

    public static async Task<IReadOnlyList<NotificationView>> WithNamesAsync(PartnersDbContext db, IReadOnlyList<Notification> notifications, CancellationToken cancellationToken)
    {
        var ids = notifications.Where(n => n.OrganisationId is not null).Select(n => n.OrganisationId!.Value).Distinct().ToList();
        var names = ids.Count == 0
            ? new Dictionary<Guid, string>()
            : await db.Organisations.AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        return [.. notifications.Select(n => new NotificationView(n, n.OrganisationId is { } id && names.TryGetValue(id, out var name) ? name : null))];
    }
}
