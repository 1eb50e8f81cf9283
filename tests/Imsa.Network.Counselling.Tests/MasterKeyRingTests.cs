using System.Security.Cryptography;
using System.Text;
using Imsa.Network.Access;
using Imsa.Network.Counselling.Protection;
using Microsoft.Extensions.Options;

namespace Imsa.Network.Counselling.Tests;

public sealed class MasterKeyRingTests
{
    private static readonly string OldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static MasterKeyRing Ring(string active, params (string Id, string Key)[] keys) =>
        new(Options.Create(new EncryptionOptions { ActiveKeyId = active, MasterKeys = keys.ToDictionary(k => k.Id, k => k.Key) }));

    [Fact]
    public void Rotation_RewrapsTheDataKey_SoTheOldMasterKeyCanGo()
    {
        var caseId = Guid.NewGuid();
        var (key, cipher) = Ring("old", ("old", OldKey)).CreateKey(caseId, DateTimeOffset.UtcNow);
        var sealedName = cipher.Seal("identity", "Amina"u8);

        var both = Ring("new", ("old", OldKey), ("new", NewKey));
        both.Rewrap(key, DateTimeOffset.UtcNow).Should().BeTrue();
        both.Rewrap(key, DateTimeOffset.UtcNow).Should().BeFalse("it is already under the active key");

        key.MasterKeyId.Should().Be("new");
        using var reopened = Ring("new", ("new", NewKey)).Open(key);
        Encoding.UTF8.GetString(reopened.Open("identity", sealedName)).Should().Be("Amina");
    }

    [Fact]
    public void SealedData_OpensOnlyForItsOwnCaseAndField()
    {
        var ring = Ring("k", ("k", OldKey));
        var (key, cipher) = ring.CreateKey(Guid.NewGuid(), DateTimeOffset.UtcNow);
        var sealedName = cipher.Seal("identity", "Amina"u8);

        var movedToAnotherField = () => cipher.Open("contact", sealedName);
        movedToAnotherField.Should().Throw<CryptographicException>();

        var keyCopiedToAnotherCase = new Domain.CaseKey { CaseId = Guid.NewGuid(), MasterKeyId = key.MasterKeyId, WrappedKey = key.WrappedKey };
        var open = () => ring.Open(keyCopiedToAnotherCase);
        open.Should().Throw<CryptographicException>();

        var tampered = (byte[])sealedName.Clone();
        tampered[^1] ^= 1;
        var openTampered = () => cipher.Open("identity", tampered);
        openTampered.Should().Throw<CryptographicException>();
    }

    [Fact]
    public void WithoutTheMasterKey_NothingOpens()
    {
        var (key, _) = Ring("old", ("old", OldKey)).CreateKey(Guid.NewGuid(), DateTimeOffset.UtcNow);

        var open = () => Ring("new", ("new", NewKey)).Open(key);

        open.Should().Throw<CryptographicException>().Which.Message.Should().Contain("'old'");
    }

    [Theory]
    [InlineData("", "k", "ActiveKeyId is not set")]
    [InlineData("missing", "k", "no key with the active id")]
    [InlineData("k", "short", "not 32 bytes")]
    public void Configuration_WithoutAUsableActiveKey_IsRefusedAtStart(string active, string keyId, string expected)
    {
        var options = new EncryptionOptions { ActiveKeyId = active, MasterKeys = { [keyId] = keyId == "short" ? "c2hvcnQ=" : OldKey } };
        if (keyId == "short")
        {
            options.MasterKeys["k"] = "c2hvcnQ=";
        }

        var result = new EncryptionOptionsValidation().Validate(null, options);

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain(expected).And.NotContain(OldKey);
    }
}
