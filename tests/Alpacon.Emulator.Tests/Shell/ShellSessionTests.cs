using System.Text;
using Alpacon.Emulator.Shell;

namespace Alpacon.Emulator.Tests.Shell;

public class ShellSessionTests
{
    [Fact]
    public async Task RunAsync_CdThenPwd_KeepsWorkingDirectoryAcrossLines()
    {
        var session = TestHosts.Host().OpenSession("jane", interactive: true);

        await session.RunAsync("cd /tmp");
        var result = await session.RunAsync("pwd");

        Assert.Equal("/tmp\n", result.Output);
        Assert.Equal("/tmp", session.WorkingDirectory);
    }

    [Fact]
    public async Task RunAsync_ExportThenEcho_KeepsVariablesAcrossLines()
    {
        var session = TestHosts.Host().OpenSession("jane");

        await session.RunAsync("export GREETING=hello; LOCAL=x");
        var result = await session.RunAsync("echo $GREETING $LOCAL; env | grep -c GREETING");

        Assert.Equal("hello x\n1\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_CdDashAndTilde_GoBackAndHome()
    {
        var session = TestHosts.Host().OpenSession("jane");

        var result = await session.RunAsync("cd /var/log && cd /etc && cd - && cd ~ && pwd && cd ~/ && pwd");

        Assert.Equal("/var/log\n/home/jane\n/home/jane\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_FalseThenEchoStatus_PrintsOne()
    {
        var result = await TestHosts.Run("false; echo $?");

        Assert.Equal("1\n", result.Output);
        Assert.Equal(0, result.ExitCode);
    }

    [Theory]
    [InlineData("true && echo yes || echo no", "yes\n")]
    [InlineData("false && echo yes || echo no", "no\n")]
    [InlineData("false || false || echo third", "third\n")]
    [InlineData("true || echo skipped; echo after", "after\n")]
    [InlineData("! false && echo negated", "negated\n")]
    public async Task RunAsync_AndOrLists_ShortCircuitLikeBash(string line, string expected) =>
        Assert.Equal(expected, (await TestHosts.Run(line)).Output);

    [Fact]
    public async Task RunAsync_PipeThroughGrepAndWc_CountsMatchingLines()
    {
        var result = await TestHosts.Run("seq 1 100 | grep 7 | wc -l");

        Assert.Equal("19\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_PipeIntoHeadAndTail_SelectsLines()
    {
        var result = await TestHosts.Run("seq 1 100000 | head -n 3; seq 10 | tail -n 2; seq 5 | tail -n +4");

        Assert.Equal("1\n2\n3\n9\n10\n4\n5\n", result.Output);
    }

    [Theory]
    [InlineData("grep -ic error", "2\n")]
    [InlineData("grep -c -v -i error", "2\n")]
    [InlineData("grep -E 'warn|ERROR'", "ERROR one\nwarn three\n")]
    [InlineData("grep 'o\\(ne\\|ur\\)'", "ERROR one\nfour\n")]
    [InlineData("grep -n four", "4:four\n")]
    [InlineData("sort | uniq -c | sort -rn | head -n 1", "      1 warn three\n")]
    public async Task RunAsync_GrepVariants_FilterStdin(string filter, string expected)
    {
        var result = await TestHosts.Run(filter, stdin: "ERROR one\nerror two\nwarn three\nfour\n");

        Assert.Equal(expected, result.Output);
    }

    [Fact]
    public async Task RunAsync_GrepWithoutMatch_ExitsOne() =>
        Assert.Equal(1, (await TestHosts.Run("grep nothing /etc/hostname")).ExitCode);

    [Fact]
    public async Task RunAsync_QuotingAndExpansion_FollowsBash()
    {
        var session = TestHosts.Host().OpenSession("jane");

        var result = await session.RunAsync("""NAME=world; echo 'single $NAME' "double $NAME" ${NAME}s \$NAME "a  b" $HOME $USER $PWD""");

        Assert.Equal("single $NAME double world worlds $NAME a  b /home/jane jane /home/jane\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_UnquotedExpansion_SplitsFieldsButQuotedDoesNot()
    {
        var result = await TestHosts.Run("""X="a   b"; printf '[%s]' $X; printf '[%s]' "$X"; printf '[%s]' "" $EMPTY; echo""");

        Assert.Equal("[a][b][a   b][]\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_CommandSubstitutionAndArithmetic_Expand()
    {
        var result = await TestHosts.Run("echo \"host=$(hostname) n=$((2 + 3 * 4)) len=${#HOME} def=${NOPE:-fallback}\"");

        Assert.Equal("host=web-01 n=14 len=5 def=fallback\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_WebshMarkerPrintf_PrintsExpandedMarker()
    {
        var result = await TestHosts.Run("echo hi; printf '\\n__ALPMCP_%s_%d__\\n' abc $?");

        Assert.Equal("hi\n\n__ALPMCP_abc_0__\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_MarkerAfterFailure_CarriesExitStatus()
    {
        var result = await TestHosts.Run("ls /nope; printf '\\n__ALPMCP_%s_%d__\\n' x1 $?");

        Assert.EndsWith("\n__ALPMCP_x1_2__\n", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("printf '%5s|%-5s|%03d|%x\\n' ab cd 7 255", "   ab|cd   |007|ff\n")]
    [InlineData("printf '%s-' a b c; echo", "a-b-c-\n")]
    [InlineData("printf '%b' 'x\\ty\\n'", "x\ty\n")]
    [InlineData("echo -n no; echo -e ' tab\\tend'", "no tab\tend\n")]
    [InlineData("printf '%.2f %d%%\\n' 3.14159 50", "3.14 50%\n")]
    public async Task RunAsync_PrintfAndEcho_FormatLikeCoreutils(string line, string expected) =>
        Assert.Equal(expected, (await TestHosts.Run(line)).Output);

    [Fact]
    public async Task RunAsync_RedirectThenCat_ReadsFileBack()
    {
        var session = TestHosts.Host().OpenSession("jane");

        await session.RunAsync("echo first > notes.txt; echo second >> notes.txt");
        var result = await session.RunAsync("cat notes.txt; cat ~/notes.txt | wc -l");

        Assert.Equal("first\nsecond\n2\n", result.Output);
        Assert.Equal("jane", session.Host.FileSystem.GetEntry("/home/jane/notes.txt").Owner);
    }

    [Fact]
    public async Task RunAsync_StderrRedirections_SeparateOrMergeStreams()
    {
        var session = TestHosts.Host().OpenSession("root");

        var quiet = await session.RunAsync("cat /missing 2>/dev/null; echo status=$?");
        var merged = await session.RunAsync("cat /missing > /tmp/out 2>&1; cat /tmp/out");

        Assert.Equal("status=1\n", quiet.Output);
        Assert.Equal("cat: /missing: No such file or directory\n", merged.Output);
    }

    [Fact]
    public async Task RunAsync_HereDocument_FeedsStdin()
    {
        var result = await TestHosts.Run("cat <<EOF > /tmp/conf\nname=$(hostname)\nport=80\nEOF\ncat /tmp/conf", user: "root");

        Assert.Equal("name=web-01\nport=80\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_StdinData_FeedsFirstReader()
    {
        Assert.Equal("line one\nline two\n", (await TestHosts.Run("cat", stdin: "line one\nline two\n")).Output);
        Assert.Equal("3\n", (await TestHosts.Run("wc -l", stdin: "a\nb\nc\n")).Output);
    }

    [Fact]
    public async Task RunAsync_EnvironmentFromCaller_IsExported()
    {
        var host = TestHosts.Host();

        var result = await host.RunAsync("echo $DB_PASSWORD; env | grep DB_", environment: new Dictionary<string, string> { ["DB_PASSWORD"] = "s3cret" });

        Assert.Equal("s3cret\nDB_PASSWORD=s3cret\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_Exit3_ReturnsThreeAndEndsSession()
    {
        var session = TestHosts.Host().OpenSession("jane");

        var result = await session.RunAsync("echo before; exit 3; echo after");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("before\n", result.Output);
        Assert.True(session.HasExited);
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.RunAsync("echo again"));
    }

    [Fact]
    public async Task RunAsync_ExitInSubshell_DoesNotEndSession()
    {
        var session = TestHosts.Host().OpenSession("jane");

        var result = await session.RunAsync("bash -c 'exit 4'; echo $?");

        Assert.Equal("4\n", result.Output);
        Assert.False(session.HasExited);
    }

    [Fact]
    public async Task RunAsync_UnknownCommand_Returns127WithBashMessage()
    {
        var result = await TestHosts.Run("foo --bar");

        Assert.Equal(127, result.ExitCode);
        Assert.Equal("bash: foo: command not found\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_SyntaxError_Returns2()
    {
        var result = await TestHosts.Run("echo a | | wc");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("bash: syntax error near unexpected token `|'\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_SleepCancelled_ThrowsPromptlyAndFlushesEarlierOutput()
    {
        var session = TestHosts.Host().OpenSession("jane");
        var chunks = new List<string>();
        using var cancellation = new CancellationTokenSource();
        var run = session.RunAsync("echo started; sleep 3600; echo never", (chunk, _) =>
        {
            chunks.Add(chunk);
            cancellation.Cancel();
            return ValueTask.CompletedTask;
        }, cancellationToken: cancellation.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Equal(["started\n"], chunks);
        Assert.Equal(130, session.LastExitStatus);
    }

    [Fact]
    public async Task RunAsync_HugeOutput_StopsAtLimitWithNotice()
    {
        var size = 0L;
        var session = TestHosts.Host().OpenSession();

        var status = await session.RunAsync("seq 1 100000000", (chunk, _) =>
        {
            size += chunk.Length;
            Assert.True(chunk.Length <= ShellLimits.ChunkChars + 200);
            return ValueTask.CompletedTask;
        });

        Assert.Equal(1, status);
        Assert.InRange(size, ShellLimits.MaxOutputChars, ShellLimits.MaxOutputChars + 200);
    }

    [Fact]
    public async Task RunAsync_HugeProducerIntoHead_EndsLikeSigpipe()
    {
        var result = await TestHosts.Run("seq 1 100000000 | head -n 2; cat /dev/urandom; echo $?");

        Assert.Equal("1\n2\ncat: /dev/urandom: Operation not supported\n1\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_Output_StreamsInChunksPerCommand()
    {
        var chunks = new List<string>();
        var session = TestHosts.Host().OpenSession();

        await session.RunAsync("echo one; echo two", (chunk, _) =>
        {
            chunks.Add(chunk);
            return ValueTask.CompletedTask;
        });

        Assert.Equal(["one\n", "two\n"], chunks);
    }

    [Fact]
    public async Task RunAsync_NonRootWritesEtc_PermissionDenied()
    {
        var result = await TestHosts.Run("echo x > /etc/evil; touch /etc/evil2; cat /etc/shadow; ls /root", user: "jane");

        Assert.Equal(
            "bash: /etc/evil: Permission denied\ntouch: cannot touch '/etc/evil2': Permission denied\ncat: /etc/shadow: Permission denied\nls: cannot open directory '/root': Permission denied\n",
            result.Output);
    }

    [Fact]
    public async Task RunAsync_SudoAsAdminMember_RunsAsRoot()
    {
        var result = await TestHosts.Run("sudo whoami; sudo touch /etc/ok && ls /etc/ok", user: "jane");

        Assert.Equal("root\n/etc/ok\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_GlobInLs_ExpandsSorted()
    {
        var result = await TestHosts.Run("cd /etc && ls -d host* && echo /var/log/app/*.log && echo 'lit*'");

        Assert.Equal("hostname\nhosts\n/var/log/app/app.log\nlit*\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_MkdirTouchCpMvRm_ChangeFileSystem()
    {
        var session = TestHosts.Host().OpenSession("jane");

        var result = await session.RunAsync("mkdir -p a/b && touch a/b/f && cp a/b/f a/g && mv a/g a/h && rm -r a/b && ls a && test -d a && [ -f a/h ] && echo ok");

        Assert.Equal("h\nok\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_TestBuiltin_EvaluatesStringsNumbersAndFiles()
    {
        var result = await TestHosts.Run("""[ -z "" ] && [ -n x ] && [ a = a ] && [ a != b ] && [ 3 -lt 10 ] && test -e /etc/passwd && ! test -d /etc/passwd && echo pass; [ 1 -gt 2 ]; echo $?""");

        Assert.Equal("pass\n1\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_WhichAndScripts_FindProgramsOnPath()
    {
        var session = TestHosts.Host().OpenSession("root");

        var result = await session.RunAsync("which ls; printf '#!/bin/bash\\necho script $1\\n' > /usr/local/bin/hello; chmod +x /usr/local/bin/hello; hello arg; which nope; echo $?");

        Assert.Equal("/usr/bin/ls\nscript arg\n1\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_InteractiveSession_PromptFollowsDirectoryAndDistribution()
    {
        var ubuntu = TestHosts.Host("web-01").OpenSession("jane", interactive: true);
        var rocky = TestHosts.Host("db-01").OpenSession("root", interactive: true);

        Assert.Equal("jane@web-01:~$ ", ubuntu.Prompt);
        await ubuntu.RunAsync("cd /var/log");
        Assert.Equal("jane@web-01:/var/log$ ", ubuntu.Prompt);
        Assert.Equal("[root@db-01 ~]# ", rocky.Prompt);
    }

    [Fact]
    public async Task RunAsync_ConcurrentLineOnSameSession_Throws()
    {
        var session = TestHosts.Host().OpenSession();
        using var cancellation = new CancellationTokenSource();
        var first = session.RunAsync("sleep 60", (_, _) => ValueTask.CompletedTask, cancellationToken: cancellation.Token);

        await Assert.ThrowsAsync<InvalidOperationException>(() => session.RunAsync("echo hi"));
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
    }

    [Fact]
    public async Task RunAsync_MultiByteOutput_IsNotSplitInsideCharacters()
    {
        var text = new StringBuilder();
        var session = TestHosts.Host().OpenSession();

        await session.RunAsync("printf '%s\\n' 한국어 😀", (chunk, _) =>
        {
            text.Append(chunk);
            return ValueTask.CompletedTask;
        });

        Assert.Equal("한국어\n😀\n", text.ToString());
    }
}
