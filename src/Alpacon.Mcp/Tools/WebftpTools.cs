using System.ComponentModel;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using Alpacon.Api.Webftp;
using Alpacon.Mcp.Hosting;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Alpacon.Mcp.Tools;

/// <summary>
/// WebFTP: file transfer to and from servers. The bytes go through presigned object-storage URLs and the server's
/// agent (alpacon-api.md §4); results carry the size and SHA-256 of what moved, never a presigned URL.
/// </summary>
[McpServerToolType]
public sealed class WebftpTools(ToolRunner runner, WebftpClient webftp, ServerSettings settings)
{
    /// <summary>The most <c>file_data</c> may decode to: a tool call travels as one JSON message (the HTTP transport bounds it).</summary>
    public const int MaxInlineUploadBytes = 8 << 20;

    /// <summary>The most a result carries inline: more would flood the model's context.</summary>
    public const int MaxInlineDownloadBytes = 256 << 10;

    /// <summary>S3's limit for one PUT.</summary>
    public const long MaxLocalUploadBytes = 5L << 30;

    private const int ListLimit = 100;
    private const int MaxBase64Chars = (MaxInlineUploadBytes + 2) / 3 * 4;
    private const string SessionIdDescription = "WebFTP session UUID, as returned by webftp_session_create or webftp_sessions_list; it names the server and the Linux account the transfer acts as.";
    private const string LocalPathHint = "Pass local_path (works when alpacon-mcp runs over stdio on the user's machine) to stream the file to or from disk.";

    // ---- catalogue ----

    [McpServerTool(Name = "webftp_session_create", Title = "Create WebFTP session", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Open a WebFTP session on a server for a Linux account (POST /api/webftp/sessions/). The session id then names the server and account for webftp_upload_file, webftp_download_file and the transfer lists. Files are written and read with that account's permissions; a regular user may only use their own account, staff may use others such as root.")]
    public Task<CallToolResult> WebftpSessionCreate(
        [Description(Args.ServerIdDescription)] string server_id,
        [Description("Linux account on the server that transfers act as, e.g. your own username or (staff only) root.")] string username,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, server_id, async (ws, ct) =>
        {
            var id = Args.Uuid(server_id, "server_id");
            var user = Args.AccountName(username, "username");
            var session = await webftp.CreateSessionAsync(ws, id, user, ct).ConfigureAwait(false);
            return SessionSummary(session);
        }, cancellationToken);

    [McpServerTool(Name = "webftp_sessions_list", Title = "List WebFTP sessions", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("List WebFTP sessions, newest first (GET /api/webftp/sessions/?server=), optionally of one server: id, server, account and when it was opened. Reuse a session id instead of opening a new one.")]
    public Task<CallToolResult> WebftpSessionsList(
        [Description("Only sessions on this server (UUID from servers_list); omit for all.")] string? server_id = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, Args.Optional(server_id), async (ws, ct) =>
        {
            var (items, total) = await webftp.ListSessionsAsync(ws, Args.OptionalUuid(server_id, "server_id"), ListLimit, ct).ConfigureAwait(false);
            return new JsonObject { ["count"] = total, ["shown"] = items.Count, ["sessions"] = new JsonArray([.. items.Select(SessionSummary)]) };
        }, cancellationToken);

    [McpServerTool(Name = "webftp_upload_file", Title = "Upload file to server", ReadOnly = false, Destructive = true, Idempotent = true, OpenWorld = true)]
    [Description("Upload a file to a server through the session's account: creates the upload (POST /api/webftp/uploads/), sends the bytes to object storage, asks the agent to write them (GET …/upload/) and waits for its status. The content is file_data (standard base64, at most 8 MiB decoded) or, over stdio only, local_path (a file on this machine, streamed, up to 5 GiB). The target directory must exist and be writable by the session's account; an existing file is replaced unless allow_overwrite is false. Returns the size and SHA-256 of the bytes sent and the agent's message; sends progress notifications when the client asks for them.")]
    public Task<CallToolResult> WebftpUploadFile(
        [Description(SessionIdDescription)] string session_id,
        [Description("Absolute target file path on the server, e.g. /etc/app/app.conf. No '..' segments.")] string file_path,
        [Description("File content, standard base64 (A-Z a-z 0-9 + /, '=' padding, no whitespace or line breaks); encode text files too. At most 8 MiB decoded. Give this or local_path.")] string? file_data = null,
        [Description("Instead of file_data: a file on the machine running alpacon-mcp (absolute, or relative to its working directory), streamed without loading it into memory. Only over stdio; refused over HTTP.")] string? local_path = null,
        [Description("Replace an existing file at file_path (default true); false makes the agent refuse.")] bool allow_overwrite = true,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        IProgress<ProgressNotificationValue>? progress = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var sessionId = Args.Uuid(session_id, "session_id");
            var path = RemoteFilePath(file_path, "file_path");
            if (file_data is not null && local_path is not null)
                throw new ToolInputException("Give either file_data or local_path, not both.");
            if (file_data is null && local_path is null)
                throw new ToolInputException("Give the content: file_data (base64) or, over stdio, local_path.", "For an empty file pass file_data=\"\".");
            byte[]? bytes = file_data is null ? null : DecodeBase64(file_data);
            var localFile = local_path is null ? null : LocalSource(local_path);

            var session = await SessionAsync(ws, sessionId, ct).ConfigureAwait(false);
            var target = new TransferTarget(session.ServerId, path, session.Username, session.Groupname);
            TransferResult result;
            if (bytes is not null)
            {
                using var source = new MemoryStream(bytes, writable: false);
                result = await webftp.UploadAsync(ws, target, source, bytes.Length, allow_overwrite, Bytes(progress), ct).ConfigureAwait(false);
            }
            else
            {
                await using var source = new FileStream(localFile!.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                result = await webftp.UploadAsync(ws, target, source, source.Length, allow_overwrite, Bytes(progress), ct).ConfigureAwait(false);
            }
            var data = TransferSummary(result, session, "upload_id");
            if (localFile is not null)
                data["local_path"] = localFile.FullName;
            return data;
        }, cancellationToken);

    [McpServerTool(Name = "webftp_downloads_list", Title = "List WebFTP downloads", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("List the downloads prepared on the session's server that have not expired, newest first (GET /api/webftp/downloads/?server=): id, path, file or folder, size, account, command id, times. Download links are credentials and are not shown; fetch a file with webftp_download_file.")]
    public Task<CallToolResult> WebftpDownloadsList(
        [Description(SessionIdDescription)] string session_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, (ws, ct) => ListTransfersAsync(ws, session_id, "downloads", webftp.ListDownloadsAsync, ct), cancellationToken);

    // ---- beyond the catalogue ----

    [McpServerTool(Name = "webftp_uploads_list", Title = "List WebFTP uploads", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("List the uploads to the session's server that have not expired, newest first (GET /api/webftp/uploads/?server=): id, target directory and name, size, account, command id, times. Upload links are credentials and are not shown.")]
    public Task<CallToolResult> WebftpUploadsList(
        [Description(SessionIdDescription)] string session_id,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, (ws, ct) => ListTransfersAsync(ws, session_id, "uploads", webftp.ListUploadsAsync, ct), cancellationToken);

    [McpServerTool(Name = "webftp_download_file", Title = "Download file from server", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Download a file, or a folder as a zip, from a server through the session's account: creates the download (POST /api/webftp/downloads/), waits for the agent's command to put it into object storage, then fetches it. Without local_path the content is returned inline when it is at most 256 KiB: as text when it is UTF-8, otherwise base64 (a zip always base64). With local_path (stdio only) it is streamed to that file or into that directory, written atomically; an existing file is never replaced. Returns size and SHA-256; sends progress notifications when the client asks for them.")]
    public Task<CallToolResult> WebftpDownloadFile(
        [Description(SessionIdDescription)] string session_id,
        [Description("Absolute path of the file or folder on the server, e.g. /var/log/syslog. No '..' segments.")] string path,
        [Description("\"file\" (default) or \"folder\" (downloaded as a zip of the folder).")] string resource_type = "file",
        [Description("Write the download to this file or into this existing directory on the machine running alpacon-mcp (absolute, or relative to its working directory). Only over stdio; needed for files over 256 KiB.")] string? local_path = null,
        [Description(Args.RegionDescription)] string region = "ap1",
        [Description(Args.WorkspaceDescription)] string? workspace = null,
        IProgress<ProgressNotificationValue>? progress = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync(region, workspace, null, async (ws, ct) =>
        {
            var sessionId = Args.Uuid(session_id, "session_id");
            var remote = RemoteFilePath(path, "path");
            var folder = (resource_type ?? "file").Trim().ToLowerInvariant() switch
            {
                "file" => false,
                "folder" or "directory" => true,
                _ => throw new ToolInputException($"'resource_type' must be \"file\" or \"folder\"; got '{Args.Shorten(resource_type!)}'."),
            };
            var name = RemotePath.Name(remote) + (folder ? ".zip" : "");
            var localTarget = local_path is null ? null : LocalTarget(local_path, name);

            var session = await SessionAsync(ws, sessionId, ct).ConfigureAwait(false);
            var source = new TransferTarget(session.ServerId, remote, session.Username, session.Groupname);
            if (localTarget is not null)
            {
                var written = await AtomicFile.WriteAsync(localTarget, stream => webftp.DownloadAsync(ws, source, folder, stream, null, Bytes(progress), ct), ct).ConfigureAwait(false);
                var data = TransferSummary(written, session, "download_id");
                data["resource_type"] = folder ? "folder (zip)" : "file";
                data["local_path"] = localTarget;
                return data;
            }

            using var buffer = new MemoryStream();
            TransferResult result;
            try
            {
                result = await webftp.DownloadAsync(ws, source, folder, buffer, MaxInlineDownloadBytes, Bytes(progress), ct).ConfigureAwait(false);
            }
            catch (WebftpException e) when (e.Failure == TransferFailure.TooLarge)
            {
                throw new ToolInputException(
                    $"{remote} is larger than {Units.Bytes(MaxInlineDownloadBytes)}, the most a result carries inline; it was not returned.",
                    settings.Transport == "stdio"
                        ? "Call again with local_path (a file or directory on this machine) to stream it to disk."
                        : "Over HTTP the file cannot be saved on the user's machine: read the part you need with a command (e.g. tail -n 200, grep) instead.");
            }
            var inline = TransferSummary(result, session, "download_id");
            inline["resource_type"] = folder ? "folder (zip)" : "file";
            var bytes = buffer.ToArray();
            if (!folder && Utf8Text(bytes) is { } text)
            {
                inline["encoding"] = "utf-8";
                inline["content"] = text;
            }
            else
            {
                inline["encoding"] = "base64";
                inline["content"] = Convert.ToBase64String(bytes);
            }
            return inline;
        }, cancellationToken);

    // ---- helpers ----

    /// <summary>The session's server and account; a missing session says where to find or open one.</summary>
    private async Task<WebftpSession> SessionAsync(WorkspaceTarget ws, string sessionId, CancellationToken ct)
    {
        try
        {
            return await webftp.GetSessionAsync(ws, sessionId, ct).ConfigureAwait(false);
        }
        catch (AlpaconApiException e) when (e.StatusCode == HttpStatusCode.NotFound && e is not WebftpException)
        {
            throw new AlpaconApiException($"{e.Message} webftp_sessions_list lists the sessions; webftp_session_create(server_id, username) opens one.", e.StatusCode, e.Code, e.Body, inner: e);
        }
    }

    private async Task<JsonNode?> ListTransfersAsync(WorkspaceTarget ws, string sessionIdArgument, string key, Func<WorkspaceTarget, string?, int, CancellationToken, Task<(JsonArray Items, int Total)>> list, CancellationToken ct)
    {
        var session = await SessionAsync(ws, Args.Uuid(sessionIdArgument, "session_id"), ct).ConfigureAwait(false);
        var (items, total) = await list(ws, session.ServerId, ListLimit, ct).ConfigureAwait(false);
        return new JsonObject
        {
            ["server_id"] = session.ServerId,
            ["server_name"] = session.ServerName,
            ["count"] = total,
            ["shown"] = items.Count,
            [key] = new JsonArray([.. items.Select(TransferItem)]),
        };
    }

    /// <summary>A transfer as the model sees it: everything but the presigned URLs, which are credentials.</summary>
    internal static JsonNode? TransferItem(JsonNode? item)
    {
        if (item is not JsonObject o)
            return item?.DeepClone();
        var copy = new JsonObject();
        foreach (var (name, value) in o)
        {
            if (name is "upload_url" or "download_url")
                continue;
            copy[name] = name == "server" && value is JsonObject server ? server["name"]?.DeepClone() : value?.DeepClone();
        }
        if (o["size"] is JsonValue size && size.TryGetValue<long>(out var bytes))
            copy["size_human"] = Units.Bytes(bytes);
        return copy;
    }

    private static JsonNode SessionSummary(JsonNode? session)
    {
        if (session is not JsonObject s)
            return session?.DeepClone()!;
        return new JsonObject
        {
            ["id"] = s["id"]?.DeepClone(),
            ["server_id"] = s["server"] is JsonObject server ? server["id"]?.DeepClone() : s["server"]?.DeepClone(),
            ["server_name"] = s["server"] is JsonObject named ? named["name"]?.DeepClone() : null,
            ["username"] = s["username"]?.DeepClone(),
            ["groupname"] = s["groupname"]?.DeepClone(),
            ["added_at"] = s["added_at"]?.DeepClone(),
        };
    }

    private static JsonObject TransferSummary(TransferResult result, WebftpSession session, string idName) => new()
    {
        [idName] = result.Id,
        ["command"] = result.Command,
        ["server_id"] = session.ServerId,
        ["server_name"] = session.ServerName,
        ["username"] = session.Username,
        ["path"] = result.Path,
        ["size"] = result.Size,
        ["size_human"] = Units.Bytes(result.Size),
        ["sha256"] = result.Sha256,
        ["message"] = result.Message,
    };

    private static string RemoteFilePath(string? value, string name)
    {
        if (!RemotePath.TryNormalize(value, out var normalized, out var error))
            throw new ToolInputException($"'{name}' is not usable: {error}.", "Give an absolute path on the server such as /home/<user>/file.txt.");
        if (normalized == "/" || value!.EndsWith('/'))
            throw new ToolInputException($"'{name}' must name a file{(name == "path" ? " or folder" : "")}, not end with '/'; got '{Args.Shorten(value!)}'.");
        return normalized;
    }

    /// <summary>Standard base64 only: no whitespace, no URL-safe alphabet, padding required; Convert alone would skip whitespace.</summary>
    internal static byte[] DecodeBase64(string data)
    {
        const string Hint = "Encode the whole file as standard base64 on one line (e.g. base64 -w0 FILE), or use local_path over stdio.";
        if (data.Length > MaxBase64Chars)
            throw new ToolInputException($"file_data is {data.Length} base64 characters, more than the {Units.Bytes(MaxInlineUploadBytes)} limit for inline content (about {MaxBase64Chars} characters).", "For larger files use local_path (stdio mode), or compress the file first.");
        for (var i = 0; i < data.Length; i++)
        {
            var c = data[i];
            if (c is not ((>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/' or '='))
                throw new ToolInputException($"file_data is not valid base64: {Describe(c)} at position {i}.", Hint);
        }
        var padding = data.IndexOf('=', StringComparison.Ordinal);
        if (padding >= 0 && (padding < data.Length - 2 || data[padding..].Any(p => p != '=')))
            throw new ToolInputException($"file_data is not valid base64: '=' padding before the end, at position {padding}.", Hint);
        if (data.Length % 4 != 0)
            throw new ToolInputException($"file_data is not valid base64: its length ({data.Length}) is not a multiple of 4 (missing '=' padding?).", Hint);
        return Convert.FromBase64String(data);

        static string Describe(char c) => c switch
        {
            '\n' or '\r' => "a line break",
            ' ' or '\t' => "whitespace",
            '-' or '_' => $"'{c}' (URL-safe base64; use '+' and '/')",
            _ when char.IsControl(c) => $"control character U+{(int)c:X4}",
            _ => $"'{c}'",
        };
    }

    /// <summary>The text of <paramref name="bytes"/> when it is UTF-8 without NUL; null means binary.</summary>
    private static string? Utf8Text(byte[] bytes)
    {
        if (Array.IndexOf(bytes, (byte)0) >= 0)
            return null;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private FileInfo LocalSource(string localPath)
    {
        var full = LocalPath(localPath);
        var file = new FileInfo(full);
        if (Directory.Exists(full))
            throw new ToolInputException($"local_path {full} is a directory; give a file.");
        if (!file.Exists)
            throw new ToolInputException($"local_path {full} does not exist.", "Relative paths are resolved against alpacon-mcp's working directory; give an absolute path.");
        if (file.Length > MaxLocalUploadBytes)
            throw new ToolInputException($"local_path {full} is {Units.Bytes(file.Length)}; one upload may be at most {Units.Bytes(MaxLocalUploadBytes)}.", "Split or compress the file first.");
        return file;
    }

    /// <summary>The file a download is written to: local_path itself, or local_path/name when it is a directory; never an existing file.</summary>
    private string LocalTarget(string localPath, string name)
    {
        var full = LocalPath(localPath);
        if (Directory.Exists(full))
            full = Path.Combine(full, name);
        if (File.Exists(full) || Directory.Exists(full))
            throw new ToolInputException($"local_path {full} exists already; it is never replaced.", "Choose another local_path, or delete the file first.");
        if (!Directory.Exists(Path.GetDirectoryName(full)))
            throw new ToolInputException($"The directory of local_path {full} does not exist.");
        return full;
    }

    private string LocalPath(string localPath)
    {
        if (settings.Transport != "stdio")
            throw new ToolInputException(
                $"local_path works only when alpacon-mcp runs over stdio on the user's machine; this server runs over {settings.Transport.ToUpperInvariant()}, where a path would name a file on the server's host.",
                $"Pass the content inline instead (file_data up to {Units.Bytes(MaxInlineUploadBytes)}; downloads up to {Units.Bytes(MaxInlineDownloadBytes)} are returned inline).");
        var path = Args.Required(localPath, "local_path").Trim();
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "");
        return Path.GetFullPath(path);
    }

    /// <summary>Byte progress as MCP progress notifications (a no-op when the client sent no progress token).</summary>
    private static IProgress<TransferProgress>? Bytes(IProgress<ProgressNotificationValue>? progress) =>
        progress is null ? null : new ByteProgress(progress);

    private sealed class ByteProgress(IProgress<ProgressNotificationValue> sink) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => sink.Report(new ProgressNotificationValue
        {
            Progress = value.Bytes,
            Total = value.Total,
            Message = $"{value.Phase}: {Units.Bytes(value.Bytes)}" + (value.Total is { } total ? $" of {Units.Bytes(total)}" : ""),
        });
    }

    /// <summary>The model's view of a failed transfer: what happened, where, the ids to look it up, and what to do.</summary>
    internal static ToolError Describe(WebftpException e)
    {
        var details = new JsonObject { ["failure"] = e.Failure.ToString().ToLowerInvariant() };
        if (e.TransferId is not null)
            details["transfer_id"] = e.TransferId;
        if (e.Command is not null)
            details["command"] = e.Command;
        var hint = e.Failure switch
        {
            TransferFailure.Agent when e.Message.Contains("Permission denied", StringComparison.Ordinal) =>
                "The session's account may not access that path: use a path it owns (its home directory, /tmp), or a session with an account that may (webftp_session_create with another username).",
            TransferFailure.Agent when e.Message.Contains("No such file or directory", StringComparison.Ordinal) =>
                "Check the path: a download's file must exist, and an upload's directory must exist already.",
            TransferFailure.Agent when e.Message.Contains("Is a directory", StringComparison.Ordinal) =>
                "That path is a folder: download it with resource_type=\"folder\" (a zip), or name a file inside it.",
            TransferFailure.Agent when e.Message.Contains("not connected", StringComparison.Ordinal) =>
                "The server's agent is offline; check server_get and retry once it is connected.",
            TransferFailure.Agent => "The agent on the server refused or failed the transfer; see the message, correct the path or account, and retry.",
            TransferFailure.Timeout => "The agent has not finished yet (a large file, or the server is busy or offline). Check webftp_uploads_list or webftp_downloads_list later, or server_get for the agent's connection.",
            TransferFailure.Stalled => "The network stalled; retry the transfer.",
            TransferFailure.Storage when e.Code is "AccessDenied" && e.Message.Contains("expired", StringComparison.OrdinalIgnoreCase) => "The transfer link expired; start the transfer again.",
            TransferFailure.Storage when e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest => "Object storage refused the presigned request; retry once, and report it if it persists (it can mean clock skew or a proxy adding headers).",
            TransferFailure.Storage => "Object storage failed; retry later.",
            TransferFailure.NoStorage => "This Alpacon installation has no object storage for WebFTP; transfer the file with the Alpacon web console instead.",
            TransferFailure.SourceChanged => "The local file changed while it was sent; retry once nothing is writing to it.",
            TransferFailure.TooLarge => LocalPathHint,
            TransferFailure.Trigger when e.OutcomeUnknown =>
                "The agent may still write the file: check whether it arrived (e.g. execute_command with 'ls -l' on the path) before uploading again. An upload again replaces the file unless allow_overwrite is false.",
            TransferFailure.Trigger when e.StatusCode == HttpStatusCode.TooManyRequests => "Rate limited: upload the file again in a minute.",
            TransferFailure.Trigger => "The API refused to start the transfer; see the message, then upload the file again.",
            _ => null,
        };
        return new ToolError(e.Message, details, e.StatusCode is { } s ? (int)s : null, e.Code, hint);
    }
}

/// <summary>Writes a file through a temporary sibling and a rename, so a failed transfer never leaves a partial file.</summary>
internal static class AtomicFile
{
    public static async Task<T> WriteAsync<T>(string path, Func<Stream, Task<T>> write, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.part");
        try
        {
            T result;
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                result = await write(stream).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            File.Move(temp, path, overwrite: false);
            return result;
        }
        finally
        {
            File.Delete(temp); // a no-op after the rename
        }
    }
}
