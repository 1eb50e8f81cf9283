namespace Imsa.Network.Partners.Domain.Notifications;

/// <summary>
/// One notification for one person: what happened (a kind, a handover reference, the other organisation, a code, a
/// date) and a link into the web application, where the usual checks apply. Nothing personal: no name, no case
/// content — only what the person's organisation may know without opening the case.
/// </summary>
internal sealed class Notification
{
    public Guid Id { get; init; }

    public Guid PersonId { get; init; }

    /// <summary><see cref="NotificationKinds"/>' code.</summary>
    public required string Kind { get; init; }

    /// <summary>What it was made from: the event (its MessageId) or the action; one notification per source and person.</summary>
    public required string SourceKey { get; init; }

    /// <summary>A path in the web application, e.g. /inbox/{handover}.</summary>
    public required string Link { get; init; }

    public Guid? HandoverId { get; init; }

    public Guid? CaseId { get; init; }

    /// <summary>The other organisation it names (the origin of an offer, the receiver of an answer, the one registered).</summary>
    public Guid? OrganisationId { get; init; }

    /// <summary>A code: a decline reason, a revocation cause, an outcome, a consent's withdrawal channel, a role.</summary>
    public string? Code { get; init; }

    /// <summary>A date that matters: an answer deadline, a consent's end, the day of an outcome.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>How it was to be mailed when made: at once, or in the next digest (never <see cref="NotificationChoice.Off"/>: then it is not made).</summary>
    public NotificationChoice Delivery { get; init; }

    /// <summary>The mail that carries it: for <see cref="NotificationChoice.Immediate"/> its own (the same id); for a digest, set when the digest is made.</summary>
    public Guid? MailId { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ReadAt { get; set; }
}

public enum NotificationMailStatus
{
    Pending,
    Sent,

    /// <summary>Given up after the configured attempts: the notification stays in the person's list, marked so.</summary>
    Failed,

    /// <summary>Not sent: the person was deactivated, or has no address, by the time it was due.</summary>
    Cancelled,
}

/// <summary>
/// A mail to a person: one notification at once, or a digest of several. Rendered when it is sent, in the person's
/// language then, from the notifications that point to it; its state is kept and retried like a webhook delivery.
/// The address is read from the person's account when sending, never stored here.
/// </summary>
internal sealed class NotificationMail
{
    public Guid Id { get; init; }

    public Guid PersonId { get; init; }

    public bool Digest { get; init; }

    public NotificationMailStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Until when a sender has taken it (several instances may run).</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    /// <summary>Why the last attempt failed: the exception's type, never its message (it could name the address).</summary>
    public string? LastError { get; set; }

    public DateTimeOffset? SentAt { get; set; }
}

/// <summary>A person's own choice for a kind; without one, the kind's default applies.</summary>
internal sealed class NotificationPreference
{
    public Guid PersonId { get; init; }

    public required string Kind { get; init; }

    public NotificationChoice Choice { get; set; }
}

/// <summary>The least an organisation's people get of a kind, whatever they choose (e.g. offers never switched off).</summary>
internal sealed class NotificationMinimum
{
    public Guid OrganisationId { get; init; }

    public required string Kind { get; init; }

    public NotificationChoice Minimum { get; set; }
}
