using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Mcp.Hosting;

namespace Alpacon.Mcp.Cli;

/// <summary>How an MCP client should start this server, and the configuration snippets that say so.</summary>
public sealed record Launch(string Command, IReadOnlyList<string> Args)
{
    /// <summary>
    /// The command that started this process, in a form a client can run: the installed tool's command,
    /// the NativeAOT binary, or <c>dotnet alpacon-mcp.dll</c> when run from a build. A token file other than the
    /// default one is passed explicitly, because a client does not share this shell's environment or directory.
    /// </summary>
    public static Launch Detect(ServerSettings settings)
    {
        var args = new List<string>();
        if (settings.Discovery.InUse.Origin != "home")
            args.AddRange(["--config-file", settings.Discovery.InUse.Path]);
        var baseDirectory = AppContext.BaseDirectory;
        var store = baseDirectory.IndexOf($"{Path.DirectorySeparatorChar}.store{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
        if (store > 0 && Path.Combine(baseDirectory[..store], "alpacon-mcp") is var shim && File.Exists(shim))
            return new Launch(shim, args); // installed with 'dotnet tool install': the shim survives updates
        var process = Environment.ProcessPath ?? "alpacon-mcp";
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
            return new Launch(process, [Path.Combine(baseDirectory, "alpacon-mcp.dll"), .. args]);
        return new Launch(process, args);
    }
}

public static class ClientConfigs
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Ready-to-paste configuration for Claude Desktop, Claude Code, Cursor and VS Code.</summary>
    public static string Render(Launch launch)
    {
        JsonObject Server(bool vscode)
        {
            var server = new JsonObject();
            if (vscode)
                server["type"] = "stdio";
            server["command"] = launch.Command;
            if (launch.Args.Count > 0)
                server["args"] = new JsonArray([.. launch.Args.Select(a => (JsonNode)a)]);
            return server;
        }
        var mcpServers = Json(new JsonObject { ["mcpServers"] = new JsonObject { ["alpacon"] = Server(false) } });
        var vscode = Json(new JsonObject { ["servers"] = new JsonObject { ["alpacon"] = Server(true) } });
        var shell = string.Join(' ', new[] { launch.Command }.Concat(launch.Args).Select(Quote));
        return $"""
            Claude Desktop (claude_desktop_config.json) and Cursor (~/.cursor/mcp.json):

            {mcpServers}

            Claude Code:

              claude mcp add --scope user alpacon -- {shell}

            VS Code (.vscode/mcp.json, or "MCP: Open User Configuration"):

            {vscode}

            """;
    }

    private static string Json(JsonObject node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Indented))
            node.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>POSIX shell quoting, only where needed.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or ':' or '=' or '@' or '+' or ',')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
