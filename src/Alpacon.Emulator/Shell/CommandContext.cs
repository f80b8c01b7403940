namespace Alpacon.Emulator.Shell;

/// <summary>A command implementation: reads its arguments and streams from the context, returns the exit status.</summary>
internal delegate ValueTask<int> ShellCommand(CommandContext context);

/// <summary>What one command invocation sees: arguments, streams, environment, the session and host.</summary>
internal sealed class CommandContext
{
    public required string Name { get; init; }

    public required IReadOnlyList<string> Args { get; init; }

    public required ShellSession Session { get; init; }

    public required Execution Execution { get; init; }

    public required ShellWriter Out { get; init; }

    public required ShellWriter Err { get; init; }

    public required StdinSource Stdin { get; init; }

    /// <summary>The exported variables plus the command's own prefix assignments (<c>X=1 env</c>).</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    public CancellationToken Token => Execution.Token;

    public SimulatedHost Host => Session.Host;

    public VirtualFileSystem Fs => Host.FileSystem;

    public Account User => Session.User;

    public DateTimeOffset Now => Host.Time.GetUtcNow();

    public string Resolve(string path) => VfsPath.Normalize(path, Session.WorkingDirectory);

    public string ReadInput() => Stdin.Take();

    /// <summary>An operand's text: <c>-</c> is standard input; errors are printed as <c>cmd: operand: reason</c>.</summary>
    public bool TryReadText(string operand, out string text)
    {
        if (operand == "-")
        {
            text = ReadInput();
            return true;
        }
        try
        {
            text = Devices.ReadText(Fs, Resolve(operand), User);
            return true;
        }
        catch (VfsException e)
        {
            Fail(operand, e);
            text = "";
            return false;
        }
    }

    /// <summary>The texts of the operands (standard input when there are none), skipping those that fail, which set <paramref name="failed"/>.</summary>
    public List<(string Name, string Text)> ReadInputs(IReadOnlyList<string> operands, out bool failed)
    {
        failed = false;
        var inputs = new List<(string, string)>();
        foreach (var operand in operands.Count == 0 ? ["-"] : operands)
        {
            if (TryReadText(operand, out var text))
                inputs.Add((operand, text));
            else
                failed = true;
        }
        return inputs;
    }

    /// <summary>Splits text into lines without their newlines; a final newline does not start another line.</summary>
    public static List<string> Lines(string text)
    {
        if (text.Length == 0)
            return [];
        var lines = text.Split('\n').ToList();
        if (text.EndsWith('\n'))
            lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    public void WriteLines(IEnumerable<string> lines)
    {
        foreach (var line in lines)
            Out.WriteLine(line);
    }

    /// <summary>Prints <c>name: message</c> on stderr and returns the status.</summary>
    public int Fail(string message, int status = 1)
    {
        Err.WriteLine($"{Name}: {message}");
        return status;
    }

    public int Fail(string operand, VfsException error, int status = 1) => Fail($"{operand}: {error.Reason}", status);

    public ValueTask FlushAsync() => Execution.FlushAsync();

    public static ValueTask<int> Status(int status) => ValueTask.FromResult(status);
}
