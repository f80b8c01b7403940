namespace Alpacon.Emulator.Shell;

/// <summary>Why a filesystem operation failed, one value per errno the shell reports.</summary>
public enum VfsError
{
    NotFound,
    NotADirectory,
    IsADirectory,
    PermissionDenied,
    AlreadyExists,
    NotEmpty,
    NoSpace,
    InvalidArgument,
    NotSupported,
}

/// <summary>
/// A failed filesystem operation. <see cref="Reason"/> is the strerror text, so shell commands can print
/// <c>cat: foo: No such file or directory</c> with the operand the user typed rather than the resolved path.
/// </summary>
public sealed class VfsException : IOException
{
    public VfsException(VfsError error, string path)
        : base($"{path}: {Describe(error)}")
    {
        Error = error;
        Path = path;
    }

    public VfsError Error { get; }

    /// <summary>The normalised path the operation failed on.</summary>
    public string Path { get; }

    public string Reason => Describe(Error);

    public static string Describe(VfsError error) => error switch
    {
        VfsError.NotFound => "No such file or directory",
        VfsError.NotADirectory => "Not a directory",
        VfsError.IsADirectory => "Is a directory",
        VfsError.PermissionDenied => "Permission denied",
        VfsError.AlreadyExists => "File exists",
        VfsError.NotEmpty => "Directory not empty",
        VfsError.NoSpace => "No space left on device",
        VfsError.NotSupported => "Operation not supported",
        _ => "Invalid argument",
    };
}
