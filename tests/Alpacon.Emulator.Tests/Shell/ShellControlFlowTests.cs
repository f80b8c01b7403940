namespace Alpacon.Emulator.Tests.Shell;

public class ShellControlFlowTests
{
    [Theory]
    [InlineData("for i in 1 2 3; do echo $i; done", "1\n2\n3\n")]
    [InlineData("for f in /etc/host*; do echo $f; done", "/etc/hostname\n/etc/hosts\n")]
    [InlineData("if [ -f /etc/passwd ]; then echo yes; else echo no; fi", "yes\n")]
    [InlineData("if false; then echo a; elif true; then echo b; else echo c; fi", "b\n")]
    [InlineData("if false; then echo a; fi; echo $?", "0\n")]
    [InlineData("i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo w$i; done", "w1\nw2\nw3\n")]
    [InlineData("until true; do echo never; done; echo end", "end\n")]
    [InlineData("for i in 1 2 3 4; do [ $i = 3 ] && break; echo $i; done", "1\n2\n")]
    [InlineData("for i in 1 2 3; do [ $i = 2 ] && continue; echo $i; done", "1\n3\n")]
    [InlineData("for i in a b; do for j in 1 2; do [ $j = 2 ] && continue 2; echo $i$j; done; done", "a1\nb1\n")]
    [InlineData("(cd /tmp; pwd); pwd", "/tmp\n/root\n")]
    [InlineData("{ echo g1; echo g2; } | wc -l", "2\n")]
    [InlineData("for x in a b; do\n  echo \"item $x\"\ndone\nif true\nthen\n  echo multi\nfi", "item a\nitem b\nmulti\n")]
    public async Task RunAsync_CompoundCommands_BehaveLikeBash(string line, string expected) =>
        Assert.Equal(expected, (await TestHosts.Run(line, user: "root")).Output);

    [Fact]
    public async Task RunAsync_WhileReadFromPipe_ReadsLineByLine()
    {
        var result = await TestHosts.Run("printf 'a b c\\nd e\\n' | while read first rest; do echo \"[$first][$rest]\"; done; head -n 2 /etc/passwd | while IFS=: read user _; do echo $user; done");

        Assert.Equal("[a][b c]\n[d][e]\nroot\ndaemon\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_EndlessLoopWithoutOutput_StopsAtIterationLimit()
    {
        var result = await TestHosts.Run("while true; do :; done; echo after");

        Assert.Equal("bash: loop stopped after 10000 iterations (emulator limit)\nafter\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_LoopVariable_PersistsInInteractiveSession()
    {
        var session = TestHosts.Host().OpenSession("jane", interactive: true);

        await session.RunAsync("for n in x y z; do last=$n; done");
        var result = await session.RunAsync("echo $last $n");

        Assert.Equal("z z\n", result.Output);
    }

    [Theory]
    [InlineData("if true; then fi")]
    [InlineData("for i in 1; do echo $i")]
    [InlineData("(echo a")]
    [InlineData("done")]
    public async Task RunAsync_BrokenCompound_IsSyntaxError(string line) =>
        Assert.Equal(2, (await TestHosts.Run(line)).ExitCode);
}
