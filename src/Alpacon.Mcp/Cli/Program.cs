using Alpacon.Api;
using Alpacon.Api.Configuration;
using Alpacon.Mcp.Hosting;

namespace Alpacon.Mcp.Cli;

/// <summary>The <c>alpacon-mcp</c> command.</summary>
public static class Program
{
    public const string Usage = """
        alpacon-mcp: an MCP server for Alpacon.

        Usage:
          alpacon-mcp [options]              serve MCP over stdio (what MCP clients launch)
          alpacon-mcp --sandbox              serve the built-in Alpacon emulator: try every tool without an account
          alpacon-mcp --transport http       serve streamable HTTP on http://127.0.0.1:8237/mcp (GET /health)
          alpacon-mcp setup                  connect a workspace interactively (region, workspace, hidden token),
                                             check the token, and print client configurations
          alpacon-mcp add --workspace W [--region ap1] [--url URL] [--token T]
                                             store a token without prompting (read from stdin when --token is not given)
          alpacon-mcp list                   configured workspaces: region, source, masked token, base URL
          alpacon-mcp test                   check every configured workspace's token (exit 1 if any fails)
          alpacon-mcp tools [NAME] [--markdown]
                                             the tools, with toolset, hints and parameters (NAME: one in full)
          alpacon-mcp call TOOL [key=value ... | '{"key": "value"}']
                                             call a tool and print its result (exit 1 when it is an error);
                                             e.g. alpacon-mcp --sandbox call servers_list

        Options:
          --sandbox                    use the in-process emulator (the default when no token is configured)
          --toolsets a,b               expose only these toolsets (or ALPACON_MCP_TOOLSETS): auth, servers, metrics,
                                       system-info, events, commands, websh, webftp, iam, workspace
          --read-only                  expose and allow only read-only tools (or ALPACON_MCP_READ_ONLY=1)
          --confirm-destructive MODE   auto (ask when the client can; default), always (refuse when it cannot),
                                       never (or ALPACON_MCP_CONFIRM_DESTRUCTIVE)
          --transport stdio|http|sse   transport (default stdio; sse serves /sse and /message)
          --host HOST --port PORT      HTTP bind address (default 127.0.0.1:8237)
          --stateless                  stateless streamable HTTP (for replicas behind a load balancer)
          --auth-token TOKEN           bearer token HTTP clients must send (required beyond loopback;
                                       or ALPACON_MCP_HTTP_AUTH_KEY)
          --allowed-hosts a,b          extra Host names accepted over HTTP
          --allowed-origins a,b        extra browser Origins accepted over HTTP
          --max-request-bytes N        largest HTTP request body (default 16 MiB; larger answers 413)
          --rate-limit N               HTTP requests per second per session (default 100; 0 = off;
                                       over it answers 429 with Retry-After)
          --shutdown-timeout S         seconds in-flight calls get to finish on SIGTERM (default 10)
          --config-file FILE           token file (alias --token-file; or ALPACON_MCP_CONFIG_FILE)
          --local                      use ./config/token.json
          --request-timeout SECONDS    time allowed for one API request attempt (default 30;
                                       or ALPACON_MCP_REQUEST_TIMEOUT); reads are retried twice
          --log-level LEVEL            trace, debug, info (default), warning, error, none
          --log-file FILE              also log to FILE (created with mode 0600; one line per tool call)
          --version, --help

        Tokens: ~/.alpacon-mcp/token.json as {"ap1": {"my-workspace": "alpat-..."}}, or
        ALPACON_MCP_<REGION>_<WORKSPACE>_TOKEN (and _URL to pin a base URL).
        """;

    public static async Task<int> Main(string[] args)
    {
        CommandLine line;
        try
        {
            line = CommandLine.Parse(args, ServerSettings.ProcessEnvironment());
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"alpacon-mcp: {e.Message}");
            return 2;
        }
        if (line.Help)
        {
            Console.Out.Write(Usage);
            return 0;
        }
        if (line.Version)
        {
            Console.Out.WriteLine(AlpaconApiOptions.Version);
            return 0;
        }
        if (line.Settings.LogFile is { } logFile)
        {
            try
            {
                // Fail now, with the reason, rather than when the host starts; this also creates it with mode 0600.
                FileLoggerProvider.Open(logFile).Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fail($"--log-file {logFile}: {e.Message}");
            }
        }
        try
        {
            return line.Command switch
            {
                null or "serve" => await ServeAsync(line.Settings),
                "add" => await AddAsync(line),
                "setup" => await SetupAsync(line),
                "list" => WorkspaceCommands.List(line.Settings, Console.Out, Console.Error),
                "test" => await WorkspaceCommands.TestAsync(line.Settings, Console.Out, Console.Error),
                "tools" => ToolsCommand.Run(line, Console.Out),
                "call" => await CallCommand.RunAsync(line, Console.Out, Console.Error),
                var other => Fail($"Unknown command '{other}'. Run 'alpacon-mcp --help'."),
            };
        }
        catch (UsageException e)
        {
            return Fail(e.Message);
        }
    }

    /// <summary>The interactive wizard: only at a terminal, never on a protocol channel or in a script.</summary>
    private static async Task<int> SetupAsync(CommandLine line)
    {
        if (Console.IsInputRedirected)
            return Fail("setup is interactive and stdin is not a terminal. In a script, use 'alpacon-mcp add --workspace NAME [--region ap1] [--url URL] < token.txt'.");
        var wizard = new SetupWizard(Console.In, Console.Out, SetupWizard.ReadHidden, line.Settings, line.Options);
        return await wizard.RunAsync();
    }

    /// <summary>Stores a token without prompting: for scripts (the token comes from stdin unless --token is given).</summary>
    private static async Task<int> AddAsync(CommandLine line)
    {
        var region = line.Options.GetValueOrDefault("region", Regions.Default).ToLowerInvariant();
        var workspace = line.Options.GetValueOrDefault("workspace")?.ToLowerInvariant();
        if (!Regions.IsValidRegion(region) || !Regions.IsValidWorkspace(workspace))
            return Fail("add needs --workspace NAME (a lower-case slug) and an optional --region (ap1, us1, eu1, ...).");
        var token = line.Options.GetValueOrDefault("token") ?? (await Console.In.ReadLineAsync())?.Trim();
        if (string.IsNullOrEmpty(token) || token.Any(char.IsWhiteSpace))
            return Fail("add needs a token: pass --token or write it on stdin.");
        string? url = null;
        try
        {
            if (line.Options.GetValueOrDefault("url") is { } given)
                url = Regions.NormalizeUrl(given).AbsoluteUri.TrimEnd('/');
            var store = new FileTokenStore(line.Settings.Discovery.InUse.Path);
            store.Set(region, workspace!, token, url);
            await Console.Out.WriteLineAsync($"Saved {region}/{workspace} ({Secrets.Mask(token)}) to {store.FilePath}");
            return 0;
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"alpacon-mcp: {e.Message}");
            return 1;
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"alpacon-mcp: {message}");
        return 2;
    }

    public static async Task<int> ServeAsync(ServerSettings settings)
    {
        var stdio = settings.Transport == "stdio";
        if (!stdio && !HttpServer.IsLoopback(settings.Host) && string.IsNullOrEmpty(settings.HttpAuthToken))
            return Fail($"Binding to {settings.Host} exposes the server beyond this machine: set --auth-token (or {HttpServer.AuthTokenVariable}) so that only clients with the token get in.");

        var sandbox = await OpenStoreAsync(settings);
        await using (sandbox.Sandbox)
        {
            if (stdio && !Console.IsInputRedirected)
                await Console.Error.WriteLineAsync(TerminalNotice(settings));
            if (stdio)
            {
                using var host = StdioServer.Build(settings, sandbox.Store);
                await host.RunAsync();
            }
            else
            {
                await using var app = HttpServer.Build(settings, sandbox.Store);
                await app.StartAsync();
                var path = settings.Transport == "sse" ? "/sse" : "/mcp";
                await Console.Error.WriteLineAsync($"alpacon-mcp {AlpaconApiOptions.Version}: serving {settings.Transport.ToUpperInvariant()} on {string.Join(", ", app.Urls.Select(u => u.TrimEnd('/') + path))}{(settings.Sandbox ? " (sandbox)" : "")}");
                await app.WaitForShutdownAsync();
            }
        }
        return 0;
    }

    /// <summary>The token store to serve from: the user's token file, or the sandbox when asked for or when nothing is configured.</summary>
    public static async Task<(ITokenStore Store, Sandbox? Sandbox)> OpenStoreAsync(ServerSettings settings)
    {
        ITokenStore? tokenFile = null;
        if (!settings.Sandbox)
        {
            var store = new FileTokenStore(settings.Discovery.InUse.Path);
            try
            {
                if (new WorkspaceDirectory(store, settings.Environment).All().Count > 0)
                    return (store, null);
            }
            catch (ConfigurationException e)
            {
                // Serve anyway: every tool answers with this error, and auth_set_token cannot overwrite the file.
                await Console.Error.WriteLineAsync($"alpacon-mcp: {e.Message}");
                return (store, null);
            }
            // Nothing configured: serve the sandbox, but keep a token the assistant stores (auth_set_token) in the file.
            tokenFile = store;
            settings.Sandbox = settings.SandboxByDefault = true;
            await Console.Error.WriteLineAsync("alpacon-mcp: no Alpacon token is configured, so this is the SANDBOX (a simulated workspace). Run 'alpacon-mcp setup' or set ALPACON_MCP_<REGION>_<WORKSPACE>_TOKEN to connect a real workspace.");
        }
        var sandbox = await Sandbox.StartAsync(tokenFile);
        return (sandbox.Store, sandbox);
    }

    private static string TerminalNotice(ServerSettings settings) =>
        $"""
        alpacon-mcp {AlpaconApiOptions.Version} is an MCP server: it speaks JSON-RPC on stdin/stdout and is meant to be launched by an MCP client
        (Claude Desktop/Code, Cursor, VS Code). {(settings.Sandbox ? "It is serving the sandbox now." : "")}
          alpacon-mcp --sandbox          try every tool on the built-in emulator
          alpacon-mcp setup              configure a token for your workspace
          alpacon-mcp --help             all options
        Waiting for a client on stdin (Ctrl+C to quit).
        """;
}
