using Imsa.Network.Partners.Data;
using Imsa.Network.Partners.Identity;
using Imsa.Network.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Domain.Notifications;

/// <summary>"Notifications" configuration.</summary>
internal sealed class NotificationOptions
{
    /// <summary>The web application's public address (the links in the mails lead there), e.g. https://app.imsa-network.example/.</summary>
    public Uri? WebUrl { get; set; }

    /// <summary>The hour of the day (UTC) after which the day's digests go out: 6 is 7:00 in Germany in winter, 8:00 in summer.</summary>
    public int DigestHourUtc { get; set; } = 6;

    /// <summary>How often digests are made and pending mails sent.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts before a mail is given up (failed): with the backoff, about a day.</summary>
    public int MaxAttempts { get; set; } = 12;

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(4);

    public int BatchSize { get; set; } = 50;

    /// <summary>Where notification mails go, when not as invitations ("Invitations:Mail"): its own SMTP server or pickup directory, its own sender.</summary>
    public InvitationMailOptions? Mail { get; set; }

    /// <summary>The latest digest boundary at or before <paramref name="now"/>: the day's <see cref="DigestHourUtc"/>, else the day before's.</summary>
    public DateTimeOffset DigestBoundary(DateTimeOffset now)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddHours(DigestHourUtc);
        return today <= now ? today : today.AddDays(-1);
    }
}

/// <summary>
/// Mails people their notifications: makes each person's digest once the day's digest hour has passed (everything
/// chosen for the digest that came before it), then sends the pending mails — rendered now, in the person's language,
/// to the address on their account — through <see cref="Mailer"/>. A mail the server does not take is tried again
/// later with growing backoff and marked failed after the configured attempts (the person's list shows it); one for
/// a person no longer active is cancelled. Mails are claimed for a while, so several instances share the work
/// without sending one twice at a time; a digest is made once, whichever instance makes it.
/// </summary>
internal sealed partial class NotificationMailer(
    IServiceScopeFactory scopes, Mailer mailer, TimeProvider time, IOptions<NotificationOptions> options, PartnersMetrics metrics,
    ILogger<NotificationMailer> logger) : PeriodicJob(logger)
{
    protected override TimeSpan Interval => options.Value.PollInterval;

    protected override async Task<bool> RunPassAsync(CancellationToken cancellationToken)
    {
        await MakeDigestsAsync(cancellationToken);
        return await SendPendingAsync(cancellationToken) >= options.Value.BatchSize;
    }

    /// <summary>
    /// One digest mail per person with notifications for the digest made before the boundary, in one statement: a
    /// second instance running it at once finds the notifications taken (their mail_id set) and makes none.
    /// </summary>
    public async Task<int> MakeDigestsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PartnersDbContext>();
        var now = time.GetUtcNow();
        var boundary = options.Value.DigestBoundary(now);
        return await db.Database.ExecuteSqlAsync(
            $"""
            WITH due AS (
                SELECT person_id, gen_random_uuid() AS mail_id FROM notifications
                WHERE mail_id IS NULL AND delivery = {(int)NotificationChoice.Digest} AND created_at < {boundary}
                GROUP BY person_id
                LIMIT {options.Value.BatchSize}),
            taken AS (
                UPDATE notifications n SET mail_id = due.mail_id FROM due
                WHERE n.person_id = due.person_id AND n.mail_id IS NULL AND n.delivery = {(int)NotificationChoice.Digest} AND n.created_at < {boundary}
                RETURNING n.person_id, n.mail_id)
            INSERT INTO notification_mails (id, person_id, digest, status, attempts, created_at, next_attempt_at)
            SELECT DISTINCT mail_id, person_id, true, 'Pending', 0, {now}, {now} FROM taken
            """,
            cancellationToken);
    }

    public async Task<int> SendPendingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PartnersDbContext>();
        var now = time.GetUtcNow();
        // Long enough for a batch of slow SMTP answers, so no other instance takes them meanwhile.
        var claimedUntil = now.AddMinutes(10);
        var claimed = await db.NotificationMails
            .FromSql($"""
                UPDATE notification_mails SET claimed_until = {claimedUntil}
                WHERE id IN (
                    SELECT id FROM notification_mails
                    WHERE status = 'Pending' AND next_attempt_at <= {now} AND (claimed_until IS NULL OR claimed_until < {now})
                    ORDER BY next_attempt_at LIMIT {options.Value.BatchSize}
                    FOR UPDATE SKIP LOCKED)
                RETURNING *
                """)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        foreach (var mail in claimed)
        {
            db.Attach(mail);
            await SendAsync(db, mail, cancellationToken);
            mail.ClaimedUntil = null;
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        return claimed.Count;
    }

    private async Task SendAsync(PartnersDbContext db, NotificationMail mail, CancellationToken cancellationToken)
    {
        var recipient = await db.Users.AsNoTracking()
            .Where(p => p.Id == mail.PersonId)
            .Select(p => new { p.Email, p.ActivatedAt, p.DeactivatedAt, p.NotificationLanguage, Kind = db.Organisations.Where(o => o.Id == p.OrganisationId).Select(o => o.Kind).First() })
            .FirstOrDefaultAsync(cancellationToken);
        var notifications = await NotificationViews.OfMailAsync(db, mail.Id, cancellationToken);
        if (recipient is not { ActivatedAt: not null, DeactivatedAt: null, Email.Length: > 0 } || notifications.Count == 0)
        {
            mail.Status = NotificationMailStatus.Cancelled;
            metrics.NotificationMail("cancelled");
            return;
        }

        var language = PersonLanguage.Named(recipient.NotificationLanguage) ?? NotificationTexts.DefaultLanguage(recipient.Kind);
        var webUrl = options.Value.WebUrl is { IsAbsoluteUri: true } url ? url.GetLeftPart(UriPartial.Path).TrimEnd('/') : "";
        var (subject, text) = mail.Digest
            ? NotificationTexts.Digest(notifications, language, webUrl)
            : NotificationTexts.Single(notifications[0], language, webUrl);
        try
        {
            await mailer.SendNotificationAsync(recipient.Email!, subject, text, cancellationToken);
            mail.Attempts++;
            mail.Status = NotificationMailStatus.Sent;
            mail.SentAt = time.GetUtcNow();
            mail.LastError = null;
            metrics.NotificationMail("sent");
        }
        catch (DependencyUnavailableException ex)
        {
            mail.Attempts++;
            // The exception's type only: the server's message could repeat the address.
            mail.LastError = ex.InnerException?.GetType().Name ?? ex.GetType().Name;
            var settings = options.Value;
            if (mail.Attempts >= settings.MaxAttempts)
            {
                mail.Status = NotificationMailStatus.Failed;
                metrics.NotificationMail("failed");
                LogGaveUp(mail.Id, mail.Attempts);
                return;
            }

            metrics.NotificationMail("retrying");
            var backoff = settings.InitialBackoff * Math.Pow(2, mail.Attempts - 1);
            mail.NextAttemptAt = time.GetUtcNow() + (backoff < settings.MaxBackoff ? backoff : settings.MaxBackoff);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification mail {MailId} failed after {Attempts} attempts; the notification stays in the person's list")]
    private partial void LogGaveUp(Guid mailId, int attempts);
}
