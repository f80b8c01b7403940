using System.Globalization;

namespace Alpacon.Emulator.Tests.Shell;

/// <summary>Machine-describing commands: their figures agree with the server record and with each other.</summary>
public class SystemCommandTests
{
    [Fact]
    public async Task RunAsync_Uname_ReportsHostKernelAndArchitecture()
    {
        var result = await TestHosts.Run("uname -a; uname -s; uname -n; uname -r", host: "db-01");

        Assert.Equal(
            "Linux db-01 5.14.0-427.42.1.el9_4.x86_64 #1 SMP PREEMPT_DYNAMIC Fri Nov 1 14:58:04 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux\nLinux\ndb-01\n5.14.0-427.42.1.el9_4.x86_64\n",
            result.Output);
    }

    [Fact]
    public async Task RunAsync_Uptime_CountsFromServerBootTimeOnWorldClock()
    {
        var host = TestHosts.Host("web-01");
        var up = TestHosts.Now - host.Server.BootTime;

        var result = await host.RunAsync("uptime; uptime -s");

        Assert.StartsWith($" 12:00:00 up {up.Days} days, {up.Hours,2}:{up.Minutes:00},  0 users,  load average: ", result.Output, StringComparison.Ordinal);
        Assert.EndsWith(host.Server.BootTime.ToString("yyyy-MM-dd HH:mm:ss\n", CultureInfo.InvariantCulture), result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Free_TotalMatchesPhysicalMemoryAndProcMeminfo()
    {
        var host = TestHosts.Host("db-01");

        var free = (await host.RunAsync("free | awk '/^Mem:/ {print $2}'")).Output.Trim();
        var meminfo = (await host.RunAsync("awk '/MemTotal/ {print $2}' /proc/meminfo")).Output.Trim();

        Assert.Equal(meminfo, free);
        Assert.Equal(host.Server.PhysicalMemory / 1024 * 97 / 100, long.Parse(free, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task RunAsync_DfOnDiskNearlyFullHost_ShowsHighUsage()
    {
        var full = await TestHosts.Run("df -h / | awk 'NR==2 {print $5}'", host: "db-01");
        var normal = await TestHosts.Run("df -h / | tail -n 1", host: "web-01");

        Assert.Equal("94%\n", full.Output);
        Assert.StartsWith("/dev/root ", normal.Output, StringComparison.Ordinal);
        Assert.EndsWith("% /\n", normal.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NprocAndCpuinfo_MatchLogicalCores()
    {
        var host = TestHosts.Host("build-01");

        var result = await host.RunAsync("nproc; grep -c ^processor /proc/cpuinfo");

        Assert.Equal($"{host.Server.LogicalCores}\n{host.Server.LogicalCores}\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_PsAux_ListsRoleServicesAndItself()
    {
        var result = await TestHosts.Run("ps aux", host: "db-01");
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("postgres ", StringComparison.Ordinal) && l.EndsWith("/usr/bin/postgres -D /var/lib/pgsql/data", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith(" ps aux", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("nginx", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_SystemctlStatus_ExitCodesFollowSystemctl()
    {
        var result = await TestHosts.Run("systemctl status nginx > /dev/null; echo $?; systemctl status postgresql; echo $?; systemctl is-active app; echo $?", host: "staging-01");

        Assert.Equal("0\nUnit postgresql.service could not be found.\n4\nfailed\n3\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_SystemctlStopAsUserThenRoot_ChangesStateAndJournal()
    {
        var host = TestHosts.Host("web-01");

        var denied = await host.RunAsync("systemctl stop nginx", username: "jane");
        var stopped = await host.RunAsync("sudo systemctl stop nginx; systemctl is-active nginx; curl -s localhost; echo $?; sudo journalctl -u nginx -n 1", username: "jane");

        Assert.Equal(1, denied.ExitCode);
        Assert.StartsWith("Failed to stop nginx.service: Interactive authentication required.", denied.Output, StringComparison.Ordinal);
        Assert.Equal("inactive\n7\nMay  1 12:00:00 web-01 systemd[1]: Stopped nginx.service - A high performance web server and a reverse proxy server.\n", stopped.Output);
    }

    [Fact]
    public async Task RunAsync_SsAsRoot_ListsServiceSocketsWithProcesses()
    {
        var result = await TestHosts.Run("ss -tlnp | grep -c LISTEN; ss -tlnp | grep ':5432 '", host: "db-01", user: "root");

        Assert.StartsWith("4\nLISTEN 0      4096         0.0.0.0:5432 0.0.0.0:*        users:((\"postgres\",pid=", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("logger", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Curl_ReachesOnlyLocalServices()
    {
        var result = await TestHosts.Run("curl -s localhost | grep -c '<title>web-01</title>'; curl localhost:8080/healthz; curl https://example.com; echo $?");

        Assert.Equal("1\nok\ncurl: (6) Could not resolve host: example.com\n6\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_Timeout_StopsSlowCommandWith124()
    {
        var result = await TestHosts.Run("timeout 0.05 sleep 30; echo $?; timeout 5 echo fast");

        Assert.Equal("124\nfast\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_Xargs_RunsCommandWithInputWords()
    {
        var result = await TestHosts.Run("echo a b c | xargs -n 1 echo item; ls /etc/host* | xargs -I{} echo file {}");

        Assert.Equal("item a\nitem b\nitem c\nfile /etc/hostname\nfile /etc/hosts\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_IdAndGroups_ReflectPasswdAndGroup()
    {
        var result = await TestHosts.Run("id; groups; id -un", host: "db-01", user: "sam");

        Assert.Equal("uid=2005(sam) gid=2005(sam) groups=2005(sam),10(wheel)\nsam wheel\nsam\n", result.Output);
    }

    [Fact]
    public async Task RunAsync_NonMemberSudo_IsRefused()
    {
        var host = TestHosts.Host();
        await host.RunAsync("sed -i 's/,mina//' /etc/group");

        var result = await host.RunAsync("sudo id", username: "mina");

        Assert.Equal("mina is not in the sudoers file.  This incident will be reported.\n", result.Output);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task RunAsync_SleepOnHostClock_CompletesWithoutWallClockAssertions()
    {
        var result = await TestHosts.Run("sleep 0.01; echo done");

        Assert.Equal("done\n", result.Output);
    }
}
