namespace Alpacon.Emulator.Tests.Shell;

/// <summary>awk, sed, cut, sort and friends, as assistants chain them after ps, df and logs.</summary>
public class TextToolTests
{
    [Theory]
    [InlineData("awk -F: '{print $1}' /etc/passwd | head -n 2", "root\ndaemon\n")]
    [InlineData("df -h | awk 'NR==2 {print $6}'", "/\n")]
    [InlineData("awk 'BEGIN { x = 3; print x, x * 2 + 1, x \"-\" x }'", "3 7 3-3\n")]
    [InlineData("printf 'a 1\\nb 2\\na 3\\n' | awk '{c[$1] += $2} END {for (k in c) print k, c[k]}' | sort", "a 4\nb 2\n")]
    [InlineData("echo 'hello world foo' | awk '{print NF, $NF, $(NF-1), length($0), toupper($1), substr($2, 2, 3)}'", "3 foo world 15 HELLO orl\n")]
    [InlineData("echo a-b-c | awk '{n = split($0, p, \"-\"); gsub(/-/, \"+\"); print n, p[2], $0}'", "3 b a+b+c\n")]
    [InlineData("echo 'x y' | awk '{$1 = \"z\"; print; print NF}'", "z y\n2\n")]
    [InlineData("seq 5 | awk 'NR==2, NR==4' | tr '\\n' ' '", "2 3 4 ")]
    [InlineData("awk -v name=bob 'BEGIN { if (name ~ /^b/) print \"hi \" name; else print \"no\" }'", "hi bob\n")]
    [InlineData("awk 'BEGIN { printf \"%5.2f|%-4s|%d\\n\", 3.14159, \"ab\", 7.9 }'", " 3.14|ab  |7\n")]
    [InlineData("awk '/ERROR/ { n++ } END { print n + 0 }' /var/log/app/app.log | grep -c '^[1-9]'", "1\n")]
    public async Task RunAsync_Awk_EvaluatesPrograms(string line, string expected) =>
        Assert.Equal(expected, (await TestHosts.Run(line)).Output);

    [Fact]
    public async Task RunAsync_AwkEndlessLoop_StopsAtStepLimit()
    {
        var result = await TestHosts.Run("awk 'BEGIN { while (1) { } }'; echo $?; awk '{print'; echo $?");

        Assert.Equal("awk: run time error: stopped after 1000000 loop iterations (emulator limit)\n2\nawk: line 1: syntax error at or near end of file\n2\n", result.Output);
    }

    [Theory]
    [InlineData("echo 'hello world' | sed 's/o/0/g'", "hell0 w0rld\n")]
    [InlineData("echo 'a.b.c' | sed -E 's/([a-z])\\.([a-z])/\\2-\\1/'", "b-a.c\n")]
    [InlineData("echo abc | sed 's/\\(b\\)/[\\1]/'", "a[b]c\n")]
    [InlineData("seq 10 | sed -n '3,5p'", "3\n4\n5\n")]
    [InlineData("seq 5 | sed '2d;4d'", "1\n3\n5\n")]
    [InlineData("seq 5 | sed -n '$p'", "5\n")]
    [InlineData("seq 10 | sed 3q", "1\n2\n3\n")]
    [InlineData("sed -n '/^jane:/p' /etc/passwd", "jane:x:2001:2001:Jane Kim:/home/jane:/bin/bash\n")]
    [InlineData("echo x | sed 's/x/&&/'", "xx\n")]
    [InlineData("seq 3 | sed '2i inserted'", "1\ninserted\n2\n3\n")]
    [InlineData("seq 4 | sed '/3/!d'", "3\n")]
    public async Task RunAsync_Sed_EditsStreams(string line, string expected) =>
        Assert.Equal(expected, (await TestHosts.Run(line)).Output);

    [Fact]
    public async Task RunAsync_SedInPlace_EditsFileWithPermissions()
    {
        var session = TestHosts.Host().OpenSession("jane");

        var result = await session.RunAsync("cp /etc/hostname h && sed -i 's/web/app/' h && cat h; sed -i 's/a/b/' /etc/hostname; echo $?");

        Assert.Equal("app-01\nsed: couldn't edit /etc/hostname: Permission denied\n4\n", result.Output);
    }

    [Theory]
    [InlineData("echo a:b:c | cut -d: -f2,3", "b:c\n")]
    [InlineData("echo HELLO | tr A-Z a-z", "hello\n")]
    [InlineData("printf '3\\n10\\n2\\n' | sort -n | tr '\\n' ' '", "2 3 10 ")]
    [InlineData("printf 'b\\na\\nb\\n' | sort | uniq -c", "      1 a\n      2 b\n")]
    [InlineData("echo hi | tee /tmp/t > /dev/null; cat /tmp/t", "hi\n")]
    [InlineData("basename /var/log/app.log .log; dirname /var/log/app.log", "app\n/var/log\n")]
    [InlineData("echo aGk= | base64 -d; echo", "hi\n")]
    [InlineData("wc -l < /etc/hostname", "1\n")]
    public async Task RunAsync_Coreutils_TransformText(string line, string expected) =>
        Assert.Equal(expected, (await TestHosts.Run(line, user: "root")).Output);
}
