using Alpacon.Api.Configuration;
using Alpacon.Api.Websh;

namespace Alpacon.Api.Tests;

public sealed class WebshTextTests
{
    [Theory]
    [InlineData("\u001b[01;32mjane@web-01\u001b[00m:\u001b[01;34m~\u001b[00m$ ", "jane@web-01:~$ ")]
    [InlineData("a\r\nb\r\n", "a\nb\n")]
    [InlineData("\u001b]0;jane@web-01: ~\u0007title gone", "title gone")]
    [InlineData("\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\", "link")]
    [InlineData("\u001b[?2004hprompt\u001b[?2004l\r", "prompt")]
    [InlineData("10%\r20%\r100%\n", "100%\n")]
    [InlineData("abc\rX\n", "Xbc\n")]
    [InlineData("abcdef\r\u001b[Kdone\n", "done\n")]
    [InlineData("ab\bc", "ac")]
    [InlineData("bell\u0007 and\u0000 nul", "bell and nul")]
    [InlineData("\u001b(Bplain\u001b=", "plain")]
    [InlineData("tab\tkept", "tab\tkept")]
    [InlineData("unfinished \u001b[3", "unfinished ")]
    public void Clean_TerminalOutput_IsWhatAReaderSees(string raw, string expected) =>
        Assert.Equal(expected, TerminalText.Clean(raw));

    [Fact]
    public void RemoveEchoAndPrompts_DropsEchoedLinesAndTrailingPrompt()
    {
        var text = "Last login: today\njane@web-01:~$ echo hi\nhi\njane@web-01:~$ ";
        Assert.Equal("hi", TerminalText.RemoveEchoAndPrompts(text, ["echo hi"]));
    }

    [Theory]
    [InlineData("jane@web-01:~$ ", true)]
    [InlineData("[root@db-01 log]# ", true)]
    [InlineData("> ", true)]
    [InlineData("total 4", false)]
    [InlineData("price: 5$", false)]
    public void LooksLikePrompt_RecognisesPrompts(string line, bool expected) =>
        Assert.Equal(expected, TerminalText.LooksLikePrompt(line));

    [Fact]
    public void Budget_ShortText_IsUntouched()
    {
        var b = TerminalText.Budget("hello\nworld", 100);
        Assert.False(b.Truncated);
        Assert.Equal("hello\nworld", b.Text);
    }

    [Fact]
    public void Budget_LongText_KeepsHeadAndTailAndSaysWhatWasCut()
    {
        var text = string.Join('\n', Enumerable.Range(1, 100_000));
        var b = TerminalText.Budget(text, 2000);
        Assert.True(b.Truncated);
        Assert.True(b.Text.Length < 2400, $"{b.Text.Length}");
        Assert.StartsWith("1\n2\n3\n", b.Text, StringComparison.Ordinal);
        Assert.EndsWith("99999\n100000", b.Text, StringComparison.Ordinal);
        Assert.Contains("cut from the middle", b.Text, StringComparison.Ordinal);
        Assert.Contains("max_output_chars", b.Text, StringComparison.Ordinal);
        Assert.Equal(text.Length, b.TotalChars);
        Assert.InRange(b.CutChars, text.Length - 2000, text.Length - 1000);
    }

    [Fact]
    public void Marker_Wrap_TypesOneLine_WithTheNonceOnlyInExpandedForm()
    {
        var m = Marker.ForTest("abc123");
        var keys = m.Wrap("echo 'it' # note");
        Assert.Equal("\u0015 printf '__ALPMCP_%s_B__\\n' abc123; eval 'echo '\\''it'\\'' # note'; printf '\\n__ALPMCP_%s_%d__\\n' abc123 $?\r", keys);
        Assert.DoesNotContain(m.Begin, keys, StringComparison.Ordinal);
        Assert.DoesNotContain(m.EndPrefix, keys, StringComparison.Ordinal);
        Assert.Single(keys, c => c == '\r');
    }

    [Fact]
    public void Marker_Wrap_SeveralLines_GoAsEscapesOnOneLine()
    {
        var keys = Marker.ForTest("n").Wrap("cd /tmp\r\necho 'a\\b!'\tx\n");
        Assert.Equal("\u0015 printf '__ALPMCP_%s_B__\\n' n; eval \"$(printf '%b' 'cd /tmp\\necho '\\''a\\\\b\\0041'\\''\\tx')\"; printf '\\n__ALPMCP_%s_%d__\\n' n $?\r", keys);
        Assert.DoesNotContain('\n', keys);
        Assert.DoesNotContain('\t', keys);
        Assert.DoesNotContain('!', keys);
    }

    private static readonly System.Text.UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Marker_Wrap_LongCommand_TypesShortLinesThatJoinIntoTheSameWord(bool severalLines)
    {
        // Quotes, multi-byte and four-byte characters land on every possible line break as the prefix shifts them.
        var piece = severalLines ? "echo 'it''s' 한글✓ 😀 a!b\n" : "echo 'it''s' 한글✓ 😀 a!b ";
        for (var shift = 0; shift < 12; shift++)
        {
            var command = new string('x', shift) + string.Concat(Enumerable.Repeat(piece, 400));
            var m = Marker.ForTest("n5");
            var keys = m.Wrap(command);
            var lines = keys.Split('\r', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length > 10);
            // The strict encoder throws on a lone surrogate: a character is never cut in two.
            Assert.All(lines, l => Assert.InRange(Strict.GetByteCount(l) + 1, 1, Marker.MaxLineBytes));
            Assert.All(lines[..^1], l => Assert.EndsWith("'\\", l, StringComparison.Ordinal));
            Assert.All(lines[1..], l => Assert.StartsWith("'", l, StringComparison.Ordinal));
            // bash drops each backslash-newline and joins the quoted pieces: the same as typing one long line.
            var joined = keys.Replace("'\\\r'", "", StringComparison.Ordinal);
            Assert.Equal(OneLine(m, command), joined);
        }

        static string OneLine(Marker m, string command)
        {
            var text = command.TrimEnd('\n');
            var escaped = text.Contains('\n', StringComparison.Ordinal);
            var body = (escaped ? text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("!", "\\0041", StringComparison.Ordinal) : text)
                .Replace("'", "'\\''", StringComparison.Ordinal);
            var eval = escaped ? $"eval \"$(printf '%b' '{body}')\"" : $"eval '{body}'";
            return $"\u0015 printf '__ALPMCP_%s_B__\\n' {m.Nonce}; {eval}; printf '\\n__ALPMCP_%s_%d__\\n' {m.Nonce} $?\r";
        }
    }

    [Fact]
    public void Marker_FindsOutputBetweenMarkers_IgnoringEchoAndPrompt()
    {
        var m = Marker.ForTest("n1");
        var raw = "jane@web-01:~$ { printf '__ALPMCP_%s_B__\\n' n1; false\r\n> }; printf '\\n__ALPMCP_%s_%d__\\n' n1 $?\r\n"
            + "__ALPMCP_n1_B__\r\nline one\r\nline two\r\n\r\n__ALPMCP_n1_1__\r\njane@web-01:~$ ";
        var start = m.FindOutputStart(raw);
        Assert.True(start > 0);
        var end = m.FindEnd(raw, start);
        Assert.NotNull(end);
        Assert.Equal(1, end.Value.ExitCode);
        Assert.Equal("line one\nline two\n", TerminalText.Clean(raw[start..end.Value.Start]));
    }

    [Fact]
    public void Marker_EmptyOutput_IsEmpty()
    {
        var m = Marker.ForTest("n2");
        var raw = "__ALPMCP_n2_B__\r\n\r\n__ALPMCP_n2_0__\r\n";
        var start = m.FindOutputStart(raw);
        var end = m.FindEnd(raw, start)!.Value;
        Assert.Equal("", raw[start..end.Start]);
        Assert.Equal(0, end.ExitCode);
    }

    [Fact]
    public void Marker_PartialEndMarker_IsNotTakenYet()
    {
        var m = Marker.ForTest("n3");
        Assert.Null(m.FindEnd("out\r\n__ALPMCP_n3_1", 0));
        Assert.Null(m.FindEnd("out\r\n__ALPMCP_n3_", 0));
        Assert.Equal(-1, m.FindOutputStart("__ALPMCP_n3_B__"));
        Assert.Equal(12, m.FindEnd("out\r\n__ALPMCP_n3_12__", 0)!.Value.ExitCode);
    }

    [Fact]
    public void Marker_OutputThatMentionsAnotherNonce_DoesNotEnd()
    {
        var m = Marker.ForTest("n4");
        Assert.Null(m.FindEnd("__ALPMCP_other_0__\r\n__ALPMCP_n4_xx__ and more text", 0));
    }

    [Theory]
    [InlineData("   ", true)]
    [InlineData("echo \u0003", true)]
    [InlineData("ls &&", false)]
    [InlineData("sleep 5 &", false)]
    [InlineData("echo hi # note", false)]
    [InlineData("for i in 1 2\ndo echo $i\ndone", false)]
    public void Marker_Problem_RefusesOnlyBlankOrControlKeys(string command, bool refused) =>
        Assert.Equal(refused, Marker.Problem(command) is not null);

    [Fact]
    public void Mask_HidesThePathAndQuery()
    {
        var url = new Uri("wss://acme.ap1.alpacon.io/ws/websh/9a1b/SECRETtoken123/");
        var masked = WebshUrls.Mask(url);
        Assert.Equal("wss://acme.ap1.alpacon.io/…", masked);
        Assert.Equal("9a1b", WebshUrls.ChannelId(url));
        Assert.DoesNotContain("SECRET", WebshUrls.Mask("ws://h/other/SECRET?token=SECRET"), StringComparison.Ordinal);
    }

    [Fact]
    public void Authorize_OnlyHostsOfConfiguredWorkspaces()
    {
        var workspaces = new[]
        {
            new WorkspaceTarget("ap1", "acme", new Uri("https://acme.ap1.alpacon.io"), "t", TokenSource.File, false),
            new WorkspaceTarget("ap1", "lab", new Uri("http://127.0.0.1:5000"), "t", TokenSource.File, true),
        };
        Assert.Equal("acme", WebshUrls.Authorize("wss://acme.ap1.alpacon.io/ws/websh/a/b/", workspaces).Workspace);
        Assert.Equal("lab", WebshUrls.Authorize("ws://127.0.0.1:5000/ws/websh/a/b/", workspaces).Workspace);
        var other = Assert.Throws<ArgumentException>(() => WebshUrls.Authorize("wss://evil.example.com/ws/websh/a/SECRET/", workspaces));
        Assert.Contains("configured workspace", other.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", other.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => WebshUrls.Authorize("ws://acme.ap1.alpacon.io/ws/websh/a/b/", workspaces)); // no downgrade to ws
        Assert.Throws<ArgumentException>(() => WebshUrls.Authorize("ws://127.0.0.1:5001/ws/websh/a/b/", workspaces));
        Assert.Throws<ArgumentException>(() => WebshUrls.Authorize("https://acme.ap1.alpacon.io/ws/websh/a/b/", workspaces));
    }

    [Fact]
    public void Rebase_MovesTheUrlOntoTheConfiguredBase()
    {
        var rebased = WebshUrls.Rebase("wss://acme.ap1.alpacon.io/ws/websh/a/b/", new Uri("http://127.0.0.1:5000"));
        Assert.Equal("ws://127.0.0.1:5000/ws/websh/a/b/", rebased.AbsoluteUri);
    }
}
