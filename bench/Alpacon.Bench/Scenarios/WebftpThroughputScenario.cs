using System.Diagnostics;
using System.Text.Json.Nodes;
using Alpacon.Bench.Infrastructure;

namespace Alpacon.Bench.Scenarios;

/// <summary>
/// <c>webftp_upload_file</c> and <c>webftp_download_file</c> with <c>local_path</c> (stdio, NativeAOT: the streaming
/// mode) next to a direct PUT and GET of the same bytes on the emulator's presigned object store; MB/s, and the
/// server's peak RSS after each size (the streaming mode must not grow with the file).
/// </summary>
public sealed class WebftpThroughputScenario : IScenario
{
    private const string ServerName = "web-01";
    private const string Account = "root";

    public string Name => "webftp-throughput";

    public string Description => "webftp_upload_file / webftp_download_file (local_path, 1, 16 and 64 MiB) against a direct PUT / GET on the presigned object store";

    public IReadOnlyList<Artifact> Needs { get; } = [Artifact.ServerAot, Artifact.Emulator];

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var emulator = await context.EmulatorAsync(cancellationToken).ConfigureAwait(false);
        using var http = BenchContext.NewHttpClient();
        var api = new DirectApi(http, emulator.BaseUrl);
        var serverId = await api.ServerIdAsync(ServerName, cancellationToken).ConfigureAwait(false);
        var scratch = Directory.CreateTempSubdirectory("alpacon-bench-webftp-").FullName;
        try
        {
            await using var stdio = new StdioPeer(context.Start(Artifact.ServerAot, emulator.BaseUrl));
            await stdio.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var session = ToolAnswer.Data(await stdio.RequestAsync(id => JsonRpc.CallTool(id, "webftp_session_create", $$"""{"server_id":"{{serverId}}","username":"{{Account}}","workspace":"{{JsonRpc.Workspace}}"}"""), cancellationToken).ConfigureAwait(false), "webftp_session_create");
            var sessionId = session["id"]?.ToString() ?? throw new BenchException($"webftp_session_create returned no id: {session.ToJsonString()}");

            var o = context.Options;
            var sizes = new[]
            {
                new Size("1 MiB", 1 << 20, Math.Clamp(o.Calls / 15, 3, 20)),
                new Size("16 MiB", 16 << 20, Math.Clamp(o.Calls / 40, 3, 8)),
                new Size("64 MiB", 64 << 20, Math.Clamp(o.Calls / 100, 1, 3)),
            };
            var peaks = new List<(Size Size, Memory Memory)> { (new Size("none", 0, 0), Memory.Of(stdio.Process.Pid)) };
            var report = new ScenarioReport(Name, "WebFTP transfers against the object store")
            {
                Method = $"Files of random bytes, uploaded to and downloaded from `/tmp` on {ServerName} as {Account} with `local_path` (the streaming mode of the stdio server: the file is read from and written to disk, never held whole). " +
                    "The tool does the whole transfer: the upload creates it (`POST /api/webftp/uploads/`), PUTs the bytes to the presigned URL, triggers the agent and polls its status (250 ms doubling, the CLI's cadence); " +
                    "the download creates it, polls until the agent has put the file into the store, GETs it and writes it atomically to a new local file. " +
                    "The baseline is the benchmark's own PUT of the same bytes to a presigned upload URL and GET of a presigned download URL of the same file (HttpClient, keep-alive), the object-store transfer alone. " +
                    "Transfers and baselines alternate; MB/s is 10^6 bytes per second of the median time. " +
                    "The server's VmHWM (peak RSS, `/proc/<pid>/status`) is read after each size: if the tool held a file whole, the peak would grow by at least the file's size.",
                Table = new MarkdownTable("size", "case", "n", "median", "p95", "MB/s (median)", "ratio to direct") { TextColumns = 2 },
            };
            foreach (var size in sizes)
            {
                await MeasureAsync(size).ConfigureAwait(false);
                peaks.Add((size, Memory.Of(stdio.Process.Pid)));
            }
            var growth = peaks[^1].Memory.PeakMiB - peaks[^2].Memory.PeakMiB;
            var largest = peaks[^1].Size;
            report.Notes.Add($"Server memory, peak RSS (VmHWM) after the first call: {Fmt.MiB(peaks[0].Memory.PeakMiB)}; after each size: {string.Join(", ", peaks.Skip(1).Select(p => $"{p.Size.Label} {Fmt.MiB(p.Memory.PeakMiB)}"))} (RSS at the end {Fmt.MiB(peaks[^1].Memory.RssMiB)}). " +
                $"The {largest.Label} transfers raised the peak by {Fmt.MiB(growth)}: " + (growth < largest.Bytes / 1048576.0 / 2 ? "bounded, well under the file's size (streamed)." : "**not bounded**: as much as half the file's size or more."));
            return report;

            async Task MeasureAsync(Size size)
            {
                var bytes = new byte[size.Bytes];
                new Random(size.Bytes).NextBytes(bytes);
                var local = Path.Combine(scratch, $"up-{size.Bytes}.bin");
                await File.WriteAllBytesAsync(local, bytes, cancellationToken).ConfigureAwait(false);
                var remote = $"/tmp/alpacon-bench-{size.Bytes}.bin";
                var upArgs = $$"""{"session_id":"{{sessionId}}","file_path":"{{remote}}","local_path":"{{Escape(local)}}","workspace":"{{JsonRpc.Workspace}}"}""";

                // The baseline's links: an upload that is never triggered (its object is rewritten each time) and a
                // download of the file the tool uploaded (the object stays in the store).
                await ToolAsync("webftp_upload_file", upArgs).ConfigureAwait(false);
                var upload = await api.PostAsync("/api/webftp/uploads/", new JsonObject { ["name"] = "alpacon-bench-direct.bin", ["path"] = "/tmp/", ["server"] = serverId, ["username"] = Account, ["allow_overwrite"] = true, ["allow_unzip"] = false }, cancellationToken).ConfigureAwait(false);
                var putUrl = new Uri(upload?["upload_url"]?.ToString() ?? throw new BenchException("The upload has no upload_url."));
                var download = await api.PostAsync("/api/webftp/downloads/", new JsonObject { ["path"] = remote, ["name"] = Path.GetFileName(remote), ["server"] = serverId, ["username"] = Account, ["resource_type"] = "file" }, cancellationToken).ConfigureAwait(false);
                var getUrl = new Uri(await DownloadUrlAsync(download!).ConfigureAwait(false));

                var upTool = new List<double>();
                var upDirect = new List<double>();
                var downTool = new List<double>();
                var downDirect = new List<double>();
                for (var round = -1; round < size.Calls; round++)
                {
                    var order = round % 2 == 0 ? new[] { 0, 1, 2, 3 } : [1, 0, 3, 2];
                    foreach (var step in order)
                    {
                        var started = Stopwatch.GetTimestamp();
                        switch (step)
                        {
                            case 0:
                                var up = await ToolAsync("webftp_upload_file", upArgs).ConfigureAwait(false);
                                Add(upTool, started);
                                Check(up, size.Bytes);
                                break;
                            case 1:
                                await PutAsync(putUrl, bytes).ConfigureAwait(false);
                                Add(upDirect, started);
                                break;
                            case 2:
                                var target = Path.Combine(scratch, $"down-{Guid.NewGuid():N}.bin");
                                var down = await ToolAsync("webftp_download_file", $$"""{"session_id":"{{sessionId}}","path":"{{remote}}","local_path":"{{Escape(target)}}","workspace":"{{JsonRpc.Workspace}}"}""").ConfigureAwait(false);
                                Add(downTool, started);
                                Check(down, size.Bytes);
                                File.Delete(target);
                                break;
                            default:
                                var got = await GetAsync(getUrl).ConfigureAwait(false);
                                Add(downDirect, started);
                                if (got != size.Bytes)
                                    throw new BenchException($"The direct GET read {got} bytes, not {size.Bytes}.");
                                break;
                        }
                    }

                    void Add(List<double> times, long started)
                    {
                        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        if (round >= 0)
                            times.Add(ms);
                    }
                }
                Row("upload", "direct PUT to the presigned URL (baseline)", upDirect, upDirect);
                Row("upload", $"`webftp_upload_file` local_path, stdio, {context.Builds.Launch(Artifact.ServerAot).Label}", upTool, upDirect);
                Row("download", "direct GET of the presigned URL (baseline)", downDirect, downDirect);
                Row("download", $"`webftp_download_file` local_path, stdio, {context.Builds.Launch(Artifact.ServerAot).Label}", downTool, downDirect);

                void Row(string what, string label, List<double> times, List<double> baseline)
                {
                    var s = new Stats(times);
                    var b = new Stats(baseline).Median;
                    report.Table.Add($"{size.Label} {what}", label, $"{s.Count}", Fmt.Ms(s.Median), Fmt.Ms(s.P95), Fmt.Num(size.Bytes / 1e6 / (s.Median / 1000), "0.0"), ReferenceEquals(times, baseline) ? "1.00× (baseline)" : Fmt.Ratio(s.Median / b));
                }
            }

            async Task<JsonNode> ToolAsync(string tool, string arguments) =>
                ToolAnswer.Data(await stdio.RequestAsync(id => JsonRpc.CallTool(id, tool, arguments), cancellationToken).ConfigureAwait(false), tool);

            async Task PutAsync(Uri url, byte[] bytes)
            {
                // No Content-Type: the presigned URL signs only host, as on S3.
                using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(bytes) };
                using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    throw new BenchException($"The direct PUT answered {(int)response.StatusCode}.");
            }

            async Task<long> GetAsync(Uri url)
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                    throw new BenchException($"The direct GET answered {(int)response.StatusCode}.");
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var buffer = new byte[1 << 16];
                long total = 0;
                int n;
                while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    total += n;
                return total;
            }

            async Task<string> DownloadUrlAsync(JsonNode created)
            {
                var id = created["id"]?.ToString() ?? throw new BenchException("The download has no id.");
                for (var i = 0; i < 500; i++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, api.Url($"/api/webftp/downloads/{id}/status/"));
                    Emulator.Authorize(request);
                    using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                        if (status?["success"]?.GetValue<bool>() == true)
                            return status["download_url"]?.ToString() is { Length: > 0 } u ? u : created["download_url"]?.ToString() ?? throw new BenchException("The download has no download_url.");
                    }
                    await Task.Delay(20, cancellationToken).ConfigureAwait(false);
                }
                throw new BenchException("The direct download was not ready within 10 s.");
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static void Check(JsonNode data, long bytes)
    {
        var size = data["size_bytes"] ?? data["bytes"] ?? data["size"];
        if (size is not null && size.ToString() != bytes.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new BenchException($"The transfer moved {size} bytes, not {bytes}: {data.ToJsonString()}");
    }

    private static string Escape(string path) => path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private sealed record Size(string Label, int Bytes, int Calls);
}
