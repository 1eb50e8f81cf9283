using System.Security.Cryptography;
using System.Text;
using Imsa.Network.Access;
using Imsa.Network.Contracts.Partners;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imsa.Network.Counselling.Domain;

/// <summary>Ends consents, by will or by time, once each, announcing it through the outbox.</summary>
internal static class ConsentLedger
{
    /// <summary>
    /// Ends the consent through <paramref name="channel"/>, or as expired if its time is already up. Ending an ended
    /// consent changes nothing; two withdrawals racing each other end it once. Returns the consent as it now is.
    /// </summary>
    public static async Task<Consent> EndAsync(
        CounsellingDbContext db, Consent consent, WithdrawalChannel channel, Guid? byOrganisationId, TimeProvider time,
        CounsellingMetrics metrics, CancellationToken cancellationToken)
    {
        if (consent.Withdrawal is not null)
        {
            return consent;
        }

        var ended = consent.End(channel, byOrganisationId, time.GetUtcNow());
        db.ConsentWithdrawals.Add(consent.Withdrawal!);
        db.AddEvent(ended, time);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            metrics.ConsentEnded(consent.Withdrawal!.Channel);
            return consent;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another withdrawal (or the expiry job) ended it first: that one stands.
            db.ChangeTracker.Clear();
            return await db.Consents.Include(c => c.Withdrawal).FirstAsync(c => c.Id == consent.Id, cancellationToken);
        }
    }

    /// <summary>What this service knows of each organisation a consent would name (<see cref="Consent.Record"/> judges it).</summary>
    public static async Task<IReadOnlyDictionary<Guid, RecipientStanding>> RecipientsAsync(
        CounsellingDbContext db, IReadOnlyList<Guid>? recipients, CancellationToken cancellationToken)
    {
        if (recipients is not { Count: > 0 and <= Consent.MaxRecipients })
        {
            return new Dictionary<Guid, RecipientStanding>();
        }

        var ids = recipients.Distinct().ToList();
        var kinds = await db.Organisations.AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Kind, cancellationToken);
        var barred = await db.Set<OrganisationAccess>().AsNoTracking()
            .Where(a => ids.Contains(a.OrganisationId))
            .Where(OrganisationAccess.Barred)
            .Select(a => a.OrganisationId)
            .ToListAsync(cancellationToken);
        return ids.ToDictionary(id => id, id =>
            !kinds.TryGetValue(id, out var kind) ? RecipientStanding.Unknown
            : kind != OrganisationKinds.ReceivingService ? RecipientStanding.NotReceivingService
            : barred.Contains(id) ? RecipientStanding.SuspendedOrRetired
            : RecipientStanding.Eligible);
    }
}

/// <summary>The one-time codes on consent receipts with which the person alone withdraws; only their hashes are kept.</summary>
internal static class WithdrawalCodes
{
    /// <summary>A receipt's withdrawal code: 100 random bits as 20 Crockford base-32 characters in groups of four.</summary>
    public static string New()
    {
        const string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        Span<byte> random = stackalloc byte[20];
        RandomNumberGenerator.Fill(random);
        var code = new StringBuilder(24);
        for (var i = 0; i < random.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                code.Append('-');
            }

            code.Append(alphabet[random[i] & 31]);
        }

        return code.ToString();
    }

    /// <summary>The stored hash of a code, forgiving case, dashes, spaces and the letters Crockford reads as digits.</summary>
    public static byte[] Hash(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var normalised = new StringBuilder(code.Length);
        foreach (var c in code.ToUpperInvariant())
        {
            switch (c)
            {
                case '-' or ' ':
                    break;
                case 'O':
                    normalised.Append('0');
                    break;
                case 'I' or 'L':
                    normalised.Append('1');
                    break;
                default:
                    normalised.Append(c);
                    break;
            }
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(normalised.ToString()));
    }
}
