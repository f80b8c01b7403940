namespace Alpacon.Emulator.Shell;

/// <summary>A snapshot of one file or directory, taken under the filesystem's lock.</summary>
public sealed record VfsEntry(string Path, bool IsDirectory, long Size, int Mode, string Owner, string Group, DateTimeOffset Modified, int Links)
{
    public string Name => Path == "/" ? "/" : VfsPath.Name(Path);

    public bool IsHidden => Name.StartsWith('.');

    public bool IsExecutable => !IsDirectory && (Mode & 0b001_001_001) != 0;

    /// <summary>Whether the user has all of <paramref name="access"/> (4 read, 2 write, 1 execute/search) by the owner, group or other bits.</summary>
    public bool Allows(Account user, int access) => Allows(Mode, Owner, Group, user, access);

    /// <summary>Root may run any file with an execute bit; others need theirs.</summary>
    public bool CanExecute(Account user) => !IsDirectory && (user.IsRoot ? IsExecutable : Allows(user, 1));

    /// <summary>The Unix check: root passes, others get the owner, group or other bits, whichever class they are in.</summary>
    internal static bool Allows(int mode, string owner, string group, Account? user, int access)
    {
        if (user is null || user.IsRoot)
            return true;
        var shift = owner == user.Name ? 6 : user.InGroup(group) ? 3 : 0;
        return ((mode >> shift) & access) == access;
    }

    /// <summary>The <c>ls -l</c> mode column, e.g. <c>drwxr-xr-x</c> or <c>drwxrwxrwt</c>.</summary>
    public string ModeString
    {
        get
        {
            Span<char> text = stackalloc char[10];
            text[0] = IsDirectory ? 'd' : '-';
            const string Letters = "rwxrwxrwx";
            for (var i = 0; i < 9; i++)
                text[i + 1] = (Mode & (1 << (8 - i))) != 0 ? Letters[i] : '-';
            if ((Mode & VirtualFileSystem.StickyBit) != 0)
                text[9] = text[9] == 'x' ? 't' : 'T';
            return new string(text);
        }
    }
}
