using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Api;
using Alpacon.Mcp.Hosting;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Alpacon.Mcp.Cli;

/// <summary>
/// <c>alpacon-mcp call TOOL key=value ...</c>: runs one tool through a real MCP client connected over in-memory
/// pipes to the real server, so it behaves exactly as it does for an AI client (toolsets, --read-only,
/// confirmations, the result envelope), and prints the result. Exit code 0 on success, 1 when the result is an
/// error, 2 when the command line is wrong.
/// </summary>
public static class CallCommand
{
    /// <summary>The protocol version real hosts speak (with the initialize handshake).</summary>
    private const string HostProtocol = "2025-11-25";

    private static readonly JsonWriterOptions Pretty = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error)
    {
        if (line.Positionals.Count == 0)
            throw new UsageException("call needs a tool name: alpacon-mcp call TOOL key=value ... (alpacon-mcp tools lists them).");
        var settings = line.Settings;
        if (!line.Options.ContainsKey("log-level"))
            settings.ConsoleLogLevel = LogLevel.Warning; // the result goes to stdout; keep stderr for problems

        var name = line.Positionals[0];
        var (store, sandbox) = await Program.OpenStoreAsync(settings).ConfigureAwait(false);
        await using (sandbox)
        {
            Pipe toServer = new(), toClient = new();
            using var host = StdioServer.Build(settings, store, toServer.Reader.AsStream(), toClient.Writer.AsStream());
            var tool = host.Services.GetRequiredService<ToolCatalog>().Find(name)
                ?? throw new UsageException($"Unknown tool '{name}'.{ToolsCommand.Suggest(host.Services.GetRequiredService<ToolCatalog>(), name)} Run 'alpacon-mcp tools' to list them.");
            var arguments = ToolArguments.Parse(tool, line.Positionals.Skip(1).ToList());
            foreach (var key in new[] { "region", "workspace" })
            {
                // --region/--workspace work too, as they do for the other commands.
                if (line.Options.GetValueOrDefault(key) is { } value && !arguments.ContainsKey(key) && tool.Parameters.Any(p => p.Name == key))
                    arguments[key] = JsonElement.Parse(JsonValue.Create(value).ToJsonString());
            }

            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            await host.StartAsync(cancel.Token).ConfigureAwait(false);
            try
            {
                var options = new McpClientOptions
                {
                    ClientInfo = new Implementation { Name = "alpacon-mcp-cli", Version = AlpaconApiOptions.Version },
                    ProtocolVersion = HostProtocol,
                };
                // A person at a terminal can answer confirmations; a script cannot, so the client does not offer it.
                if (!Console.IsInputRedirected && !Console.IsErrorRedirected)
                    options.Handlers = new McpClientHandlers { ElicitationHandler = (request, ct) => AskOnTerminal(request, error) };
                await using var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()), options, cancellationToken: cancel.Token).ConfigureAwait(false);
                var result = await client.CallToolAsync(new CallToolRequestParams { Name = name, Arguments = arguments }, cancel.Token).ConfigureAwait(false);
                Print(result, output);
                return result.IsError == true ? 1 : 0;
            }
            catch (McpProtocolException e)
            {
                await error.WriteLineAsync($"alpacon-mcp: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                await error.WriteLineAsync("alpacon-mcp: cancelled.").ConfigureAwait(false);
                return 130;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The result's text blocks, JSON pretty-printed; other content types are named.</summary>
    public static void Print(CallToolResult result, TextWriter output)
    {
        if (result.Content.Count == 0 && result.StructuredContent is { } structured)
            output.WriteLine(Format(structured.GetRawText()));
        foreach (var block in result.Content)
            output.WriteLine(block is TextContentBlock text ? Format(text.Text) : $"[{block.Type} content]");
    }

    private static string Format(string text)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return text;
        }
        if (node is null)
            return text;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Pretty))
            node.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Elicitation answered at the terminal: yes/no questions for checkboxes, a line of text otherwise.</summary>
    private static ValueTask<ElicitResult> AskOnTerminal(ElicitRequestParams? request, TextWriter error)
    {
        error.WriteLine();
        error.WriteLine(request?.Message);
        var content = new Dictionary<string, JsonElement>();
        foreach (var (field, schema) in request?.RequestedSchema?.Properties ?? new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>())
        {
            if (schema is ElicitRequestParams.BooleanSchema boolean)
            {
                error.Write($"{boolean.Title ?? field} [y/N] ");
                var answer = Console.ReadLine();
                if (answer is null)
                    return ValueTask.FromResult(new ElicitResult { Action = "cancel" });
                if (answer.Trim().ToLowerInvariant() is not ("y" or "yes"))
                    return ValueTask.FromResult(new ElicitResult { Action = "decline" });
                content[field] = JsonElement.Parse("true");
            }
            else
            {
                error.Write($"{schema.Title ?? field}: ");
                var answer = Console.ReadLine();
                if (answer is null)
                    return ValueTask.FromResult(new ElicitResult { Action = "cancel" });
                content[field] = JsonElement.Parse(JsonValue.Create(answer).ToJsonString());
            }
        }
        return ValueTask.FromResult(new ElicitResult { Action = "accept", Content = content });
    }
}
