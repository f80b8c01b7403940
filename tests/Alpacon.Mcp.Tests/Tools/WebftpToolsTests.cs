using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Faults;
using Alpacon.Emulator.Webftp;
using Alpacon.Mcp.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Tools;

[Collection(EmulatorCollection.Name)]
public sealed class WebftpToolsTests(EmulatorFixture emulator)
{
    private static readonly string Web01 = Seed.ServerId("web-01");
    private static readonly string Api01 = Seed.ServerId("api-01");

    private RunningEmulatorView Emu => new(emulator);

    private async Task<string> SessionAsync(Connection c, string serverId, string username)
    {
        var body = Success(await c.CallAsync("webftp_session_create", new() { ["server_id"] = serverId, ["username"] = username }));
        return (string)body["data"]!["id"]!;
    }

    /// <summary>
    /// Calls <paramref name="tool"/> with the agent held back, and lets the agent go once a status poll has found the
    /// transfer still in progress (422), so the call surely waited through at least one such poll.
    /// </summary>
    private async Task<ModelContextProtocol.Protocol.CallToolResult> WithTheAgentSlowAsync(Connection c, string tool, Dictionary<string, object?> args, TimeSpan since)
    {
        Task<ModelContextProtocol.Protocol.CallToolResult> call;
        using (Emu.Agent.Hold())
        {
            call = c.CallAsync(tool, args);
            for (var i = 0; i < 500 && !Emu.Journal.Entries.Any(e => e.At >= since && e.Path.EndsWith("/status/", StringComparison.Ordinal) && e.Status == 422); i++)
                await Task.Delay(20);
        }
        return await call;
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    // ---- sessions ----

    [Fact]
    public async Task SessionCreate_PostsServerAndUsername_AndTheListFiltersByServer()
    {
        await using var c = await ConnectAsync(emulator);
        var before = Emu.Journal.Elapsed;
        var created = Success(await c.CallAsync("webftp_session_create", new() { ["server_id"] = Web01, ["username"] = "jane" }));

        var session = created["data"]!;
        Assert.Equal(Web01, (string?)session["server_id"]);
        Assert.Equal("web-01", (string?)session["server_name"]);
        Assert.Equal("jane", (string?)session["username"]);
        Assert.Equal(Web01, (string?)created["server_id"]);
        var post = Assert.Single(Emu.Journal.Matching("POST", "/api/webftp/sessions/"), e => e.At >= before);
        var sent = JsonNode.Parse(post.Body!)!;
        Assert.Equal(Web01, (string?)sent["server"]);
        Assert.Equal("jane", (string?)sent["username"]);

        var listed = Success(await c.CallAsync("webftp_sessions_list", new() { ["server_id"] = Web01 }));
        Assert.Contains(listed["data"]!["sessions"]!.AsArray(), s => (string?)s!["id"] == (string?)session["id"]);
        Assert.All(listed["data"]!["sessions"]!.AsArray(), s => Assert.Equal(Web01, (string?)s!["server_id"]));
        var list = Assert.Single(Emu.Journal.Matching("GET", "/api/webftp/sessions/"), e => e.At >= before && e.Path == "/api/webftp/sessions/");
        Assert.Equal(Web01, list.QueryValue("server"));
    }

    [Fact]
    public async Task SessionCreate_ReadOnlyToken_Is403()
    {
        await using var c = await ConnectAsync(emulator, token: EmulatorFixture.ViewerTestToken);
        var body = Error(await c.CallAsync("webftp_session_create", new() { ["server_id"] = Web01, ["username"] = "mina" }));
        Assert.Equal(403, (int?)body["status_code"]);
    }

    [Fact]
    public async Task SessionCreate_RegularUserAsRoot_Is403()
    {
        await using var c = await ConnectAsync(emulator, token: Seed.OperatorToken);
        var body = Error(await c.CallAsync("webftp_session_create", new() { ["server_id"] = Web01, ["username"] = "root" }));
        Assert.Equal(403, (int?)body["status_code"]);
        Assert.Contains("own account", (string?)body["message"]);
    }

    // ---- upload and download round trips ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5 << 20)]
    public async Task UploadThenDownload_BinaryFile_ArrivesByteForByte(int size)
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        var bytes = RandomBytes(size, size + 7);
        var path = $"/tmp/roundtrip-{size}.bin";

        var up = Success(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = path, ["file_data"] = Convert.ToBase64String(bytes) }))["data"]!;
        Assert.Equal(size, (long)up["size"]!);
        Assert.Equal(Sha256(bytes), (string?)up["sha256"]);
        Assert.Equal(path, (string?)up["path"]);
        Assert.True(Guid.TryParse((string?)up["command"], out _));
        Assert.Equal(bytes, Emu.Host(Web01).FileSystem.ReadFile(path));

        byte[] downloaded;
        JsonNode down;
        if (size <= 256 << 10)
        {
            down = Success(await c.CallAsync("webftp_download_file", new() { ["session_id"] = session, ["path"] = path }))["data"]!;
            downloaded = (string?)down["encoding"] == "base64" ? Convert.FromBase64String((string)down["content"]!) : Encoding.UTF8.GetBytes((string)down["content"]!);
        }
        else
        {
            var dir = Directory.CreateTempSubdirectory("webftp-test-").FullName;
            try
            {
                down = Success(await c.CallAsync("webftp_download_file", new() { ["session_id"] = session, ["path"] = path, ["local_path"] = dir }))["data"]!;
                Assert.Equal(Path.Combine(dir, $"roundtrip-{size}.bin"), (string?)down["local_path"]);
                downloaded = await File.ReadAllBytesAsync((string)down["local_path"]!);
                Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        Assert.Equal(bytes, downloaded);
        Assert.Equal(Sha256(bytes), (string?)down["sha256"]);
        Assert.Equal(size, (long)down["size"]!);
    }

    [Fact]
    public async Task UploadFile_FollowsTheFlow_AndThePutCarriesNoAuthorizationNorContentType()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        var before = Emu.Journal.Elapsed;
        var content = Encoding.UTF8.GetBytes("listen 8080\n");

        var data = Success(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = "/home/jane//./app.conf", ["file_data"] = Convert.ToBase64String(content) }))["data"]!;

        var id = (string)data["upload_id"]!;
        var entries = Emu.Journal.Entries.Where(e => e.At >= before).ToList();
        var post = Assert.Single(entries, e => e.Method == "POST" && e.Path == "/api/webftp/uploads/");
        var body = JsonNode.Parse(post.Body!)!;
        Assert.Equal("app.conf", (string?)body["name"]);
        Assert.Equal("/home/jane/", (string?)body["path"]);
        Assert.Equal(Web01, (string?)body["server"]);
        Assert.Equal("jane", (string?)body["username"]);
        Assert.True((bool)body["allow_overwrite"]!);
        Assert.False((bool)body["allow_unzip"]!);

        var put = Assert.Single(entries, e => e.Method == "PUT");
        Assert.StartsWith("/s3/", put.Path);
        Assert.Contains("X-Amz-Signature=", put.QueryString);
        Assert.Null(put.Authorization);
        Assert.Null(put.ContentType);
        Assert.Equal(content.Length, put.ContentLength);
        Assert.Equal(200, put.Status);

        var trigger = Assert.Single(entries, e => e.Method == "GET" && e.Path == $"/api/webftp/uploads/{id}/upload/");
        var status = entries.Where(e => e.Path == $"/api/webftp/uploads/{id}/status/").ToList();
        Assert.NotEmpty(status);
        Assert.True(post.Sequence < put.Sequence && put.Sequence < trigger.Sequence && trigger.Sequence < status[0].Sequence);
        Assert.Equal(200, status[^1].Status);

        // The bytes are on the host, where a command or Websh session sees them.
        var cat = await Emu.Host(Web01).RunAsync("cat /home/jane/app.conf", "jane");
        Assert.Equal("listen 8080\n", cat.Output);
        Assert.DoesNotContain("X-Amz", data.ToJsonString());
    }

    [Fact]
    public async Task UploadFile_PollsTheStatusWhileTheAgentWorks()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        var before = Emu.Journal.Elapsed;
        var data = Success(await WithTheAgentSlowAsync(c, "webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = "/tmp/slow.txt", ["file_data"] = Convert.ToBase64String("slow"u8.ToArray()) }, before))["data"]!;
        var polls = Emu.Journal.Entries.Where(e => e.At >= before && e.Path == $"/api/webftp/uploads/{data["upload_id"]}/status/").ToList();
        Assert.Contains(polls, p => p.Status == 422);
        Assert.Equal(200, polls[^1].Status);
        Assert.Equal("slow", Emu.Host(Web01).FileSystem.ReadText("/tmp/slow.txt"));
    }

    [Fact]
    public async Task UploadFile_ReportsByteProgress_WhenTheClientAsks()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        var bytes = RandomBytes(3 << 20, 3);
        var seen = new List<ProgressNotificationValue>();
        var progress = new SyncProgress(v => { lock (seen) seen.Add(v); });

        var result = await c.Client.CallToolAsync("webftp_upload_file", new Dictionary<string, object?> { ["session_id"] = session, ["file_path"] = "/tmp/progress.bin", ["file_data"] = Convert.ToBase64String(bytes) }, progress);

        Success(result);
        for (var i = 0; i < 200 && !Snapshot(seen).Any(v => v.Progress == bytes.Length); i++)
            await Task.Delay(10);
        var values = Snapshot(seen);
        Assert.Contains(values, v => v.Progress == bytes.Length && v.Total == bytes.Length);
        Assert.True(values.Count >= 3, $"expected several notifications, got {values.Count}");
        // The client dispatches notifications concurrently, so only the values are checked, not their arrival order:
        // distinct (each larger than the one before when sent), from 0 to the size.
        Assert.Equal(values.Count, values.Select(v => v.Progress).Distinct().Count());
        Assert.Contains(values, v => v.Progress == 0);
        Assert.All(values, v => Assert.InRange(v.Progress, 0, bytes.Length));

        static List<ProgressNotificationValue> Snapshot(List<ProgressNotificationValue> list)
        {
            lock (list)
                return [.. list];
        }
    }

    // ---- failures ----

    [Fact]
    public async Task UploadFile_PathOutsideTheTokensFileAcl_IsDeniedBeforeAnyByteMoves()
    {
        await using var c = await ConnectAsync(emulator, token: Seed.OperatorToken);
        var session = await SessionAsync(c, Web01, "bo");
        var before = Emu.Journal.Elapsed;

        var body = Error(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = "/etc/cron.d/job", ["file_data"] = "aGk=" }));

        Assert.Equal(403, (int?)body["status_code"]);
        Assert.Equal("api_token_acl_not_allowed", (string?)body["error_code"]);
        Assert.Contains("ACL", (string?)body["hint"]);
        Assert.DoesNotContain(Emu.Journal.Entries, e => e.At >= before && e.Method == "PUT");

        // The same token may write where its ACL allows.
        Success(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = "/home/bo/ok.txt", ["file_data"] = "aGk=" }));
        Assert.Equal("hi", Emu.Host(Web01).FileSystem.ReadText("/home/bo/ok.txt"));
    }

    [Fact]
    public async Task UploadFile_AgentCannotWrite_SaysWhyWithTheTransferIds()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");

        var body = Error(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = "/etc/app.conf", ["file_data"] = "aGk=" }));

        Assert.Contains("Permission denied", (string?)body["message"]);
        Assert.Equal("agent", (string?)body["details"]!["failure"]);
        Assert.True(Guid.TryParse((string?)body["details"]!["transfer_id"], out _));
        Assert.True(Guid.TryParse((string?)body["details"]!["command"], out _));
        Assert.Contains("account", (string?)body["hint"]);
        Assert.Null(Emu.Host(Web01).FileSystem.Stat("/etc/app.conf"));
    }

    [Fact]
    public async Task UploadFile_ServerOffline_SaysTheAgentIsNotConnected()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Seed.ServerId("worker-04"), "jane");
        var body = Error(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = "/tmp/x", ["file_data"] = "aGk=" }));
        Assert.Contains("not connected", (string?)body["message"]);
        Assert.Contains("server_get", (string?)body["hint"]);
    }

    [Fact]
    public async Task UploadFile_WithoutOverwrite_KeepsTheExistingFile()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        Success(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = "/tmp/keep.txt", ["file_data"] = "b25l" }));
        var body = Error(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = "/tmp/keep.txt", ["file_data"] = "dHdv", ["allow_overwrite"] = false }));
        Assert.Contains("exists", (string?)body["message"]);
        Assert.Equal("one", Emu.Host(Web01).FileSystem.ReadText("/tmp/keep.txt"));
    }

    [Fact]
    public async Task UploadFile_UnknownSession_SaysHowToOpenOne()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = Guid.NewGuid().ToString(), ["file_path"] = "/tmp/x", ["file_data"] = "aGk=" }));
        Assert.Equal(404, (int?)body["status_code"]);
        Assert.Contains("webftp_session_create", (string?)body["message"]);
    }

    [Fact]
    public async Task DownloadFile_MissingFile_IsAnAgentFailure()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        var body = Error(await c.CallAsync("webftp_download_file", new() { ["session_id"] = session, ["path"] = "/tmp/does-not-exist" }));
        Assert.Contains("No such file or directory", (string?)body["message"]);
        Assert.Equal("agent", (string?)body["details"]!["failure"]);
    }

    [Theory]
    [InlineData("aGk", "multiple of 4")]
    [InlineData("aG k=", "whitespace")]
    [InlineData("aGk=\n", "line break")]
    [InlineData("a-_k", "URL-safe")]
    [InlineData("a=Gk", "padding")]
    public async Task UploadFile_BadBase64_IsRefusedBeforeAnyRequest(string data, string reason)
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        var before = Emu.Journal.Elapsed;

        var body = Error(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = "/tmp/x", ["file_data"] = data }));

        Assert.Contains("base64", (string?)body["message"]);
        Assert.Contains(reason, (string?)body["message"]);
        Assert.DoesNotContain(Emu.Journal.Entries, e => e.At >= before && e.Path.StartsWith("/api/webftp/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/tmp/../etc/passwd", "'..'")]
    [InlineData("tmp/x", "not absolute")]
    [InlineData("/tmp/x\0y", "NUL")]
    [InlineData("/tmp/dir/", "end with '/'")]
    public async Task UploadFile_BadPath_IsRefusedBeforeAnyRequest(string path, string reason)
    {
        await using var c = await ConnectAsync(emulator);
        var before = Emu.Journal.Elapsed;
        var body = Error(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = Guid.NewGuid().ToString(), ["file_path"] = path, ["file_data"] = "aGk=" }));
        Assert.Contains(reason, (string?)body["message"]);
        Assert.DoesNotContain(Emu.Journal.Entries, e => e.At >= before && e.Path.StartsWith("/api/webftp/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UploadFile_TooMuchBase64_NamesTheLimit()
    {
        await using var c = await ConnectAsync(emulator);
        var body = Error(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = Guid.NewGuid().ToString(), ["file_path"] = "/tmp/big", ["file_data"] = new string('A', 12_000_000) }));
        Assert.Contains("8 MiB", (string?)body["message"]);
        Assert.Contains("local_path", (string?)body["hint"]);
    }

    [Fact]
    public async Task UploadFile_LocalPathOverHttp_IsRefused()
    {
        await using var c = await ConnectAsync(emulator, transport: Transport.Http);
        var body = Error(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = Guid.NewGuid().ToString(), ["file_path"] = "/tmp/x", ["local_path"] = "/etc/hostname" }));
        Assert.Contains("stdio", (string?)body["message"]);
    }

    [Fact]
    public async Task UploadFile_FromLocalPath_StreamsTheFile()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        var file = Path.GetTempFileName();
        try
        {
            var bytes = RandomBytes(300_000, 11);
            await File.WriteAllBytesAsync(file, bytes);
            var data = Success(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = "/tmp/from-disk.bin", ["local_path"] = file }))["data"]!;
            Assert.Equal(Sha256(bytes), (string?)data["sha256"]);
            Assert.Equal(bytes, Emu.Host(Web01).FileSystem.ReadFile("/tmp/from-disk.bin"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    // ---- downloads ----

    [Fact]
    public async Task DownloadFile_Folder_ComesAsAZipOfTheFolder()
    {
        await using var c = await ConnectAsync(emulator);
        var host = Emu.Host(Api01);
        var jane = host.FindAccount("jane");
        host.FileSystem.MakeDirectory("/home/jane/bundle/sub", jane, parents: true);
        host.FileSystem.WriteText("/home/jane/bundle/a.txt", "alpha\n", jane);
        host.FileSystem.WriteFile("/home/jane/bundle/sub/b.bin", new byte[] { 0, 1, 2, 255 }, jane);
        var session = await SessionAsync(c, Api01, "jane");
        var before = Emu.Journal.Elapsed;

        var data = Success(await c.CallAsync("webftp_download_file", new() { ["session_id"] = session, ["path"] = "/home/jane/bundle", ["resource_type"] = "folder" }))["data"]!;

        Assert.Equal("base64", (string?)data["encoding"]);
        var zip = Convert.FromBase64String((string)data["content"]!);
        Assert.Equal(Sha256(zip), (string?)data["sha256"]);
        using var archive = new ZipArchive(new MemoryStream(zip));
        using (var reader = new StreamReader(archive.GetEntry("bundle/a.txt")!.Open()))
            Assert.Equal("alpha\n", await reader.ReadToEndAsync());
        Assert.NotNull(archive.GetEntry("bundle/sub/b.bin"));
        var post = Assert.Single(Emu.Journal.Matching("POST", "/api/webftp/downloads/"), e => e.At >= before);
        var body = JsonNode.Parse(post.Body!)!;
        Assert.Equal("folder", (string?)body["resource_type"]);
        Assert.Equal("bundle.zip", (string?)body["name"]);
        var get = Assert.Single(Emu.Journal.Entries, e => e.At >= before && e.Method == "GET" && e.Path.StartsWith("/s3/", StringComparison.Ordinal));
        Assert.Null(get.Authorization);
        // §4.2: wait for the agent's command to end, then fetch, then confirm with the status.
        var polls = Emu.Journal.Entries.Where(e => e.At >= before && e.Method == "GET" && e.Path.StartsWith("/api/events/commands/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(polls);
        Assert.True(polls[^1].Sequence < get.Sequence, "the client waits for the agent's command before fetching");
        var status = Emu.Journal.Entries.Where(e => e.At >= before && e.Path.EndsWith("/status/", StringComparison.Ordinal)).ToList();
        Assert.True(status[^1].Sequence > get.Sequence, "the status is read after the bytes");
    }

    [Fact]
    public async Task DownloadFile_TextFile_ComesAsText()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        var data = Success(await c.CallAsync("webftp_download_file", new() { ["session_id"] = session, ["path"] = "/etc/os-release" }))["data"]!;
        Assert.Equal("utf-8", (string?)data["encoding"]);
        Assert.Contains("Ubuntu", (string?)data["content"]);
    }

    [Fact]
    public async Task DownloadFile_CommandHiddenFromTheToken_WaitsForTheStatus_BeforeFetchingTheObject()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        var before = Emu.Journal.Elapsed;
        // The token may not read the transfer's command (404), and the agent is slow: the object is not stored yet, so
        // fetching the link now would be 404 NoSuchKey.
        using (emulator.Emulator.Faults.Add(new FaultRule(FaultKind.ServerError, "/api/events/commands/") { Method = "GET", Status = 404 }))
        {
            var data = Success(await WithTheAgentSlowAsync(c, "webftp_download_file", new() { ["session_id"] = session, ["path"] = "/etc/hostname" }, before))["data"]!;
            Assert.Equal("web-01\n", (string?)data["content"]);
        }

        var entries = Emu.Journal.Entries.Where(e => e.At >= before).ToList();
        Assert.Contains(entries, e => e.Method == "GET" && e.Path.StartsWith("/api/events/commands/", StringComparison.Ordinal) && e.Status == 404);
        var statuses = entries.Where(e => e.Path.StartsWith("/api/webftp/downloads/", StringComparison.Ordinal) && e.Path.EndsWith("/status/", StringComparison.Ordinal)).ToList();
        Assert.Contains(statuses, s => s.Status == 422);
        var fetch = Assert.Single(entries, e => e.Method == "GET" && e.Path.StartsWith("/s3/", StringComparison.Ordinal));
        Assert.Equal(200, fetch.Status);
        Assert.True(statuses[^1].Status == 200 && statuses[^1].Sequence < fetch.Sequence, "the object is fetched only after the status reported success");
    }

    [Fact]
    public async Task Transfers_RunAsTheAgentsCommands_ThatGetCommandStatusFollows()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        var path = $"/tmp/agent-{Guid.NewGuid():N}.txt";
        var upload = Success(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = path, ["file_data"] = Convert.ToBase64String("via the agent\n"u8.ToArray()) }))["data"]!;
        var download = Success(await c.CallAsync("webftp_download_file", new() { ["session_id"] = session, ["path"] = path }))["data"]!;
        Assert.Equal("via the agent\n", (string?)download["content"]);

        foreach (var (transfer, verb) in new[] { (upload, "upload"), (download, "download") })
        {
            var command = Success(await c.CallAsync("get_command_status", new() { ["command_id"] = (string)transfer["command"]! }))["data"]!;
            Assert.Equal("success", (string?)command["status"]);
            Assert.Equal($"webftp {verb} {path}", (string?)command["line"]);
        }
    }

    [Fact]
    public async Task DownloadFile_LargerThanTheInlineLimit_SaysToUseLocalPath()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        Emu.Host(Web01).FileSystem.WriteFile("/tmp/large.bin", RandomBytes(300_000, 5), Emu.Host(Web01).FindAccount("jane"));
        var body = Error(await c.CallAsync("webftp_download_file", new() { ["session_id"] = session, ["path"] = "/tmp/large.bin" }));
        Assert.Contains("256 KiB", (string?)body["message"]);
        Assert.Contains("local_path", (string?)body["hint"]);
    }

    [Fact]
    public async Task DownloadFile_ExistingLocalFile_IsNeverReplaced()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        var file = Path.GetTempFileName();
        try
        {
            var body = Error(await c.CallAsync("webftp_download_file", new() { ["session_id"] = session, ["path"] = "/etc/os-release", ["local_path"] = file }));
            Assert.Contains("exists", (string?)body["message"]);
            Assert.Equal(0, new FileInfo(file).Length);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task TransferLists_FilterByTheSessionsServer_AndHideLinks()
    {
        await using var c = await ConnectAsync(emulator);
        var session = await SessionAsync(c, Web01, "jane");
        Success(await c.CallAsync("webftp_upload_file", new() { ["session_id"] = session, ["file_path"] = "/tmp/listed.txt", ["file_data"] = "aGk=" }));
        Success(await c.CallAsync("webftp_download_file", new() { ["session_id"] = session, ["path"] = "/tmp/listed.txt" }));
        var before = Emu.Journal.Elapsed;

        var uploads = Success(await c.CallAsync("webftp_uploads_list", new() { ["session_id"] = session }))["data"]!;
        var downloads = Success(await c.CallAsync("webftp_downloads_list", new() { ["session_id"] = session }))["data"]!;

        Assert.Contains(uploads["uploads"]!.AsArray(), u => (string?)u!["name"] == "listed.txt" && (string?)u["server"] == "web-01");
        Assert.Contains(downloads["downloads"]!.AsArray(), d => (string?)d!["path"] == "/tmp/listed.txt" && (long)d["size"]! == 2);
        Assert.DoesNotContain("X-Amz", uploads.ToJsonString() + downloads.ToJsonString());
        Assert.DoesNotContain("_url", uploads.ToJsonString() + downloads.ToJsonString());
        Assert.Equal(Web01, Assert.Single(Emu.Journal.Matching("GET", "/api/webftp/uploads/"), e => e.At >= before).QueryValue("server"));
        Assert.Equal(Web01, Assert.Single(Emu.Journal.Matching("GET", "/api/webftp/downloads/"), e => e.At >= before).QueryValue("server"));
        Assert.Equal(2, Emu.Journal.Matching("GET", $"/api/webftp/sessions/{session}/").Count(e => e.At >= before)); // each list resolves the session
    }

    // ---- the emulator's object store, as S3 behaves ----

    [Fact]
    public async Task ObjectStore_EnforcesThePresignedRequestRules()
    {
        var store = Emu.Store;
        var baseUrl = emulator.BaseUrl.AbsoluteUri.TrimEnd('/');
        var id = Guid.NewGuid().ToString();
        var put = store.Presign(baseUrl, "PUT", id);
        using var http = new HttpClient();

        async Task<(HttpStatusCode Status, string Body)> Put(string url, Action<HttpRequestMessage>? configure = null, bool contentType = false)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent([1, 2, 3]) };
            if (contentType)
                request.Content.Headers.ContentType = new("application/octet-stream");
            configure?.Invoke(request);
            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var withAuth = await Put(put, r => r.Headers.TryAddWithoutValidation("Authorization", $"token=\"{EmulatorFixture.TestToken}\""));
        Assert.Equal(HttpStatusCode.BadRequest, withAuth.Status);
        Assert.Contains("<Code>InvalidArgument</Code>", withAuth.Body);

        var withType = await Put(put, contentType: true);
        Assert.Equal(HttpStatusCode.Forbidden, withType.Status);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", withType.Body);

        var tampered = await Put(put[..^4] + "0000");
        Assert.Equal(HttpStatusCode.Forbidden, tampered.Status);
        Assert.Contains("SignatureDoesNotMatch", tampered.Body);

        var expired = await Put(store.Presign(baseUrl, "PUT", id, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow.AddHours(-1)));
        Assert.Equal(HttpStatusCode.Forbidden, expired.Status);
        Assert.Contains("Request has expired", expired.Body);

        Assert.Equal(HttpStatusCode.OK, (await Put(put)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(put)).StatusCode); // an upload link cannot read
        var get = await http.GetAsync(store.Presign(baseUrl, "GET", id));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(new byte[] { 1, 2, 3 }, await get.Content.ReadAsByteArrayAsync());
    }

    private sealed class SyncProgress(Action<ProgressNotificationValue> report) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => report(value);
    }

    /// <summary>The emulator's pieces a WebFTP test reaches into.</summary>
    private readonly struct RunningEmulatorView(EmulatorFixture fixture)
    {
        public Alpacon.Emulator.Core.RequestJournal Journal => fixture.Emulator.Journal;

        public TransferAgent Agent => fixture.Emulator.Services.GetRequiredService<TransferAgent>();

        public ObjectStore Store => fixture.Emulator.Services.GetRequiredService<ObjectStore>();

        public Alpacon.Emulator.Shell.SimulatedHost Host(string serverId) => fixture.Emulator.World.Hosts.Find(serverId)!;
    }
}
