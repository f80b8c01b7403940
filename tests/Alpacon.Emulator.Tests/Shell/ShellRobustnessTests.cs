namespace Alpacon.Emulator.Tests.Shell;

/// <summary>Hostile or broken input must fail like bash, never crash or hang the emulator.</summary>
public class ShellRobustnessTests
{
    public static TheoryData<string> DeeplyNestedLines() =>
    [
        new string('(', 20_000) + "echo hi",
        "echo $" + new string('(', 20_000) + "1",
        "test " + string.Concat(Enumerable.Repeat("( ", 20_000)) + "x",
        "awk 'BEGIN { print " + new string('(', 20_000) + "1 }'",
    ];

    [Theory]
    [MemberData(nameof(DeeplyNestedLines))]
    public async Task RunAsync_DeeplyNestedInput_FailsWithoutCrashing(string line)
    {
        var result = await TestHosts.Run(line);

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("hi\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ScriptRunningItself_StopsAtNestingLimit()
    {
        var session = TestHosts.Host().OpenSession("root");

        var result = await session.RunAsync("echo 'bash /tmp/self.sh' > /tmp/self.sh; bash /tmp/self.sh; echo survived");

        Assert.EndsWith("survived\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("maximum nesting level exceeded", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo 'unterminated", "bash: unexpected EOF while looking for matching `''\n")]
    [InlineData("echo \"open", "bash: unexpected EOF while looking for matching `\"'\n")]
    [InlineData("; ls", "bash: syntax error near unexpected token `;'\n")]
    [InlineData("echo ok &&", "bash: syntax error: unexpected end of file\n")]
    [InlineData("echo ${", "bash: unexpected EOF while looking for matching `}'\n")]
    public async Task RunAsync_MalformedLine_PrintsBashSyntaxError(string line, string expected)
    {
        var result = await TestHosts.Run(line);

        Assert.Equal(expected, result.Output);
        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task RunAsync_AssignmentFromFailingSubstitution_TakesItsStatus()
    {
        var result = await TestHosts.Run("x=$(false); echo $?; y=$(echo v); echo $? $y");

        Assert.Equal("1\n0 v\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_FileSystemFull_ReportsNoSpace()
    {
        var host = TestHosts.Host();

        var result = await host.RunAsync("seq 1 2000000 > /tmp/a; cp /tmp/a /tmp/b; cp /tmp/a /tmp/c; cp /tmp/a /tmp/d; cp /tmp/a /tmp/e; cp /tmp/a /tmp/f; cp /tmp/a /tmp/g; cp /tmp/a /tmp/h; cp /tmp/a /tmp/i; echo $?");

        Assert.Contains("No space left on device", result.Output, StringComparison.Ordinal);
        Assert.True(host.FileSystem.UsedBytes <= host.FileSystem.Capacity);
    }

    [Fact]
    public async Task RunAsync_PasswdDeletedAndUnreadableScript_ReportErrorsWithoutThrowing()
    {
        var host = TestHosts.Host();

        await host.RunAsync("printf 'echo hi\\n' > /tmp/s; chmod 711 /tmp/s");
        var script = await host.RunAsync("/tmp/s; echo $?", username: "jane");
        await host.RunAsync("rm /etc/passwd");

        Assert.Equal("bash: /tmp/s: Permission denied\n126\n", script.Output);
        Assert.Null(host.FindAccount("jane"));
        Assert.Equal("root\n", (await host.RunAsync("whoami")).Output);
    }

    [Theory]
    [InlineData("echo 12345678901234 abc", "12345678901234 abc\n")]
    [InlineData("printf '%s_B__\\n' 6523409812e7", "6523409812e7_B__\n")]
    [InlineData("echo hi 99999999999>/tmp/n; cat /tmp/n", "hi 99999999999\n")]
    public async Task RunAsync_WordOfManyDigits_IsAWordNotADescriptor(string line, string expected)
    {
        // A Websh marker's nonce is random hex: about one in a hundred starts with ten digits, which once crashed the parser.
        var result = await TestHosts.Run(line);

        Assert.Equal(expected, result.Output);
        Assert.Equal(0, result.ExitCode);
    }
}
