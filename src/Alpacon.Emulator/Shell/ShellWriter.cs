using System.Text;

namespace Alpacon.Emulator.Shell;

/// <summary>Where a command's stdout or stderr goes: the terminal, a pipe, a file or nowhere.</summary>
internal abstract class ShellWriter
{
    public abstract void Write(string text);

    public void WriteLine(string text)
    {
        Write(text);
        Write("\n");
    }
}

/// <summary>Thrown by a writer that reached <see cref="ShellLimits.MaxOutputChars"/>, to stop the command writing.</summary>
internal sealed class OutputLimitException(ShellWriter writer) : Exception("output limit reached")
{
    public ShellWriter Writer { get; } = writer;
}

/// <summary>Collects text for a pipe (<see cref="IsPipe"/>), a file redirection or a command substitution.</summary>
internal sealed class CaptureWriter(bool isPipe = false) : ShellWriter
{
    private readonly StringBuilder text = new();

    public bool IsPipe { get; } = isPipe;

    public string Text => text.ToString();

    public override void Write(string value)
    {
        var room = ShellLimits.MaxOutputChars - text.Length;
        if (value.Length <= room)
        {
            text.Append(value);
            return;
        }
        text.Append(value, 0, room);
        throw new OutputLimitException(this);
    }
}

internal sealed class NullWriter : ShellWriter
{
    public static NullWriter Instance { get; } = new();

    public override void Write(string text)
    {
    }
}

/// <summary>
/// The caller's sink. Writes are buffered and handed over in chunks when the interpreter flushes (after every
/// command and before every wait), so commands write synchronously yet output still streams.
/// </summary>
internal sealed class TerminalWriter(ShellSink sink) : ShellWriter
{
    private readonly StringBuilder pending = new();
    private long total;

    public override void Write(string value)
    {
        var room = (int)Math.Min(int.MaxValue, ShellLimits.MaxOutputChars - total);
        if (value.Length > room)
        {
            pending.Append(value, 0, room);
            total += room;
            throw new OutputLimitException(this);
        }
        pending.Append(value);
        total += value.Length;
    }

    /// <summary>Writes past the limit: for the one line that says output was cut.</summary>
    public void WriteNotice(string value) => pending.Append(value);

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var offset = 0;
        while (offset < pending.Length)
        {
            var length = Math.Min(ShellLimits.ChunkChars, pending.Length - offset);
            // A chunk must not end between the halves of a surrogate pair, or each half decodes as garbage.
            if (offset + length < pending.Length && char.IsHighSurrogate(pending[offset + length - 1]))
                length--;
            var chunk = pending.ToString(offset, length);
            offset += length;
            await sink(chunk, cancellationToken).ConfigureAwait(false);
        }
        pending.Clear();
    }
}

/// <summary>A command's standard input: a pipe, a file, a here-document or the caller's data, read once.</summary>
internal sealed class StdinSource(string? text)
{
    private readonly string text = text ?? "";
    private int position;

    public static StdinSource Empty => new(null);

    /// <summary>Everything not yet read; later readers of the same stream get nothing, as with a real pipe.</summary>
    public string Take()
    {
        var rest = text[position..];
        position = text.Length;
        return rest;
    }

    /// <summary>The next line without its newline, or null at the end; <paramref name="complete"/> is false for a last line with no newline.</summary>
    public string? ReadLine(out bool complete)
    {
        complete = false;
        if (position >= text.Length)
            return null;
        var end = text.IndexOf('\n', position);
        complete = end >= 0;
        var line = complete ? text[position..end] : text[position..];
        position = complete ? end + 1 : text.Length;
        return line;
    }
}
