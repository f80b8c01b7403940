using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Shell;

namespace Alpacon.Emulator.Commands;

/// <summary>
/// The alpamon agent of every simulated server, as far as commands go: it acks a delivered command, runs it on the
/// server's <see cref="SimulatedHost"/> (the virtual shell; nothing runs on the real machine), streams the output
/// as chunks and reports the outcome, all through the agent endpoints with agent credentials, as the real agent
/// does. So the request journal shows each step of a command next to the client's requests.
/// </summary>
internal sealed class SimulatedAgent(World world, CommandSettings settings) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        DefaultRequestHeaders = { { "User-Agent", "alpamon/2.3.1 (simulated)" } },
    };

    public Uri? BaseUrl { get; set; }

    public async Task RunAsync(CommandRecord command)
    {
        await Task.Delay(settings.AckDelay, world.Time).ConfigureAwait(false);
        await PostAsync(command, "ack", null).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var output = new StringBuilder();
        var seq = 0;
        using var timeout = new CancellationTokenSource(settings.AgentTimeout, world.Time);
        int exit;
        try
        {
            if (command.Work is { } work)
            {
                var (text, code) = await work(timeout.Token).ConfigureAwait(false);
                output.Append(text);
                if (text.Length > 0)
                    await PostAsync(command, "chunk", new JsonObject { ["seq"] = seq++, ["content"] = text }).ConfigureAwait(false);
                exit = code;
            }
            else if (command.Shell == "system")
            {
                ShellSession session;
                try
                {
                    session = world.Hosts.Get(command.Server).OpenSession(command.Username, command.Environment);
                }
                catch (ArgumentException e)
                {
                    await PostAsync(command, "reject", new JsonObject { ["reason"] = e.Message }).ConfigureAwait(false);
                    return;
                }
                exit = await session.RunAsync(command.Line, async (chunk, _) =>
                {
                    output.Append(chunk);
                    await PostAsync(command, "chunk", new JsonObject { ["seq"] = seq++, ["content"] = chunk }).ConfigureAwait(false);
                }, command.Data, timeout.Token).ConfigureAwait(false);
            }
            else
            {
                output.Append($"The simulated agent does not run '{command.Shell}' commands.\n");
                exit = 1;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            output.Append($"\nTerminated: the command ran longer than {settings.AgentTimeout.TotalSeconds:0} s.\n");
            exit = 124;
        }
        catch (Exception e) when (e is not HttpRequestException)
        {
            output.Append($"{e.GetType().Name}: {e.Message}\n");
            exit = 1;
        }
        // A streamed command's result stays empty, as the real agent's may: clients rebuild it from the chunks.
        var result = seq > 1 ? "" : output.ToString();
        await PostAsync(command, "fin", new JsonObject
        {
            ["success"] = exit == 0,
            ["result"] = result,
            ["elapsed_time"] = Stopwatch.GetElapsedTime(started).TotalSeconds,
            ["exit_code"] = exit,
        }).ConfigureAwait(false);
    }

    public void Dispose() => http.Dispose();

    private async Task PostAsync(CommandRecord command, string action, JsonObject? body)
    {
        var baseUrl = BaseUrl ?? throw new InvalidOperationException("The emulator's address is not known yet.");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, $"/api/events/commands/{command.Id}/{action}/"));
        request.Headers.TryAddWithoutValidation("Authorization", $"id=\"{command.Server.Id}\", key=\"{Seed.AgentKey(command.Server.Id)}\"");
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }
}
