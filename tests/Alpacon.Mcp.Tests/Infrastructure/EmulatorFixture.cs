using Alpacon.Emulator;
using Alpacon.Emulator.Core;

namespace Alpacon.Mcp.Tests.Infrastructure;

/// <summary>One emulator on 127.0.0.1 for a test collection, with the seeded tokens plus recognisable test tokens.</summary>
public class EmulatorFixture : IAsyncLifetime
{
    /// <summary>A token the tests use so a leak is easy to search for.</summary>
    public const string TestToken = "alpat-TESTSECRET-0123456789abcdef";

    public const string ViewerTestToken = "alpat-TESTVIEWER-0123456789abcdef";

    /// <summary>A user token the emulator lets call the agent-only command endpoints (ack/fin), for those tools' success path.</summary>
    public const string AgentEndpointsTestToken = "alpat-TESTAGENTEP-0123456789abcdef";

    public RunningEmulator Emulator { get; private set; } = null!;

    public Uri BaseUrl => Emulator.BaseUrl;

    public async Task InitializeAsync()
    {
        var options = new EmulatorOptions();
        options.ExtraTokens.Add(new TokenGrant(TestToken, "jane", Name: "tests"));
        options.ExtraTokens.Add(new TokenGrant(ViewerTestToken, "mina", ReadOnly: true, Name: "tests-viewer"));
        options.ExtraTokens.Add(new TokenGrant(AgentEndpointsTestToken, "jane", Name: "tests-agent-endpoints", AgentEndpoints: true));
        // A disconnected server's command turns stuck quickly, so that path is testable.
        options.Commands.StuckAfter = TimeSpan.FromSeconds(5);
        Configure(options);
        Emulator = await EmulatorHost.StartAsync(options);
    }

    /// <summary>Lets a derived fixture change how its emulator starts (e.g. another Websh shell).</summary>
    protected virtual void Configure(EmulatorOptions options)
    {
    }

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorFixture>
{
    public const string Name = "emulator";
}

/// <summary>
/// The reliability suites (faults, bad input, secrets, load, shutdown) get their own emulator: they inject faults
/// into it and fill it with generated notes, which must not disturb the tool tests running alongside.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReliabilityCollection : ICollectionFixture<EmulatorFixture>
{
    public const string Name = "reliability";
}
