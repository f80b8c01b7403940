using Alpacon.Api.Configuration;
using Alpacon.Mcp.Hosting;
using Alpacon.Mcp.Tools;

namespace Alpacon.Mcp.Cli;

/// <summary>
/// <c>alpacon-mcp setup</c>: asks for the region, workspace, optional pinned URL and the token (hidden), checks the
/// token against the API, writes it to the token file (atomically, mode 0600) and prints configuration for the
/// common MCP clients. It reads and writes through <see cref="TextReader"/>/<see cref="TextWriter"/> so it can be
/// driven by tests; <see cref="Program"/> runs it only when stdin is a terminal.
/// </summary>
/// <param name="verify">Checks a token (null when it works); by default <see cref="TokenCheck"/> against the API.</param>
public sealed class SetupWizard(TextReader input, TextWriter output, Func<string?> readSecret, ServerSettings settings, IReadOnlyDictionary<string, string> given,
    Func<WorkspaceTarget, CancellationToken, Task<ToolError?>>? verify = null)
{
    private const int TokenAttempts = 3;

    /// <returns>0 when a token was saved, 1 when the user stopped or the file could not be written.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var file = settings.Discovery.InUse.Path;
        output.WriteLine("alpacon-mcp setup: connect an Alpacon workspace. Press Enter to accept the [default]; Ctrl+D stops.");
        output.WriteLine($"The token will be saved to {file}.");
        output.WriteLine();

        var region = given.GetValueOrDefault("region") ?? Ask("Region (ap1, us1, eu1)", Regions.Default, r => Regions.IsValidRegion(r) ? null : "a region is a short lower-case name such as ap1");
        if (region is null)
            return Stopped();
        region = region.ToLowerInvariant();
        var workspace = given.GetValueOrDefault("workspace") ?? Ask($"Workspace (the name in https://<workspace>.{region}.alpacon.io)", null, w => Regions.IsValidWorkspace(w) ? null : "use the lower-case name from the workspace's URL");
        if (workspace is null)
            return Stopped();
        workspace = workspace.ToLowerInvariant();
        var defaultUrl = Regions.DefaultBaseUrl(region, workspace).AbsoluteUri.TrimEnd('/');
        var url = given.GetValueOrDefault("url") ?? Ask("Base URL (change only for self-hosted Alpacon)", defaultUrl, u =>
        {
            try
            {
                Regions.NormalizeUrl(u);
                return null;
            }
            catch (ConfigurationException e)
            {
                return e.Message;
            }
        });
        if (url is null)
            return Stopped();
        var baseUrl = Regions.NormalizeUrl(url);
        var pinned = baseUrl.AbsoluteUri.TrimEnd('/') == defaultUrl ? null : baseUrl.AbsoluteUri.TrimEnd('/');

        var store = new FileTokenStore(file);
        try
        {
            if (store.Load().FirstOrDefault(e => e.Region == region && e.Workspace == workspace) is { } existing
                && !Confirm($"{region}/{workspace} already has a token ({Secrets.Mask(existing.Token)}). Replace it?", false))
                return Stopped();
        }
        catch (ConfigurationException e)
        {
            output.WriteLine($"Cannot use the token file: {e.Message}");
            return 1;
        }

        string? token = null;
        using (var check = verify is null ? new TokenCheck() : null)
        {
            verify ??= check!.CheckAsync;
            for (var attempt = 1; token is null; attempt++)
            {
                output.Write("API token (input hidden; create one in the Alpacon console under API tokens): ");
                var candidate = readSecret()?.Trim();
                output.WriteLine();
                if (candidate is null)
                    return Stopped();
                if (candidate.Length == 0 || candidate.Any(char.IsWhiteSpace) || candidate.Any(char.IsControl))
                {
                    output.WriteLine("That is not a token: paste it exactly as the console shows it.");
                    continue;
                }
                output.Write($"Checking the token against {baseUrl.AbsoluteUri.TrimEnd('/')} ... ");
                var problem = await verify(new WorkspaceTarget(region, workspace, baseUrl, candidate, TokenSource.File, pinned is not null), cancellationToken).ConfigureAwait(false);
                if (problem is null)
                {
                    output.WriteLine("it works.");
                    token = candidate;
                }
                else if (problem.StatusCode is 401 && attempt < TokenAttempts)
                {
                    output.WriteLine("refused (401): the token is wrong, expired or revoked. Try again.");
                }
                else
                {
                    output.WriteLine($"failed: {problem.Message}");
                    if (problem.Hint is { } hint)
                        output.WriteLine(hint);
                    if (!Confirm("Save the token anyway?", false))
                        return Stopped();
                    token = candidate;
                }
            }
        }

        try
        {
            store.Set(region, workspace, token, pinned);
        }
        catch (ConfigurationException e)
        {
            output.WriteLine($"Could not save the token: {e.Message}");
            return 1;
        }
        output.WriteLine($"Saved {region}/{workspace} ({Secrets.Mask(token)}) to {store.FilePath} (mode 0600).");
        var variable = WorkspaceDirectory.VariableName(region, workspace, "TOKEN");
        if (settings.Environment.ContainsKey(variable))
            output.WriteLine($"Note: {variable} is set in this environment and takes precedence over the file.");
        output.WriteLine();
        output.WriteLine("Add the server to your MCP client:");
        output.WriteLine();
        output.Write(ClientConfigs.Render(Launch.Detect(settings)));
        output.WriteLine("Check every configured workspace at any time with 'alpacon-mcp test'.");
        return 0;
    }

    /// <summary>Reads a line; Enter gives the default; the validator's message asks again. Null at end of input.</summary>
    private string? Ask(string question, string? fallback, Func<string, string?> validate)
    {
        while (true)
        {
            output.Write(fallback is null ? $"{question}: " : $"{question} [{fallback}]: ");
            var answer = input.ReadLine();
            if (answer is null)
                return null;
            answer = answer.Trim();
            if (answer.Length == 0 && fallback is not null)
                return fallback;
            if (answer.Length > 0 && validate(answer) is null)
                return answer;
            output.WriteLine(answer.Length == 0 ? "  An answer is needed." : $"  {validate(answer)}.");
        }
    }

    private bool Confirm(string question, bool fallback)
    {
        output.Write($"{question} {(fallback ? "[Y/n]" : "[y/N]")} ");
        var answer = input.ReadLine()?.Trim().ToLowerInvariant();
        return answer switch
        {
            "y" or "yes" => true,
            "n" or "no" => false,
            _ => fallback,
        };
    }

    private int Stopped()
    {
        output.WriteLine();
        output.WriteLine("Setup stopped; nothing was saved.");
        return 1;
    }

    /// <summary>Reads a line from the terminal without echoing it.</summary>
    public static string? ReadHidden()
    {
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    return text.ToString();
                case ConsoleKey.Backspace:
                    if (text.Length > 0)
                        text.Length--;
                    break;
                default:
                    if (key.Key == ConsoleKey.D && key.Modifiers.HasFlag(ConsoleModifiers.Control) && text.Length == 0)
                        return null;
                    if (!char.IsControl(key.KeyChar))
                        text.Append(key.KeyChar);
                    break;
            }
        }
    }
}
