using Alpacon.Api.Configuration;
using Alpacon.Mcp.Hosting;

namespace Alpacon.Mcp.Cli;

/// <summary><c>alpacon-mcp list</c> and <c>alpacon-mcp test</c>: the configured workspaces, and whether their tokens work.</summary>
public static class WorkspaceCommands
{
    private const string NothingConfigured = "No workspace is configured. Run 'alpacon-mcp setup' (or 'alpacon-mcp add'), or set ALPACON_MCP_<REGION>_<WORKSPACE>_TOKEN.";

    /// <summary>Region, workspace, where the token comes from, the masked token and the base URL of each workspace.</summary>
    public static int List(ServerSettings settings, TextWriter output, TextWriter error)
    {
        var file = settings.Discovery.InUse;
        output.WriteLine($"Token file: {file.Path} ({(File.Exists(file.Path) ? "in use" : "not created yet")}; found by {file.Origin})");
        IReadOnlyList<WorkspaceTarget> all;
        try
        {
            all = Directory(settings).All();
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"alpacon-mcp: {e.Message}");
            return 1;
        }
        if (all.Count == 0)
        {
            output.WriteLine(NothingConfigured);
            return 0;
        }
        var rows = all.Select(t => new[] { t.Region, t.Workspace, Source(t.Source), t.MaskedToken, t.BaseUrl.AbsoluteUri.TrimEnd('/') + (t.UrlPinned ? " (pinned)" : "") }).ToList();
        output.WriteLine();
        output.Write(Table(["REGION", "WORKSPACE", "SOURCE", "TOKEN", "BASE URL"], rows));
        return 0;
    }

    /// <summary>Checks every workspace with <c>GET /api/status/</c>; exit code 0 only when all of them work.</summary>
    public static async Task<int> TestAsync(ServerSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<WorkspaceTarget> all;
        try
        {
            all = Directory(settings).All();
        }
        catch (ConfigurationException e)
        {
            await error.WriteLineAsync($"alpacon-mcp: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        if (all.Count == 0)
        {
            await error.WriteLineAsync($"alpacon-mcp: {NothingConfigured}").ConfigureAwait(false);
            return 1;
        }
        using var check = new TokenCheck();
        var results = await Task.WhenAll(all.Select(async t => (Target: t, Problem: await check.CheckAsync(t, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        var width = all.Max(t => t.Region.Length + t.Workspace.Length + 1);
        foreach (var (target, problem) in results)
        {
            var name = $"{target.Region}/{target.Workspace}".PadRight(width);
            await output.WriteLineAsync(problem is null
                ? $"{name}  ok      {target.BaseUrl.AbsoluteUri.TrimEnd('/')} ({target.MaskedToken}, {Source(target.Source)})"
                : $"{name}  FAILED  {problem.Message}{(problem.Hint is { } hint ? $"\n{new string(' ', width + 10)}{hint}" : "")}").ConfigureAwait(false);
        }
        var working = results.Count(r => r.Problem is null);
        await output.WriteLineAsync($"\n{working} of {results.Length} workspace(s) work.").ConfigureAwait(false);
        return working == results.Length ? 0 : 1;
    }

    private static WorkspaceDirectory Directory(ServerSettings settings) =>
        new(new FileTokenStore(settings.Discovery.InUse.Path), settings.Environment);

    private static string Source(TokenSource source) => source switch
    {
        TokenSource.Environment => "environment",
        TokenSource.Sandbox => "sandbox",
        _ => "file",
    };

    private static string Table(string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new System.Text.StringBuilder();
        foreach (var row in rows.Prepend(header))
            text.Append(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])))).Append('\n');
        return text.ToString();
    }
}
