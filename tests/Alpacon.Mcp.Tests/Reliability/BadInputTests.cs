using System.Collections.Concurrent;
using System.Diagnostics;
using Alpacon.Mcp.Tests.Infrastructure;
using Alpacon.Mcp.Tools;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using Xunit.Abstractions;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Reliability;

/// <summary>
/// Every tool that tools/list returns, called with generated bad arguments (wrong types, missing ones, megabytes,
/// control and bidi characters, traversal, injection strings, invalid UUIDs, regions and dates): each call answers
/// with a clear error naming the argument, or succeeds only where the value may be legitimate free text; and the
/// server keeps serving. Over in-process pipes, so the whole suite stays in seconds.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class BadInputTests(EmulatorFixture emulator, ITestOutputHelper output)
{
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EveryTool_RefusesBadArgumentsClearly_AndTheServerKeepsServing()
    {
        await using var c = await ConnectAsync(emulator);
        using var setup = await ToolSetup.CreateAsync(c.Client, emulator);
        var tools = await ToolCases.ToolsAsync(c.Client);
        var failures = new ConcurrentQueue<string>();
        var durations = new ConcurrentQueue<(TimeSpan Took, ToolCase Case)>();
        int calls = 0, refused = 0, accepted = 0;
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(tools, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (tool, _) =>
        {
            foreach (var @case in ToolCases.Bad(tool, await ToolCases.ValidAsync(tool, setup), setup.LocalRoot))
            {
                Interlocked.Increment(ref calls);
                var started = Stopwatch.GetTimestamp();
                var problem = await CheckAsync(c.Client, @case);
                durations.Enqueue((Stopwatch.GetElapsedTime(started), @case));
                if (problem is not null)
                    failures.Enqueue($"{@case}: {problem}");
                else if (@case.MustFail)
                    Interlocked.Increment(ref refused);
                else
                    Interlocked.Increment(ref accepted);
            }
            var after = await c.Client.CallToolAsync("servers_list", new Dictionary<string, object?> { ["workspace"] = Workspace }, cancellationToken: CancellationToken.None);
            if (after.IsError == true)
                failures.Enqueue($"{tool.Name}: servers_list failed after its bad calls: {ToolCases.Text(after)}");
        });

        output.WriteLine($"{tools.Count} tools, {calls} bad calls in {clock.Elapsed.TotalSeconds:0.0} s: {refused} refused as they must be, {accepted} free-text values accepted or refused, {failures.Count} failures");
        foreach (var (took, slow) in durations.OrderByDescending(d => d.Took).Take(5))
            output.WriteLine($"  slowest: {slow} {took.TotalMilliseconds:0} ms");
        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        Assert.True(calls > tools.Count * 5, $"only {calls} cases were generated");
        Success(await c.CallAsync("servers_list", new() { ["workspace"] = Workspace }));
    }

    [Fact]
    public async Task AuthSetToken_UnknownRegionWithoutUrl_IsRefused_WithUrlAccepted()
    {
        await using var c = await ConnectAsync(emulator);
        var refused = Error(await c.CallAsync("auth_set_token", new() { ["region"] = "zz9", ["workspace"] = "lab", ["token"] = "alpat-lab-0123456789abcdef", ["verify"] = false }));
        Assert.Contains("'zz9' is not an Alpacon region", (string?)refused["message"]);
        Assert.Contains("url", (string?)refused["hint"]);
        Success(await c.CallAsync("auth_set_token", new() { ["region"] = "zz9", ["workspace"] = "lab", ["token"] = "alpat-lab-0123456789abcdef", ["url"] = "https://alpacon.example.com", ["verify"] = false }));
    }

    /// <summary>Null when the answer is acceptable for the case; otherwise what is wrong with it.</summary>
    internal static async Task<string?> CheckAsync(McpClient client, ToolCase @case)
    {
        using var bound = new CancellationTokenSource(CallBound);
        ModelContextProtocol.Protocol.CallToolResult result;
        try
        {
            result = await client.CallToolAsync(@case.Tool, @case.Arguments, cancellationToken: bound.Token);
        }
        catch (OperationCanceledException)
        {
            return $"no answer within {CallBound.TotalSeconds} s";
        }
        catch (McpException e)
        {
            return $"a protocol error instead of an error result: {e.Message}";
        }

        var text = ToolCases.Text(result);
        if (@case.Large && text.Length > 64 * 1024)
            return $"the answer echoes the oversized value ({text.Length} characters)";
        if (result.IsError != true)
            return @case.MustFail ? $"accepted: {Shorten(text)}" : null;

        var message = ToolCases.ErrorMessage(result);
        if (string.IsNullOrWhiteSpace(message))
            return $"an error without the error envelope's message: {Shorten(text)}";
        if (message.StartsWith(ArgumentValidation.SdkGenericError, StringComparison.Ordinal))
            return $"the SDK's generic error, which names nothing: {message}";
        if (message.Any(ch => ch is (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') || (char.IsControl(ch) && ch is not '\n')))
            return $"the message carries raw control or bidi characters: {Shorten(message)}";
        if (@case.MustFail && @case.Parameter is { } parameter && !text.Contains(parameter, StringComparison.Ordinal))
            return $"the error does not name '{parameter}': {Shorten(text)}";
        return null;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
