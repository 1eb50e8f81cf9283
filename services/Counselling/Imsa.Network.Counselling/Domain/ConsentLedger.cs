using System.Security.Cryptography;
using System.Text;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Data;
using Imsa.Network.Messaging.Hosting;
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
        CancellationToken cancellationToken)
    {
        if (consent.Withdrawal is not null)
        {
            return consent;
        }

        var now = time.GetUtcNow();
        var expired = channel == WithdrawalChannel.Expiry || now >= consent.ValidUntil;
        var withdrawal = new ConsentWithdrawal
        {
            ConsentId = consent.Id,
            At = expired ? consent.ValidUntil : now,
            Channel = expired ? WithdrawalChannel.Expiry : channel,
            ByOrganisationId = expired ? null : byOrganisationId,
        };
        db.ConsentWithdrawals.Add(withdrawal);
        consent.Withdrawal = withdrawal;
        db.AddEvent<object>(
            expired
                ? new ConsentExpired(consent.Id, consent.CaseId, consent.OwnerOrganisationId, consent.Recipients, withdrawal.At)
                : new ConsentWithdrawn(consent.Id, consent.CaseId, consent.OwnerOrganisationId, consent.Recipients, EnumCodes.Of(channel), now),
            time);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return consent;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another withdrawal (or the expiry job) ended it first: that one stands.
            db.ChangeTracker.Clear();
            return await db.Consents.Include(c => c.Withdrawal).FirstAsync(c => c.Id == consent.Id, cancellationToken);
        }
    }

    /// <summary>A receipt's withdrawal code: 100 random bits as 20 Crockford base-32 characters in groups of four.</summary>
    public static string NewWithdrawalCode()
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
    public static byte[] HashWithdrawalCode(string code)
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
