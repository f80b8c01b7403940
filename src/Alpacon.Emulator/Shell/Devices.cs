using System.Text;

namespace Alpacon.Emulator.Shell;

/// <summary>The character devices under /dev, which the emulator serves without touching the host's.</summary>
internal static class Devices
{
    private static readonly HashSet<string> Endless = ["/dev/zero", "/dev/random", "/dev/urandom"];

    /// <summary>Reads a file as text; /dev/null is empty, and the endless devices are refused rather than read forever.</summary>
    public static string ReadText(VirtualFileSystem fs, string path, Account user)
    {
        if (path == "/dev/null")
            return "";
        if (Endless.Contains(path))
            throw new VfsException(VfsError.NotSupported, path);
        return Encoding.UTF8.GetString(fs.ReadFile(path, user));
    }
}
