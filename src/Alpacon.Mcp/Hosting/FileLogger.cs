namespace Alpacon.Mcp.Hosting;

/// <summary>
/// <c>--log-file</c>: one line per entry, appended to a file created with mode 0600 (it may name servers,
/// users and workspaces), every line passed through <see cref="LogRedaction.Redact"/>.
/// </summary>
public sealed class FileLoggerProvider : ILoggerProvider
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    public FileLoggerProvider(string path)
    {
        _writer = new StreamWriter(Open(path)) { AutoFlush = true };
    }

    /// <summary>Opens the file for appending, created or tightened to mode 0600; throws IOException or UnauthorizedAccessException.</summary>
    public static FileStream Open(string path)
    {
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { } directory)
            Directory.CreateDirectory(directory);
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete };
        if (OperatingSystem.IsWindows())
            return new FileStream(full, options);
        options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var stream = new FileStream(full, options);
        // An existing file keeps its mode on open: tighten it, since the log names servers, users and workspaces.
        File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return stream;
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
        lock (_gate)
            _writer.Dispose();
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            try
            {
                _writer.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // A late entry during shutdown: the file is already closed.
            }
        }
    }

    private sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            var message = formatter(state, exception);
            if (exception is not null)
                message += Environment.NewLine + exception;
            var text = $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {Level(logLevel)} {category}: {message}";
            // One entry, one line: a multi-line exception stays greppable as a block.
            provider.Write(LogRedaction.Redact(text).Replace("\n", "\n    ", StringComparison.Ordinal));
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }
}
