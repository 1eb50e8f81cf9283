using System.Security.Cryptography;
using Imsa.Network.Access;
using Imsa.Network.Partners.Domain.Webhooks;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Partners.Tests;

/// <summary>The sealing of webhook secrets across a master key rotation, without a database.</summary>
public sealed class WebhookSecretsTests
{
    private static readonly string OldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static WebhookSecrets Secrets(string active, ShiftedTimeProvider time, params (string Id, string Key)[] keys) =>
        new(Options.Create(new EncryptionOptions { ActiveKeyId = active, MasterKeys = keys.ToDictionary(k => k.Id, k => k.Key) }), time);

    private static WebhookSubscription Subscription() =>
        new() { Id = Guid.NewGuid(), Url = "https://example.org/hook", EventTypes = [] };

    [Fact]
    public void AMasterKeyRotation_SealsEverySecretAgainUnderTheNewKey_AndTheSecretsStayTheSame()
    {
        var time = new ShiftedTimeProvider();
        var before = Secrets("old", time, ("old", OldKey));
        var subscription = Subscription();
        var first = before.Issue(subscription);
        var second = before.Rotate(subscription, TimeSpan.FromHours(1));

        var after = Secrets("new", time, ("old", OldKey), ("new", NewKey));
        after.Refresh(subscription).Should().BeTrue();

        subscription.SecretKeyId.Should().Be("new");
        subscription.PreviousSecretKeyId.Should().Be("new");
        after.SigningSecrets(subscription).Should().Equal(second, first);
        Secrets("new", time, ("new", NewKey)).SigningSecrets(subscription).Should().Equal([second, first], "the old master key is no longer needed");
        after.Refresh(subscription).Should().BeFalse("nothing is left to seal again");
    }

    [Fact]
    public void AValueCopiedToAnotherSubscription_DoesNotOpen_AndAPreviousSecretEndsWithItsTime()
    {
        var time = new ShiftedTimeProvider();
        var secrets = Secrets("k", time, ("k", OldKey));
        var subscription = Subscription();
        secrets.Issue(subscription);
        var copy = Subscription();
        copy.SealedSecret = subscription.SealedSecret;
        copy.SecretKeyId = subscription.SecretKeyId;

        var open = () => secrets.SigningSecrets(copy);
        open.Should().Throw<CryptographicException>();

        var current = secrets.Rotate(subscription, TimeSpan.FromMinutes(10));
        secrets.SigningSecrets(subscription).Should().HaveCount(2);
        time.Advance(TimeSpan.FromMinutes(11));
        secrets.SigningSecrets(subscription).Should().Equal(current);
        secrets.Refresh(subscription).Should().BeTrue();
        subscription.PreviousSealedSecret.Should().BeNull();
    }
}
