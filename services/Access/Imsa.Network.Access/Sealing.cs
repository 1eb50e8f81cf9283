using System.Security.Cryptography;

namespace Imsa.Network.Access;

/// <summary>AES-256-GCM with a random 96-bit nonce: version byte, nonce, tag, ciphertext.</summary>
public static class Sealing
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize + TagSize;

    public static byte[] Seal(byte[] key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> context)
    {
        var output = new byte[HeaderSize + plaintext.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(HeaderSize), output.AsSpan(1 + NonceSize, TagSize), context);
        return output;
    }

    public static byte[] Open(byte[] key, byte[] sealedValue, ReadOnlySpan<byte> context)
    {
        if (sealedValue.Length < HeaderSize || sealedValue[0] != Version)
        {
            throw new CryptographicException("Not a sealed value of a known version.");
        }

        var plaintext = new byte[sealedValue.Length - HeaderSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(
            sealedValue.AsSpan(1, NonceSize),
            sealedValue.AsSpan(HeaderSize),
            sealedValue.AsSpan(1 + NonceSize, TagSize),
            plaintext,
            context);
        return plaintext;
    }
}
