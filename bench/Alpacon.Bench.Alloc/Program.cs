using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Alpacon.Api.Configuration;
using Alpacon.Mcp.Hosting;

// The server hosted in this process on in-memory pipes, the emulator in its own process: the bytes allocated and the
// CPU time per tools/call are the server's (the client side writes a preformatted request and skips the answer's bytes
// without decoding them). The baseline is the direct GET the tool sends, measured the same way in the same process.
// Usage: Alpacon.Bench.Alloc --api URL --tool NAME --arguments JSON --direct PATH_AND_QUERY [--calls N]
// Prints one JSON line: {"calls":N,"direct_bytes":..,"direct_cpu_ms":..,"tool_bytes":..,"tool_cpu_ms":..,"tool_gen0_per_1000":..,"response_bytes":..}
const string Token = "alpat-sandbox-admin-7Qm2x9Lk4Rt8Vb3N";
const int Warmups = 200;
var api = Required("--api");
var tool = Required("--tool");
var arguments = Required("--arguments");
var direct = new Uri(new Uri(api), Required("--direct"));
var calls = int.Parse(Option("--calls") ?? "1000", CultureInfo.InvariantCulture);

var settings = new ServerSettings
{
    Environment = new Dictionary<string, string> { ["ALPACON_MCP_AP1_BENCH_TOKEN"] = Token, ["ALPACON_MCP_AP1_BENCH_URL"] = api },
};
var toServer = new Pipe();
var fromServer = new Pipe();
using var host = StdioServer.Build(settings, new MemoryTokenStore(), toServer.Reader.AsStream(), fromServer.Writer.AsStream());
await host.StartAsync();

await SendAsync("""{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"alloc","version":"1"}}}""");
await SkipLineAsync();
await SendAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
var request = Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"{{tool}}","arguments":{{arguments}}""" + "}}\n");
var responseBytes = 0L;

// One checked call first: an error result would measure the error path.
await toServer.Writer.WriteAsync(request);
var first = await ReadLineAsync();
if (!first.Contains("\"result\"", StringComparison.Ordinal) || first.Contains("\"isError\":true", StringComparison.Ordinal))
{
    await Console.Error.WriteLineAsync($"{tool} did not succeed: {first[..Math.Min(first.Length, 500)]}");
    return 1;
}

using var http = new HttpClient();
var baseline = await MeasureAsync(async () =>
{
    using var message = new HttpRequestMessage(HttpMethod.Get, direct);
    message.Headers.TryAddWithoutValidation("Authorization", $"token=\"{Token}\"");
    message.Headers.Accept.ParseAdd("application/json");
    using var response = await http.SendAsync(message);
    response.EnsureSuccessStatusCode();
});
var measured = await MeasureAsync(async () =>
{
    await toServer.Writer.WriteAsync(request);
    responseBytes = await SkipLineAsync();
});
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $$"""{"calls":{{calls}},"direct_bytes":{{baseline.Bytes:0}},"direct_cpu_ms":{{baseline.CpuMs:0.000}},"tool_bytes":{{measured.Bytes:0}},"tool_cpu_ms":{{measured.CpuMs:0.000}},"tool_gen0_per_1000":{{measured.Gen0PerThousand:0.0}},"response_bytes":{{responseBytes}}}"""));
await host.StopAsync();
return 0;

async Task<(double Bytes, double CpuMs, double Gen0PerThousand)> MeasureAsync(Func<Task> call)
{
    for (var i = 0; i < Warmups; i++)
        await call();
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var gen0 = GC.CollectionCount(0);
    var bytes = GC.GetTotalAllocatedBytes(precise: true);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    for (var i = 0; i < calls; i++)
        await call();
    var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / calls;
    return ((GC.GetTotalAllocatedBytes(precise: true) - bytes) / (double)calls, cpuMs, (GC.CollectionCount(0) - gen0) * 1000.0 / calls);
}

Task SendAsync(string line) => toServer.Writer.WriteAsync(Encoding.UTF8.GetBytes(line + "\n")).AsTask();

// Reads the next line, decoded (for the one checked call).
async Task<string> ReadLineAsync()
{
    var reader = fromServer.Reader;
    while (true)
    {
        var result = await reader.ReadAsync();
        if (result.Buffer.PositionOf((byte)'\n') is { } at)
        {
            var text = Encoding.UTF8.GetString(result.Buffer.Slice(0, at).ToArray());
            reader.AdvanceTo(result.Buffer.GetPosition(1, at));
            return text;
        }
        if (result.IsCompleted)
            throw new InvalidOperationException("The server closed its output.");
        reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
    }
}

// Reads up to the next newline without decoding it: the client's own cost stays out of the figures.
async Task<long> SkipLineAsync()
{
    var reader = fromServer.Reader;
    long length = 0;
    while (true)
    {
        var result = await reader.ReadAsync();
        var buffer = result.Buffer;
        if (buffer.PositionOf((byte)'\n') is { } at)
        {
            length += buffer.Slice(0, at).Length;
            reader.AdvanceTo(buffer.GetPosition(1, at));
            return length;
        }
        length += buffer.Length;
        reader.AdvanceTo(buffer.End);
        if (result.IsCompleted)
            throw new InvalidOperationException("The server closed its output.");
    }
}

string Required(string name) => Option(name) ?? throw new ArgumentException($"{name} is required.");

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
