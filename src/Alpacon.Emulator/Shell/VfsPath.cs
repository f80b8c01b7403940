namespace Alpacon.Emulator.Shell;

/// <summary>
/// Absolute POSIX paths as the virtual filesystem stores them. Resolution is lexical: ".." is applied to the
/// text, not to the directory it names, which matches Linux for every path that exists.
/// </summary>
public static class VfsPath
{
    /// <summary>
    /// Resolves <paramref name="path"/> against <paramref name="cwd"/>, collapsing duplicate slashes, "." and "..".
    /// ".." at the root stays at the root, as the kernel does.
    /// </summary>
    public static string Normalize(string path, string cwd = "/")
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = path.StartsWith('/') ? path : (cwd.StartsWith('/') ? cwd : "/" + cwd) + "/" + path;
        var parts = new List<string>();
        foreach (var part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
                continue;
            if (part == "..")
            {
                if (parts.Count > 0)
                    parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>The directory holding a normalised path; the root is its own parent.</summary>
    public static string Parent(string normalized)
    {
        var slash = normalized.LastIndexOf('/');
        return slash <= 0 ? "/" : normalized[..slash];
    }

    /// <summary>The last segment of a normalised path; empty for the root.</summary>
    public static string Name(string normalized) => normalized[(normalized.LastIndexOf('/') + 1)..];

    public static string Combine(string directory, string name) => directory.EndsWith('/') ? directory + name : directory + "/" + name;

    internal static string[] Segments(string normalized) => normalized.Split('/', StringSplitOptions.RemoveEmptyEntries);
}
