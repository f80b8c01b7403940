namespace Alpacon.Emulator.Tests.Shell;

/// <summary>sudo -i, su - and bash in a Websh terminal open a nested shell that exit leaves.</summary>
public class NestedShellTests
{
    [Fact]
    public async Task RunAsync_SudoDashIThenExit_SwitchesToRootAndBack()
    {
        var session = TestHosts.Host().OpenSession("jane", interactive: true);
        await session.RunAsync("cd /tmp; export MINE=1");

        await session.RunAsync("sudo -i");
        var asRoot = await session.RunAsync("whoami; pwd; echo ${MINE:-unset}");
        var prompt = session.Prompt;
        var exit = await session.RunAsync("exit");
        var back = await session.RunAsync("whoami; pwd; echo $MINE");

        Assert.Equal("root\n/root\nunset\n", asRoot.Output);
        Assert.Equal("root@web-01:~# ", prompt);
        Assert.Equal("logout\n", exit.Output);
        Assert.False(session.HasExited);
        Assert.Equal("jane\n/tmp\n1\n", back.Output);
    }

    [Fact]
    public async Task RunAsync_SudoSuDashUser_OpensLoginShellAsThatUser()
    {
        var session = TestHosts.Host().OpenSession("jane", interactive: true);

        await session.RunAsync("sudo su - bo");
        var result = await session.RunAsync("id -un; pwd");
        await session.RunAsync("exit");
        await session.RunAsync("exit");

        Assert.Equal("bo\n/home/bo\n", result.Output);
        Assert.True(session.HasExited);
    }

    [Fact]
    public async Task RunAsync_SudoDashIWithoutTerminal_ReadsCommandsFromStdin()
    {
        var result = await TestHosts.Run("sudo -i", user: "jane", stdin: "whoami\npwd\n");

        Assert.Equal("root\n/root\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_SuAsNonRoot_FailsAuthentication()
    {
        var result = await TestHosts.Run("su - root; echo $?", user: "jane");

        Assert.Equal("Password: \nsu: Authentication failure\n1\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_TerminalSession_ReadsBashrcAliasesAndKeepsHistory()
    {
        var session = TestHosts.Host().OpenSession("jane", interactive: true);

        var listing = await session.RunAsync("ll /etc/hostname");
        await session.RunAsync("alias hi='echo hello'");
        var alias = await session.RunAsync("hi there | tr a-z A-Z; type ll");
        var history = await session.RunAsync("history");

        Assert.StartsWith("-rw-r--r-- 1 root root 7 ", listing.Output, StringComparison.Ordinal);
        Assert.Equal("HELLO THERE\nll is aliased to `ls -alF'\n", alias.Output);
        Assert.Equal("    1  ll /etc/hostname\n    2  alias hi='echo hello'\n    3  hi there | tr a-z A-Z; type ll\n    4  history\n", history.Output);
    }

    [Fact]
    public async Task RunAsync_AgentCommand_HasNoTerminalAliases()
    {
        var result = await TestHosts.Run("ll");

        Assert.Equal("bash: ll: command not found\n", result.Output);
    }
}
