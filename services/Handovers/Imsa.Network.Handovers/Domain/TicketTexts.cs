using System.Security.Cryptography;
using System.Text;
using Imsa.Network.Access;
using Imsa.Network.Handovers.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Handovers.Domain;

/// <summary>A case's key for the free text of its tickets: 256 random bits, kept only wrapped under a master key.</summary>
internal sealed class CaseTextKey
{
    public Guid CaseId { get; init; }

    public required string MasterKeyId { get; set; }

    public required byte[] WrappedKey { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? RewrappedAt { get; set; }
}

/// <summary>
/// The tickets' free text (the origin's message, the receiver's decline note) at rest: sealed with AES-256-GCM
/// (<see cref="Sealing"/>) under a key of the ticket's case, bound to the ticket and the field, so a value copied
/// to another ticket or field does not open. The case's key is wrapped under the service's master key ("Encryption"
/// configuration, as in Counselling and Partners). When the case is erased its key is deleted: what was sealed under
/// it — also in a backup or a write-ahead log taken before — can no longer be read (crypto-shredding). The clear
/// text lives only in memory: <see cref="SealAsync"/> before saving, <see cref="OpenAsync"/> after loading.
/// </summary>
internal sealed class TicketTexts(IOptions<EncryptionOptions> options, TimeProvider time)
{
    private const string MessageField = "message";
    private const string DeclineNoteField = "decline-note";
    private const string AnswerField = "idempotent-answer";

    /// <summary>Seals the ticket's text that is not sealed yet (a new message, a new decline note, one kept in clear before).</summary>
    public async Task SealAsync(HandoversDbContext db, HandoverTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(ticket);
        var message = ticket.Message is not null && (ticket.SealedMessage is null || ticket.LegacyMessage is not null);
        var note = ticket.DeclineNote is not null && (ticket.SealedDeclineNote is null || ticket.LegacyDeclineNote is not null);
        if (!message && !note)
        {
            return;
        }

        var key = (await KeyOfAsync(db, ticket.CaseId, create: true, cancellationToken))!;
        try
        {
            if (message)
            {
                ticket.SealedMessage = Sealing.Seal(key, Encoding.UTF8.GetBytes(ticket.Message!), Context(ticket.Id, MessageField));
                ticket.LegacyMessage = null;
            }

            if (note)
            {
                ticket.SealedDeclineNote = Sealing.Seal(key, Encoding.UTF8.GetBytes(ticket.DeclineNote!), Context(ticket.Id, DeclineNoteField));
                ticket.LegacyDeclineNote = null;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Opens the text of loaded tickets into <see cref="HandoverTicket.Message"/> and <see cref="HandoverTicket.DeclineNote"/>.</summary>
    public async Task OpenAsync(HandoversDbContext db, IReadOnlyCollection<HandoverTicket> tickets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(tickets);
        var caseIds = tickets.Where(t => t.SealedMessage is not null || t.SealedDeclineNote is not null).Select(t => t.CaseId).Distinct().ToList();
        var wrapped = caseIds.Count == 0 ? []
            : await db.CaseTextKeys.AsNoTracking().Where(k => caseIds.Contains(k.CaseId)).ToDictionaryAsync(k => k.CaseId, cancellationToken);
        var keys = new Dictionary<Guid, byte[]>();
        try
        {
            foreach (var ticket in tickets)
            {
                byte[]? key = null;
                if (wrapped.TryGetValue(ticket.CaseId, out var caseKey) && !keys.TryGetValue(ticket.CaseId, out key))
                {
                    key = keys[ticket.CaseId] = Unwrap(caseKey);
                }

                // Without the case's key (erased) the text is gone, as the erasure intends.
                ticket.Message = ticket.LegacyMessage ?? Open(key, ticket.SealedMessage, ticket.Id, MessageField);
                ticket.DeclineNote = ticket.LegacyDeclineNote ?? Open(key, ticket.SealedDeclineNote, ticket.Id, DeclineNoteField);
            }
        }
        finally
        {
            foreach (var key in keys.Values)
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
    }

    /// <summary>
    /// The case's erasure: its key is deleted, so nothing sealed under it opens again, and the sealed text is
    /// removed from the live tables too. Idempotent answers sealed under the key answer 410 from then on.
    /// </summary>
    public static async Task ShredAsync(HandoversDbContext db, Guid caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        await db.CaseTextKeys.Where(k => k.CaseId == caseId).ExecuteDeleteAsync(cancellationToken);
        await db.Tickets
            .Where(t => t.CaseId == caseId && (t.SealedMessage != null || t.SealedDeclineNote != null || t.LegacyMessage != null || t.LegacyDeclineNote != null))
            .ExecuteUpdateAsync(
                set => set.SetProperty(t => t.SealedMessage, (byte[]?)null).SetProperty(t => t.SealedDeclineNote, (byte[]?)null)
                    .SetProperty(t => t.LegacyMessage, (string?)null).SetProperty(t => t.LegacyDeclineNote, (string?)null),
                cancellationToken);
    }

    /// <summary>An idempotent answer about a case that has a key, sealed under it; null when the case has none (no free text in it).</summary>
    public async Task<byte[]?> SealAnswerAsync(HandoversDbContext db, Guid caseId, byte[] answer, CancellationToken cancellationToken)
    {
        var key = await KeyOfAsync(db, caseId, create: false, cancellationToken);
        try
        {
            return key is null ? null : Sealing.Seal(key, answer, Context(caseId, AnswerField));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The answer, or null when the case's key is gone (erased).</summary>
    public async Task<byte[]?> OpenAnswerAsync(HandoversDbContext db, Guid caseId, byte[] sealedAnswer, CancellationToken cancellationToken)
    {
        var key = await KeyOfAsync(db, caseId, create: false, cancellationToken);
        try
        {
            return key is null ? null : Sealing.Open(key, sealedAnswer, Context(caseId, AnswerField));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// One batch of upkeep: wraps again under the active master key the case keys another one wrapped (a master key
    /// rotation), and seals the text of tickets kept in clear before sealing existed. Returns how many it changed.
    /// </summary>
    public async Task<int> RefreshAsync(HandoversDbContext db, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var active = options.Value.ActiveKeyId;
        var known = options.Value.MasterKeys.Keys.Where(id => id != active).ToList();
        var now = time.GetUtcNow();
        var stale = await db.CaseTextKeys.Where(k => known.Contains(k.MasterKeyId)).OrderBy(k => k.CaseId).Take(batchSize).ToListAsync(cancellationToken);
        foreach (var key in stale)
        {
            var dataKey = Unwrap(key);
            (key.WrappedKey, key.MasterKeyId, key.RewrappedAt) = (Wrap(key.CaseId, active, dataKey), active, now);
            CryptographicOperations.ZeroMemory(dataKey);
        }

        var legacy = await db.Tickets.Where(t => t.LegacyMessage != null || t.LegacyDeclineNote != null)
            .OrderBy(t => t.Id).Take(batchSize).ToListAsync(cancellationToken);
        foreach (var ticket in legacy)
        {
            (ticket.Message, ticket.DeclineNote) = (ticket.LegacyMessage, ticket.LegacyDeclineNote);
            await SealAsync(db, ticket, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return stale.Count + legacy.Count;
    }

    private async Task<byte[]?> KeyOfAsync(HandoversDbContext db, Guid caseId, bool create, CancellationToken cancellationToken)
    {
        var key = await db.CaseTextKeys.AsNoTracking().FirstOrDefaultAsync(k => k.CaseId == caseId, cancellationToken);
        if (key is null && create)
        {
            // Two requests for one case may race to make its key: the first one stays, the other reads it. In the
            // request's transaction: an erasure waits for it, and then deletes the key too.
            var active = options.Value.ActiveKeyId;
            var dataKey = RandomNumberGenerator.GetBytes(32);
            var wrapped = Wrap(caseId, active, dataKey);
            CryptographicOperations.ZeroMemory(dataKey);
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO case_text_keys (case_id, master_key_id, wrapped_key, created_at)
                VALUES ({caseId}, {active}, {wrapped}, {time.GetUtcNow()})
                ON CONFLICT (case_id) DO NOTHING
                """,
                cancellationToken);
            key = await db.CaseTextKeys.AsNoTracking().FirstAsync(k => k.CaseId == caseId, cancellationToken);
        }

        return key is null ? null : Unwrap(key);
    }

    private static string? Open(byte[]? key, byte[]? sealedValue, Guid ticketId, string field) =>
        key is null || sealedValue is null ? null : Encoding.UTF8.GetString(Sealing.Open(key, sealedValue, Context(ticketId, field)));

    private byte[] Wrap(Guid caseId, string masterKeyId, byte[] dataKey) =>
        Sealing.Seal(MasterKey(masterKeyId), dataKey, WrapContext(caseId, masterKeyId));

    private byte[] Unwrap(CaseTextKey key) =>
        Sealing.Open(MasterKey(key.MasterKeyId), key.WrappedKey, WrapContext(key.CaseId, key.MasterKeyId));

    private byte[] MasterKey(string id) => options.Value.MasterKey(id);

    private static byte[] WrapContext(Guid caseId, string masterKeyId) => Encoding.UTF8.GetBytes($"imsa-handover-text-key|{caseId:N}|{masterKeyId}");

    private static byte[] Context(Guid id, string field) => Encoding.UTF8.GetBytes($"imsa-handover-text|{id:N}|{field}");
}
