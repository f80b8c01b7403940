using Alpacon.Emulator.Core;
using Alpacon.Emulator.Shell;

namespace Alpacon.Emulator.Tests.Shell;

public class SimulatedHostTests
{
    public static TheoryData<string> ServerNames()
    {
        var data = new TheoryData<string>();
        foreach (var server in TestHosts.NewWorld().Servers)
            data.Add(server.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(ServerNames))]
    public void OsRelease_AnySeededServer_MatchesServerOs(string name)
    {
        var host = TestHosts.Host(name);
        var release = host.FileSystem.ReadText("/etc/os-release").Split('\n');

        Assert.Contains($"NAME=\"{host.Server.OsName}\"", release);
        Assert.Contains($"VERSION_ID=\"{host.Server.OsVersion}\"", release);
        Assert.Contains($"ID={host.Server.Platform}", release);
        Assert.Equal(name + "\n", host.FileSystem.ReadText("/etc/hostname"));
    }

    [Theory]
    [InlineData("web-01", "ubuntu", "www-data", "/usr/sbin/nologin")]
    [InlineData("db-01", "rocky", "nginx", "/sbin/nologin")]
    [InlineData("cache-01", "admin", "www-data", "/usr/sbin/nologin")]
    [InlineData("bastion-01", "ec2-user", "nginx", "/sbin/nologin")]
    public void Passwd_SeededHost_HasSystemCloudAndWorkspaceUsers(string name, string cloudUser, string webUser, string nologin)
    {
        var passwd = TestHosts.Host(name).FileSystem.ReadText("/etc/passwd").Split('\n');

        Assert.Contains("root:x:0:0:root:/root:/bin/bash", passwd);
        Assert.Contains(passwd, l => l.StartsWith(cloudUser + ":x:1000:1000:", StringComparison.Ordinal) && l.EndsWith(":/bin/bash", StringComparison.Ordinal));
        Assert.Contains(passwd, l => l.StartsWith(webUser + ":", StringComparison.Ordinal) && l.EndsWith(nologin, StringComparison.Ordinal));
        Assert.Contains(passwd, l => l.StartsWith("daemon:", StringComparison.Ordinal) && l.EndsWith(nologin, StringComparison.Ordinal));
        foreach (var user in new[] { "jane", "bo", "mina", "alex", "sam", "deploy-bot" })
            Assert.Contains(passwd, l => l.StartsWith(user + ":x:", StringComparison.Ordinal) && l.EndsWith($":/home/{user}:/bin/bash", StringComparison.Ordinal));
    }

    [Fact]
    public void FindAccount_WorkspaceUser_ReadsPasswdAndGroups()
    {
        var jane = TestHosts.Host("web-01").FindAccount("jane");

        Assert.NotNull(jane);
        Assert.Equal(2001, jane.Uid);
        Assert.Equal("/home/jane", jane.Home);
        Assert.True(jane.InGroup("sudo"));
        Assert.Null(TestHosts.Host().FindAccount("nobody-here"));
    }

    [Fact]
    public void FileSystem_SeededHost_HasLogsConfigHomesAndPrivateRoot()
    {
        var host = TestHosts.Host("web-01");
        var fs = host.FileSystem;
        var jane = host.FindAccount("jane")!;

        Assert.True(fs.IsDirectory("/home/jane"));
        Assert.True(fs.IsDirectory("/tmp"));
        Assert.Contains("database:", fs.ReadText("/opt/app/config.yaml"), StringComparison.Ordinal);
        Assert.True(fs.ReadText("/var/log/syslog").Split('\n').Length > 24);
        Assert.Contains("ERROR", fs.ReadText("/var/log/app/app.log"), StringComparison.Ordinal);
        Assert.Equal("drwx------", fs.GetEntry("/root").ModeString);
        Assert.Throws<VfsException>(() => fs.List("/root", jane));
        Assert.True(fs.Exists("/var/log/messages") == false && TestHosts.Host("db-01").FileSystem.Exists("/var/log/messages"));
    }

    [Fact]
    public void Motd_UbuntuAndRockyHosts_GreetLikeTheirDistribution()
    {
        Assert.StartsWith("Welcome to Ubuntu 22.04.5 LTS (GNU/Linux 5.15.0-1075-aws x86_64)\n", TestHosts.Host("web-01").Motd, StringComparison.Ordinal);
        Assert.Equal("", TestHosts.Host("db-01").Motd);
    }

    [Fact]
    public void Seed_TwoWorlds_BuildIdenticalFiles()
    {
        var first = TestHosts.Host("db-02").FileSystem;
        var second = TestHosts.Host("db-02").FileSystem;

        foreach (var path in new[] { "/etc/passwd", "/etc/group", "/var/log/messages", "/var/log/app/app.log", "/proc/meminfo" })
            Assert.Equal(first.ReadText(path), second.ReadText(path));
    }

    [Fact]
    public void Hosts_SameServerTwice_ReturnsOneHostSharingFiles()
    {
        var world = TestHosts.NewWorld();
        var id = Seed.ServerId("api-01");

        var first = world.Hosts.Find(id)!;
        first.FileSystem.WriteText("/tmp/uploaded.txt", "from webftp");

        Assert.Same(first, world.Hosts.Find(id));
        Assert.Null(world.Hosts.Find("not-a-server"));
        Assert.Equal("from webftp", world.Hosts.Find(id)!.FileSystem.ReadText("/tmp/uploaded.txt"));
    }

    [Fact]
    public void OpenSession_UnknownUser_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => TestHosts.Host().OpenSession("mallory"));
}
