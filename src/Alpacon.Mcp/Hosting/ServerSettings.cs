using Alpacon.Api;
using Alpacon.Api.Configuration;

namespace Alpacon.Mcp.Hosting;

/// <summary>Everything the command line and environment decide about one server run.</summary>
public sealed class ServerSettings
{
    public string Transport { get; set; } = "stdio";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8237;

    public bool Stateless { get; set; }

    public bool Sandbox { get; set; }

    /// <summary>True when the sandbox was chosen because no token is configured.</summary>
    public bool SandboxByDefault { get; set; }

    public string? ConfigFile { get; set; }

    public bool PreferLocal { get; set; }

    public string? Toolsets { get; set; }

    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>The least a line needs to reach stderr; <c>call</c> raises it so stderr keeps problems only, while a --log-file still gets every call.</summary>
    public LogLevel ConsoleLogLevel { get; set; } = LogLevel.Trace;

    /// <summary><c>--log-file</c>: a file that receives the log too (created with mode 0600, appended to).</summary>
    public string? LogFile { get; set; }

    /// <summary><c>--read-only</c>: only tools whose read-only hint is true are listed and may be called.</summary>
    public bool ReadOnly { get; set; }

    /// <summary><c>--confirm-destructive</c>: when destructive tools ask the user first.</summary>
    public ConfirmPolicy ConfirmDestructive { get; set; } = ConfirmPolicy.Auto;

    /// <summary>Bearer token incoming HTTP requests must carry; required when binding beyond loopback.</summary>
    public string? HttpAuthToken { get; set; }

    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// Largest request body accepted over HTTP. Generous by default because WebFTP uploads travel base64-encoded
    /// inside a tools/call; anything larger answers 413 before it is read into memory.
    /// </summary>
    public long MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    public const long DefaultMaxRequestBytes = 16 * 1024 * 1024;

    /// <summary>Sustained HTTP requests per second allowed per MCP session (per client address before a session exists); 0 turns the limit off.</summary>
    public int RateLimit { get; set; } = DefaultRateLimit;

    public const int DefaultRateLimit = 100;

    /// <summary>How long a stopping server (SIGTERM, Ctrl+C) lets in-flight calls finish before it closes what is left.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IList<string> AllowedOrigins { get; } = [];

    public IReadOnlyDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>();

    public AlpaconApiOptions Api { get; set; } = new();

    private ConfigDiscovery? _discovery;

    /// <summary>Where the token file is looked for, and which one is used.</summary>
    public ConfigDiscovery Discovery => _discovery ??= new ConfigDiscovery(ConfigFile, Environment, preferLocal: PreferLocal);

    public static IReadOnlyDictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
            result[(string)e.Key] = e.Value as string ?? "";
        return result;
    }
}

/// <summary>When a destructive tool asks its user to confirm (through MCP elicitation).</summary>
public enum ConfirmPolicy
{
    /// <summary>Ask when the client supports elicitation; otherwise go ahead.</summary>
    Auto,

    /// <summary>Always ask; refuse the action when the client cannot ask its user.</summary>
    Always,

    /// <summary>Never ask.</summary>
    Never,
}
