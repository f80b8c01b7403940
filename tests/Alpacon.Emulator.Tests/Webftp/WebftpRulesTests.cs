using Alpacon.Emulator;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Webftp;

namespace Alpacon.Emulator.Tests.Webftp;

public class WebftpRulesTests
{
    [Theory]
    [InlineData("/etc/app/", "app.conf", "/etc/app/app.conf")]
    [InlineData("/etc/app/app.conf", "app.conf", "/etc/app/app.conf")]
    [InlineData("/etc/app", "app.conf", "/etc/app/app.conf")]
    [InlineData("/etc//app/./", "app.conf", "/etc/app/app.conf")]
    [InlineData("/", "x", "/x")]
    public void UploadTarget_AcceptsTheDirectoryAndTheFullPathForms(string path, string name, string expected) =>
        Assert.Equal(expected, WebftpEndpoints.UploadTarget(path, name));

    [Theory]
    [InlineData("/tmp/**", "upload", "upload", "/tmp", true)]
    [InlineData("/tmp/**", "upload", "upload", "/tmp/a/b/c.txt", true)]
    [InlineData("/tmp/**", "upload", "upload", "/tmpfoo", false)]
    [InlineData("/etc/app/*.conf", "download", "download", "/etc/app/app.conf", true)]
    [InlineData("/etc/app/*.conf", "download", "download", "/etc/app/sub/app.conf", false)]
    [InlineData("/var/log/**", "download", "upload", "/var/log/syslog", false)]
    [InlineData("/srv/**", "*", "upload", "/srv/x", true)]
    public void FileAclRule_MatchesPathAndAction(string pattern, string ruleAction, string action, string path, bool allowed) =>
        Assert.Equal(allowed, new FileAclRule(pattern, ruleAction).Allows(action, path));

    [Fact]
    public void FileAcl_TokensWithoutRulesAreUnbounded_OthersDenyByDefault()
    {
        Assert.True(FileAcl.Allows(new TokenGrant("k", "jane"), "upload", "/etc/passwd"));
        Assert.False(FileAcl.Allows(new TokenGrant(Seed.OperatorToken, "bo"), "upload", "/etc/passwd"));
        Assert.True(FileAcl.Allows(new TokenGrant(Seed.OperatorToken, "bo"), "download", "/var/log/syslog"));
        var scoped = new TokenGrant("k2", "jane") { FileAcl = [new FileAclRule("/opt/app/**", "download")] };
        Assert.True(FileAcl.Allows(scoped, "download", "/opt/app/config.yaml"));
        Assert.False(FileAcl.Allows(scoped, "upload", "/opt/app/config.yaml"));
    }
}
