using System.Security.Claims;
using Imsa.Network.Access;
using Microsoft.EntityFrameworkCore;

namespace Imsa.Network.Operations;

/// <summary>One coordinator action (or one the service took by itself, such as a lockout): who, what, on what, when and why. Append-only.</summary>
public sealed class AuditEntry
{
    public long Id { get; init; }

    public DateTimeOffset At { get; init; }

    /// <summary>The coordinator organisation that acted.</summary>
    public Guid OrganisationId { get; init; }

    /// <summary>The API client it acted through.</summary>
    public string? ClientId { get; init; }

    /// <summary>The coordinator (a person) who acted; null for an API client and for the service's own actions.</summary>
    public Guid? PersonId { get; init; }

    /// <summary>What was done, e.g. "organisation.suspend", "handover.reassign", "dead-letter.replay".</summary>
    public required string Action { get; init; }

    /// <summary>What it was done to: an id or a queue name, never personal data.</summary>
    public required string Target { get; init; }

    /// <summary>Why, in the coordinator's words (optional, at most 500 characters).</summary>
    public string? Reason { get; init; }
}

public static class AuditTrail
{
    /// <summary>Adds the entry to <paramref name="db"/>; the next SaveChanges writes it with the action it records.</summary>
    public static void Record(this DbContext db, ClaimsPrincipal coordinator, string action, string target, string? reason, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentNullException.ThrowIfNull(time);
        db.Set<AuditEntry>().Add(new AuditEntry
        {
            At = time.GetUtcNow(),
            OrganisationId = coordinator.OrganisationId(),
            ClientId = coordinator.FindFirstValue(NetworkClaims.ClientId),
            PersonId = coordinator.PersonIdOrNull(),
            Action = action,
            Target = target,
            Reason = Shortened(reason),
        });
    }

    /// <summary>
    /// Adds an entry for what the service did by itself, not at a coordinator's request (a token lockout, say):
    /// <paramref name="organisationId"/> is the organisation concerned (<see cref="Guid.Empty"/> when none is known).
    /// </summary>
    public static void RecordOwnAction(this DbContext db, Guid organisationId, string? clientId, string action, string target, string? reason, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        db.Set<AuditEntry>().Add(new AuditEntry
        {
            At = time.GetUtcNow(),
            OrganisationId = organisationId,
            ClientId = clientId,
            Action = action,
            Target = target,
            Reason = Shortened(reason),
        });
    }

    private static string? Shortened(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? null : reason.Trim()[..Math.Min(reason.Trim().Length, 500)];
}
