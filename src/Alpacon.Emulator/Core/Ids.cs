using System.Security.Cryptography;
using System.Text;

namespace Alpacon.Emulator.Core;

/// <summary>Deterministic ids, so the seeded world has the same UUIDs on every start (docs and tests rely on them).</summary>
public static class Ids
{
    /// <summary>A name-based (version 5 style) UUID string for a seeded object.</summary>
    public static string For(string kind, string name)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes($"alpacon-emulator:{kind}:{name}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    public static string New() => Guid.NewGuid().ToString();

    public static bool IsUuid(string? value) => Guid.TryParseExact(value, "D", out _);
}
