namespace Alpacon.Emulator;

/// <summary>How an emulator instance starts.</summary>
public sealed class EmulatorOptions
{
    /// <summary>Kestrel URLs; port 0 picks a free loopback port.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:0";

    /// <summary>Write warnings to stderr (standalone use). In-process hosts keep the emulator quiet.</summary>
    public bool LogToConsole { get; set; }

    /// <summary>Tokens to accept besides the seeded ones, each bound to a seeded user name and rights.</summary>
    public IList<TokenGrant> ExtraTokens { get; } = [];

    /// <summary>How the simulated agents run commands: delays, approvals, when an undelivered command is stuck.</summary>
    public Commands.CommandSettings Commands { get; } = new();

    /// <summary>
    /// What runs behind Websh terminals; null (the default) is the virtual shell on the simulated hosts. Tests set
    /// a real bash in a pseudo-terminal here; the product never does.
    /// </summary>
    public Func<Websh.WebshShellRequest, Websh.IWebshShell>? WebshShellFactory { get; set; }

    /// <summary>Closes Websh sessions without input or output for this long; null follows the workspace preference websh_session_timeout.</summary>
    public TimeSpan? WebshIdleTimeout { get; set; }

    /// <summary>Send terminal output as text frames (older server code) instead of binary frames (the agent's).</summary>
    public bool WebshTextFrames { get; set; }
}

/// <summary>An API token the emulator accepts: whose it is and what it may do.</summary>
/// <param name="Key">The token value.</param>
/// <param name="Username">The seeded user the token acts for.</param>
/// <param name="ReadOnly">Every POST/PATCH/PUT/DELETE answers 403.</param>
/// <param name="Name">The token's display name.</param>
/// <param name="CommandAcl">
/// Command lines the token may run (glob patterns such as <c>df *</c>); null allows every line. Other lines answer
/// <c>403 {"code":"api_token_acl_not_allowed"}</c>, as a token ACL does.
/// </param>
/// <param name="AgentEndpoints">Lets this user token call the agent-only ack/fin/chunk/reject endpoints (a test switch).</param>
public sealed record TokenGrant(string Key, string Username, bool ReadOnly = false, string Name = "mcp", IReadOnlyList<string>? CommandAcl = null, bool AgentEndpoints = false)
{
    /// <summary>WebFTP file rules (deny-by-default); null leaves the token unbounded by file rules.</summary>
    public IReadOnlyList<Webftp.FileAclRule>? FileAcl { get; init; }
}
