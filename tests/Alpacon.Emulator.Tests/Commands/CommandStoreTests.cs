using Alpacon.Emulator.Commands;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Events;
using Microsoft.Extensions.DependencyInjection;

namespace Alpacon.Emulator.Tests.Commands;

public sealed class CommandStoreTests : IAsyncLifetime
{
    private RunningEmulator emulator = null!;

    private CommandStore Store => emulator.Services.GetRequiredService<CommandStore>();

    public async Task InitializeAsync()
    {
        var options = new EmulatorOptions();
        options.Commands.StuckAfter = TimeSpan.FromMilliseconds(200);
        emulator = await EmulatorHost.StartAsync(options);
    }

    public async Task DisposeAsync() => await emulator.DisposeAsync();

    private Server ServerNamed(string name)
    {
        lock (emulator.World.Gate)
            return emulator.World.FindServer(Seed.ServerId(name))!;
    }

    [Fact]
    public async Task SubmitInternal_RunsTheWorkThroughTheAgentLifecycle()
    {
        var command = Store.SubmitInternal(ServerNamed("web-01"), null, "upload /tmp/report.csv", async ct =>
        {
            await Task.Yield();
            return ("uploaded 3 bytes\n", 0);
        });
        await Store.WhenFinalAsync(command).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("internal", command.Shell);
        Assert.Equal("success", command.Status);
        Assert.Equal("uploaded 3 bytes\n", command.Result);
        Assert.NotNull(command.DeliveredAt);
        Assert.NotNull(command.AckedAt);
        Assert.NotNull(command.HandledAt);
        var agentCalls = emulator.Journal.Entries.Where(e => e.Path.StartsWith($"/api/events/commands/{command.Id}/", StringComparison.Ordinal)).Select(e => e.Path.Split('/')[^2]);
        Assert.Equal(["ack", "chunk", "fin"], agentCalls);
    }

    [Fact]
    public async Task SubmitInternal_FailingWork_EndsFailedWithItsExitCode()
    {
        var command = Store.SubmitInternal(ServerNamed("db-01"), null, "download /nope", _ => Task.FromResult(("No such file\n", 2)));
        await Store.WhenFinalAsync(command).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("failed", command.Status);
        Assert.Equal(2, command.ExitCode);
        Assert.False(command.Success);
    }

    [Fact]
    public async Task Commands_ForADisconnectedServer_AreNeverDelivered_AndTurnStuck()
    {
        var ran = false;
        var command = Store.SubmitInternal(ServerNamed("legacy-01"), null, "upload x", _ =>
        {
            ran = true;
            return Task.FromResult(("", 0));
        });
        await Store.WhenFinalAsync(command).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("stuck", command.Status);
        Assert.Equal("agent_disconnected", command.ErrorPhase);
        Assert.Null(command.DeliveredAt);
        Assert.False(ran);
        Assert.Contains(emulator.Services.GetRequiredService<EventLog>().All(), e => e.Record == "command_stuck" && e.Server.Name == "legacy-01");
    }

    [Fact]
    public async Task SystemCommand_StreamsChunks_AndLeavesTheResultEmptyWhenStreamed()
    {
        var command = Store.Submit(ServerNamed("web-02"), null, "system", "echo one; sleep 0.05; echo two", null, "", "alpacon", new Dictionary<string, string>(), null);
        await Store.WhenFinalAsync(command).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("success", command.Status);
        Assert.Equal(["one\n", "two\n"], command.Chunks);
        Assert.Equal("", command.Result);
        Assert.Equal("one\ntwo\n", command.Output);
    }

    [Fact]
    public async Task SystemCommand_AsAnUnknownAccount_IsRejectedByTheAgent()
    {
        var command = Store.Submit(ServerNamed("web-02"), null, "system", "id", null, "nobody-here", "alpacon", new Dictionary<string, string>(), null);
        await Store.WhenFinalAsync(command).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("rejected", command.Status);
        Assert.Contains("nobody-here", command.Result);
    }

    [Fact]
    public void Cancel_WorksOnlyBeforeDelivery()
    {
        var scheduled = Store.Submit(ServerNamed("web-03"), null, "system", "uptime", null, "", "alpacon", new Dictionary<string, string>(), DateTimeOffset.UtcNow.AddHours(1));

        Assert.Equal("scheduled", scheduled.Status);
        Assert.True(Store.Cancel(scheduled));
        Assert.Equal("cancelled", scheduled.Status);
        Assert.False(Store.Cancel(scheduled));
    }

    [Theory]
    [InlineData("df -h /", true)]
    [InlineData("uptime", true)]
    [InlineData("cat /etc/os-release", true)]
    [InlineData("systemctl status nginx", true)]
    [InlineData("systemctl restart nginx", false)]
    [InlineData("rm -rf /tmp/x", false)]
    [InlineData("cat /etc/passwd; rm -rf /", false)]
    [InlineData("cat $(echo /etc/shadow)", false)]
    [InlineData("ls /var/log | head", false)]
    public void OperatorAcl_AllowsReadOnlyLines(string line, bool allowed) =>
        Assert.Equal(allowed, CommandRules.Allowed(Seed.OperatorCommands, line));

    [Theory]
    [InlineData("mysql -uroot -psecret", true)]
    [InlineData("PGPASSWORD=x psql", true)]
    [InlineData("curl https://u:pw@host/", true)]
    [InlineData("PGPASSWORD=$PW psql", false)]
    [InlineData("ls -la", false)]
    public void InlineCredential_IsRecognised(string line, bool flagged) =>
        Assert.Equal(flagged, CommandRules.HasInlineCredential(line));
}
