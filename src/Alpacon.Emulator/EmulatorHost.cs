using Alpacon.Emulator.Auth;
using Alpacon.Emulator.Commands;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Events;
using Alpacon.Emulator.Faults;
using Alpacon.Emulator.Iam;
using Alpacon.Emulator.Metrics;
using Alpacon.Emulator.Servers;
using Alpacon.Emulator.SystemInfo;
using Alpacon.Emulator.Webftp;
using Alpacon.Emulator.Websh;
using Alpacon.Emulator.Workspaces;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Alpacon.Emulator;

/// <summary>Builds and starts the emulator: standalone, in tests, and behind <c>alpacon-mcp --sandbox</c>.</summary>
public static class EmulatorHost
{
    public static async Task<RunningEmulator> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmulatorOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.ClearProviders();
        if (options.LogToConsole)
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);

        var world = new World(options);
        builder.Services.AddSingleton(world);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new IamState(world));
        builder.Services.AddSingleton<WorkspacePreferences>();
        builder.Services.AddWebftp();
        builder.Services.AddSingleton<EventLog>();
        builder.Services.AddSingleton<EventHub>();
        builder.Services.AddSingleton<CommandStore>();
        builder.Services.AddSingleton(sp => new WebshStore(world, sp.GetRequiredService<WorkspacePreferences>(), options));
        var faults = new FaultTable();
        builder.Services.AddSingleton(faults);
        var app = builder.Build();
        app.UseWebSockets();
        app.Use(world.Journal.RecordAsync);
        app.Use(faults.InvokeAsync);
        app.Use(Principals.AuthenticateAsync);
        app.MapFaults();

        var api = app.MapGroup("/api");
        api.MapAuth();
        api.MapServers();
        api.MapIam();
        api.MapWorkspaces();
        api.MapMetrics();
        api.MapSystemInfo();
        api.MapWebftp();
        app.MapObjectStore();
        api.MapEvents();
        api.MapCommands();
        app.MapEventStream();
        app.MapCommandHooks();
        api.MapWebsh();
        app.MapWebshTerminal();
        app.MapFallback(Api.NotFoundPage);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        app.Services.GetRequiredService<CommandStore>().AgentBaseUrl = baseUrl;
        return new RunningEmulator(app, world, faults, baseUrl);
    }
}

/// <summary>A started emulator: its base URL, its state and the journal of requests it received.</summary>
public sealed class RunningEmulator(WebApplication app, World world, FaultTable faults, Uri baseUrl) : IAsyncDisposable
{
    public Uri BaseUrl { get; } = baseUrl;

    public World World { get; } = world;

    /// <summary>Injected faults per route (5xx, 429, latency, resets, malformed bodies, dropped WebSockets).</summary>
    public FaultTable Faults { get; } = faults;

    public RequestJournal Journal => World.Journal;

    /// <summary>The emulator's services, for tests and other areas that reach an area's own state (e.g. the command store, WebFTP's object store, the Websh store's fault injection).</summary>
    public IServiceProvider Services => app.Services;

    public Task WaitForShutdownAsync() => app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
