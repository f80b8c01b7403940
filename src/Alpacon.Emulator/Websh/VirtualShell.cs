using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Alpacon.Emulator.Shell;

namespace Alpacon.Emulator.Websh;

/// <summary>
/// The virtual shell behind a Websh PTY: a line discipline over an interactive <see cref="ShellSession"/>. It echoes
/// typed characters, handles Enter (CR, LF or CRLF), backspace, Ctrl-C (interrupts the running line, or drops the
/// typed one), Ctrl-D (logout on an empty line), continuation lines (<c>&gt; </c>) until a command is complete,
/// and prints output with CRLF and bash's coloured Debian prompt. Keys typed while a line runs wait for it, as
/// type-ahead does; commands read no terminal input (their standard input is empty).
/// </summary>
internal sealed partial class VirtualShell(ShellSession session, string banner) : IWebshShell
{
    private readonly Channel<Event> events = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Decoder decoder = new UTF8Encoding(false).GetDecoder();
    private readonly StringBuilder line = new();
    private readonly StringBuilder continuation = new();
    private readonly StringBuilder typeAhead = new();
    private readonly StringBuilder echo = new();
    private readonly SemaphoreSlim outputGate = new(1, 1);
    private readonly CancellationTokenSource stopping = new();
    private Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> output = (_, _) => ValueTask.CompletedTask;
    private Action ended = () => { };
    private Task loop = Task.CompletedTask;
    private CancellationTokenSource? running;
    private bool afterCarriageReturn;
    private int escape;

    private abstract record Event;

    private sealed record Keys(byte[] Bytes) : Event;

    private sealed record LineDone : Event;

    public void Start(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> output, Action ended)
    {
        this.output = output;
        this.ended = ended;
        loop = Task.Run(RunAsync);
    }

    public ValueTask InputAsync(ReadOnlyMemory<byte> keys, CancellationToken cancellationToken)
    {
        events.Writer.TryWrite(new Keys(keys.ToArray()));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        events.Writer.TryComplete();
        running?.Cancel();
        await stopping.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>bash's prompt for Debian systems, coloured as its default .bashrc does; plain on Red Hat ones.</summary>
    internal static string ColourPrompt(string prompt)
    {
        var m = DebianPrompt().Match(prompt);
        return m.Success ? $"\u001b[01;32m{m.Groups[1].Value}\u001b[00m:\u001b[01;34m{m.Groups[2].Value}\u001b[00m{m.Groups[3].Value} " : prompt;
    }

    [GeneratedRegex(@"^([^@\s]+@[^:]+):(.*)([$#]) $")]
    private static partial Regex DebianPrompt();

    private async Task RunAsync()
    {
        await EmitAsync(banner + ColourPrompt(session.Prompt));
        var chars = new char[8192];
        await foreach (var e in events.Reader.ReadAllAsync(stopping.Token))
        {
            try
            {
                if (e is Keys keys)
                {
                    var n = decoder.GetChars(keys.Bytes, 0, keys.Bytes.Length, chars, 0, flush: false);
                    for (var i = 0; i < n; i++)
                        await KeyAsync(chars[i]);
                    await FlushEchoAsync();
                }
                else if (e is LineDone)
                {
                    running?.Dispose();
                    running = null;
                    if (session.HasExited)
                    {
                        ended();
                        return;
                    }
                    Echo(ColourPrompt(session.Prompt));
                    var pending = typeAhead.ToString();
                    typeAhead.Clear();
                    foreach (var c in pending)
                        await KeyAsync(c);
                    await FlushEchoAsync();
                }
            }
            catch (Exception bug) when (bug is not OperationCanceledException)
            {
                // A bug in the emulator must show on the terminal, not kill this loop: a dead loop swallows every
                // later key, which a client can only see as a command that never ends.
                line.Clear();
                continuation.Clear();
                echo.Clear();
                await EmitAsync($"\r\nbash: emulator error: {bug.GetType().Name}: {bug.Message}\r\n" + (running is null ? ColourPrompt(session.Prompt) : ""));
            }
            if (session.HasExited)
            {
                ended();
                return;
            }
        }
    }

    private async Task KeyAsync(char c)
    {
        if (running is not null)
        {
            if (c == '\u0003')
            {
                // SIGINT: the tty echoes ^C and flushes what was typed ahead.
                typeAhead.Clear();
                await EmitAsync("^C");
                await running.CancelAsync();
            }
            else
            {
                typeAhead.Append(c);
            }
            return;
        }
        var wasCarriageReturn = afterCarriageReturn;
        afterCarriageReturn = false;
        if (escape == 1)
        {
            // Cursor keys and the like (ESC [ ... final): there is no line editing here, so they are ignored.
            escape = c is '[' or 'O' ? 2 : 0;
            return;
        }
        if (escape == 2)
        {
            if (c >= '@' && c <= '~')
                escape = 0;
            return;
        }
        switch (c)
        {
            case '\r':
                afterCarriageReturn = true;
                await EnterAsync();
                break;
            case '\n':
                if (!wasCarriageReturn)
                    await EnterAsync();
                break;
            case '\u0003':
                line.Clear();
                continuation.Clear();
                Echo("^C\r\n" + ColourPrompt(session.Prompt));
                break;
            case '\u0004':
                if (line.Length == 0 && continuation.Length == 0)
                {
                    Echo("logout\r\n");
                    session.HasExited = true;
                }
                break;
            case '\u0015':
                line.Clear(); // Ctrl-U: kill the line typed so far
                break;
            case '\u007f' or '\b':
                if (line.Length > 0)
                {
                    line.Length -= line.Length > 1 && char.IsLowSurrogate(line[^1]) ? 2 : 1;
                    Echo("\b \b");
                }
                break;
            case '\u001b':
                escape = 1;
                break;
            default:
                if (c >= ' ' || c == '\t')
                {
                    line.Append(c);
                    echo.Append(c);
                }
                break;
        }
    }

    private async Task EnterAsync()
    {
        Echo("\r\n");
        var text = continuation.ToString() + line;
        line.Clear();
        if (IsIncomplete(text))
        {
            continuation.Clear().Append(text).Append('\n');
            Echo("> ");
            return;
        }
        continuation.Clear();
        if (text.Trim().Length == 0)
        {
            Echo(ColourPrompt(session.Prompt));
            return;
        }
        await FlushEchoAsync(); // the echo goes out before the command's first output
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        running = cancel;
        _ = Task.Run(async () =>
        {
            try
            {
                await session.RunAsync(text, (chunk, ct) => new ValueTask(EmitAsync(chunk.Replace("\n", "\r\n", StringComparison.Ordinal))), null, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                if (!stopping.IsCancellationRequested)
                    await EmitAsync("\r\n");
            }
            catch (InvalidOperationException e)
            {
                await EmitAsync($"bash: {e.Message}\r\n");
            }
            catch (Exception e)
            {
                // As above: say so, so a client sees an error instead of a command that never prints its end.
                await EmitAsync($"\r\nbash: emulator error: {e.GetType().Name}: {e.Message}\r\n");
            }
            finally
            {
                events.Writer.TryWrite(new LineDone());
            }
        });
    }

    /// <summary>
    /// True when bash would ask for more (<c>&gt; </c>): an open quote, group, loop or if at the end, or a backslash
    /// ending the line (a continuation: the parser and the word expander drop the backslash-newline pair).
    /// </summary>
    internal static bool IsIncomplete(string text)
    {
        try
        {
            ShellParser.Parse(text);
        }
        catch (ShellSyntaxException e)
        {
            return e.Message.Contains("unexpected end of file", StringComparison.Ordinal) || e.Message.Contains("unexpected EOF", StringComparison.Ordinal);
        }
        var backslashes = text.Length - text.TrimEnd('\\').Length;
        return backslashes % 2 == 1;
    }

    /// <summary>Echo is collected while a batch of keys is handled and sent as one frame, as a PTY read would.</summary>
    private void Echo(string text) => echo.Append(text);

    private async Task FlushEchoAsync()
    {
        if (echo.Length == 0)
            return;
        var text = echo.ToString();
        echo.Clear();
        await EmitAsync(text);
    }

    private async Task EmitAsync(string text)
    {
        if (text.Length == 0)
            return;
        await outputGate.WaitAsync();
        try
        {
            await output(Encoding.UTF8.GetBytes(text), stopping.Token);
        }
        finally
        {
            outputGate.Release();
        }
    }
}
