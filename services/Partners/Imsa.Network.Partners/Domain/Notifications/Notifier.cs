using Imsa.Network.Partners.Data;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Partners.Domain.Notifications;

/// <summary>What a notification says, before it is someone's (<see cref="Notification"/>).</summary>
/// <param name="SourceKey">What it is made from (an event's MessageId, an action's id): one notification per source and person.</param>
/// <param name="Link">A path in the web application.</param>
internal sealed record NotificationDraft(
    NotificationKind Kind,
    string SourceKey,
    string Link,
    Guid? HandoverId = null,
    Guid? CaseId = null,
    Guid? OrganisationId = null,
    string? Code = null,
    DateTimeOffset? DueAt = null);

/// <summary>
/// Makes notifications for the people a kind is for — active people with its role, of an active organisation — each
/// as they chose within their organisation's minimum: none when that comes to "off", else one in their list and, for
/// "immediately", a mail of its own at once (for the digest, the next digest takes it). Adds to the context: the
/// caller's transaction (a consumer's inbox transaction, an endpoint's) saves them with its own effects.
/// </summary>
internal static class Notifier
{
    /// <summary>Notifies the people of <paramref name="organisationId"/> the kind is for, except <paramref name="except"/> (who did it, whom it is about).</summary>
    /// <returns>How many people were notified.</returns>
    public static async Task<int> NotifyAsync(
        PartnersDbContext db, Guid organisationId, NotificationDraft draft, DateTimeOffset now, CancellationToken cancellationToken, IReadOnlyCollection<Guid>? except = null)
    {
        var organisation = await db.Organisations.AsNoTracking()
            .Where(o => o.Id == organisationId && o.Status == OrganisationStatus.Active)
            .Select(o => new { o.Id, o.Kind })
            .FirstOrDefaultAsync(cancellationToken);
        if (organisation is null || !draft.Kind.OrganisationKinds.Contains(organisation.Kind))
        {
            return 0;
        }

        var roles = NotificationKinds.RolesFor(draft.Kind, organisation.Kind);
        var kind = draft.Kind.Code;
        var excepted = except ?? [];
        var people = await db.Users.AsNoTracking()
            .Where(p => p.OrganisationId == organisationId && roles.Contains(p.Role) && p.ActivatedAt != null && p.DeactivatedAt == null && !excepted.Contains(p.Id))
            .Select(p => new
            {
                p.Id,
                Choice = db.NotificationPreferences.Where(x => x.PersonId == p.Id && x.Kind == kind).Select(x => (NotificationChoice?)x.Choice).FirstOrDefault(),
                Made = db.Notifications.Any(n => n.PersonId == p.Id && n.SourceKey == draft.SourceKey),
            })
            .ToListAsync(cancellationToken);
        if (people.Count == 0)
        {
            return 0;
        }

        var minimum = await db.NotificationMinimums.AsNoTracking()
            .Where(m => m.OrganisationId == organisationId && m.Kind == kind)
            .Select(m => (NotificationChoice?)m.Minimum)
            .FirstOrDefaultAsync(cancellationToken) ?? NotificationChoice.Off;
        var notified = 0;
        foreach (var person in people.Where(p => !p.Made))
        {
            var delivery = Effective(person.Choice ?? draft.Kind.Default, minimum);
            if (delivery == NotificationChoice.Off)
            {
                continue;
            }

            var id = Guid.CreateVersion7(now);
            db.Notifications.Add(new Notification
            {
                Id = id,
                PersonId = person.Id,
                Kind = kind,
                SourceKey = draft.SourceKey,
                Link = draft.Link,
                HandoverId = draft.HandoverId,
                CaseId = draft.CaseId,
                OrganisationId = draft.OrganisationId,
                Code = draft.Code,
                DueAt = draft.DueAt,
                Delivery = delivery,
                MailId = delivery == NotificationChoice.Immediate ? id : null,
                CreatedAt = now,
            });
            if (delivery == NotificationChoice.Immediate)
            {
                db.NotificationMails.Add(new NotificationMail
                {
                    Id = id, PersonId = person.Id, Digest = false, Status = NotificationMailStatus.Pending, CreatedAt = now, NextAttemptAt = now,
                });
            }

            notified++;
        }

        return notified;
    }

    /// <summary>Notifies the people of every active coordination office.</summary>
    public static async Task<int> NotifyCoordinatorsAsync(PartnersDbContext db, NotificationDraft draft, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var offices = await db.Organisations.AsNoTracking()
            .Where(o => o.Kind == OrganisationKind.Coordinator && o.Status == OrganisationStatus.Active)
            .Select(o => o.Id)
            .ToListAsync(cancellationToken);
        var notified = 0;
        foreach (var office in offices)
        {
            notified += await NotifyAsync(db, office, draft, now, cancellationToken);
        }

        return notified;
    }

    /// <summary>A person's choice, raised to the organisation's minimum.</summary>
    public static NotificationChoice Effective(NotificationChoice choice, NotificationChoice minimum) => choice < minimum ? minimum : choice;
}
