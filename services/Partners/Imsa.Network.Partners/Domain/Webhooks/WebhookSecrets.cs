using System.Security.Cryptography;
using System.Text;
using Imsa.Network.Access;
using Imsa.Network.Partners.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Domain.Webhooks;

/// <summary>
/// Webhook secrets at rest: sealed (AES-256-GCM, <see cref="Sealing"/>) under the service's active master key
/// ("Encryption" configuration, as in Counselling), bound to the subscription, the key and the slot (current or
/// previous), so a value copied to another row does not open. A copy of the database alone signs nothing. After a
/// rotation of the subscription's secret the previous one keeps signing beside the new one until its time is up, so
/// the receiver can switch without losing a delivery.
/// </summary>
internal sealed class WebhookSecrets(IOptions<EncryptionOptions> options, TimeProvider time)
{
    private const string Current = "current";
    private const string Previous = "previous";

    /// <summary>A new random secret (32 bytes, base64), sealed into the subscription as its current one.</summary>
    public string Issue(WebhookSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        (subscription.SealedSecret, subscription.SecretKeyId) = Seal(subscription.Id, Current, secret);
        subscription.LegacySecret = null;
        return secret;
    }

    /// <summary>A new current secret; the old one signs too until <paramref name="overlap"/> has passed.</summary>
    public string Rotate(WebhookSubscription subscription, TimeSpan overlap)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        (subscription.PreviousSealedSecret, subscription.PreviousSecretKeyId) = Seal(subscription.Id, Previous, Open(subscription, Current));
        subscription.PreviousSecretUntil = time.GetUtcNow() + overlap;
        return Issue(subscription);
    }

    /// <summary>The secrets a delivery is signed with now: the current one, then the previous one while it still holds.</summary>
    public IReadOnlyList<string> SigningSecrets(WebhookSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var current = Open(subscription, Current);
        return subscription.PreviousSealedSecret is not null && subscription.PreviousSecretUntil > time.GetUtcNow()
            ? [current, Open(subscription, Previous)]
            : [current];
    }

    /// <summary>
    /// Seals again what an older master key sealed (a master key rotation), seals a secret kept in clear before this
    /// existed, and forgets a previous secret whose time is up; false when there was nothing to do.
    /// </summary>
    public bool Refresh(WebhookSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var changed = false;
        if (subscription.PreviousSealedSecret is not null && subscription.PreviousSecretUntil <= time.GetUtcNow())
        {
            (subscription.PreviousSealedSecret, subscription.PreviousSecretKeyId, subscription.PreviousSecretUntil) = (null, null, null);
            changed = true;
        }

        var active = options.Value.ActiveKeyId;
        if (subscription.LegacySecret is not null || subscription.SecretKeyId != active)
        {
            (subscription.SealedSecret, subscription.SecretKeyId) = Seal(subscription.Id, Current, Open(subscription, Current));
            subscription.LegacySecret = null;
            changed = true;
        }

        if (subscription.PreviousSealedSecret is not null && subscription.PreviousSecretKeyId != active)
        {
            (subscription.PreviousSealedSecret, subscription.PreviousSecretKeyId) = Seal(subscription.Id, Previous, Open(subscription, Previous));
            changed = true;
        }

        return changed;
    }

    /// <summary>Refreshes (above) a batch of the subscriptions that need it; returns how many changed.</summary>
    public async Task<int> RefreshAsync(PartnersDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var active = options.Value.ActiveKeyId;
        var now = time.GetUtcNow();
        var due = await db.WebhookSubscriptions
            .Where(s => s.LegacySecret != null || s.SecretKeyId != active
                || (s.PreviousSealedSecret != null && (s.PreviousSecretKeyId != active || s.PreviousSecretUntil <= now)))
            .OrderBy(s => s.Id)
            .Take(100)
            .ToListAsync(cancellationToken);
        var changed = due.Count(Refresh);
        await db.SaveChangesAsync(cancellationToken);
        return changed;
    }

    private string Open(WebhookSubscription subscription, string slot)
    {
        if (slot == Current && subscription.LegacySecret is { } clear)
        {
            return clear;
        }

        var (sealedValue, keyId) = slot == Current
            ? (subscription.SealedSecret, subscription.SecretKeyId)
            : (subscription.PreviousSealedSecret, subscription.PreviousSecretKeyId);
        if (sealedValue is null || keyId is null)
        {
            throw new CryptographicException($"The webhook subscription has no {slot} secret.");
        }

        return Encoding.UTF8.GetString(Sealing.Open(MasterKey(keyId), sealedValue, Context(subscription.Id, slot, keyId)));
    }

    private (byte[] Sealed, string KeyId) Seal(Guid subscriptionId, string slot, string secret)
    {
        var keyId = options.Value.ActiveKeyId;
        return (Sealing.Seal(MasterKey(keyId), Encoding.UTF8.GetBytes(secret), Context(subscriptionId, slot, keyId)), keyId);
    }

    private byte[] MasterKey(string id) => options.Value.MasterKey(id);

    private static byte[] Context(Guid subscriptionId, string slot, string keyId) =>
        Encoding.UTF8.GetBytes($"imsa-webhook-secret|{subscriptionId:N}|{slot}|{keyId}");
}
