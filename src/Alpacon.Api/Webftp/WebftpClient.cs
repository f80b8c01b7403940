using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alpacon.Api.Commands;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;

namespace Alpacon.Api.Webftp;

/// <summary>A WebFTP session: which server and which Linux account transfers act as.</summary>
public sealed record WebftpSession(string Id, string ServerId, string? ServerName, string? Username, string? Groupname);

/// <summary>Where a transfer goes or comes from: a server, a normalised absolute path, and the account on that server.</summary>
public sealed record TransferTarget(string ServerId, string Path, string? Username, string? Groupname);

/// <summary>A finished transfer: its ids, the bytes that moved and their SHA-256, and the agent's message.</summary>
public sealed record TransferResult(string Id, string? Command, string Path, long Size, string Sha256, string? Message);

/// <summary>
/// WebFTP (<c>/api/webftp/</c>): sessions, the upload and download lists, and the two transfer flows of
/// alpacon-api.md §4. Bytes never go through the API: they go to and from presigned object-storage URLs
/// (<see cref="PresignedStorage"/>), and the agent moves them between storage and the server.
/// </summary>
public sealed class WebftpClient(AlpaconHttp http, PresignedStorage storage, WebftpOptions options)
{
    public const string SessionsPath = "/api/webftp/sessions/";
    public const string UploadsPath = "/api/webftp/uploads/";
    public const string DownloadsPath = "/api/webftp/downloads/";

    /// <summary>Opens a session (<c>POST /api/webftp/sessions/</c>); <paramref name="username"/> null lets the server pick the caller's account.</summary>
    public Task<JsonNode?> CreateSessionAsync(WorkspaceTarget ws, string serverId, string? username, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["server"] = serverId };
        if (username is not null)
            body["username"] = username;
        return http.PostAsync(ws, SessionsPath, body, cancellationToken);
    }

    public Task<(JsonArray Items, int Total)> ListSessionsAsync(WorkspaceTarget ws, string? serverId, int limit, CancellationToken cancellationToken = default) =>
        http.GetListAsync(ws, SessionsPath, new Query().Add("server", serverId).Add("ordering", "-added_at"), limit, cancellationToken);

    /// <summary>
    /// One session, from its detail route. Where that route is missing (the contract only names the list), a 404
    /// or 405 falls back to finding the id in the list.
    /// </summary>
    public async Task<WebftpSession> GetSessionAsync(WorkspaceTarget ws, string sessionId, CancellationToken cancellationToken = default)
    {
        JsonNode? body;
        try
        {
            body = await http.GetAsync(ws, $"{SessionsPath}{sessionId}/", cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (AlpaconApiException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            var all = await http.GetAllAsync(ws, SessionsPath, cancellationToken: cancellationToken).ConfigureAwait(false);
            body = all.FirstOrDefault(s => Text(s?["id"]) == sessionId)
                ?? throw new AlpaconApiException($"There is no WebFTP session {sessionId} visible to this token in the workspace.", HttpStatusCode.NotFound, e.Code, e.Body, inner: e);
        }
        return ParseSession(body, sessionId);
    }

    public static WebftpSession ParseSession(JsonNode? body, string sessionId)
    {
        var server = body?["server"];
        var serverId = server is JsonObject s ? Text(s["id"]) : Text(server);
        if (serverId is null)
            throw new AlpaconApiException($"The WebFTP session {sessionId} names no server.", HttpStatusCode.BadGateway);
        return new WebftpSession(Text(body?["id"]) ?? sessionId, serverId, server is JsonObject so ? Text(so["name"]) : null, Text(body?["username"]), Text(body?["groupname"]));
    }

    public Task<(JsonArray Items, int Total)> ListUploadsAsync(WorkspaceTarget ws, string? serverId, int limit, CancellationToken cancellationToken = default) =>
        http.GetListAsync(ws, UploadsPath, new Query().Add("server", serverId).Add("ordering", "-added_at"), limit, cancellationToken);

    public Task<(JsonArray Items, int Total)> ListDownloadsAsync(WorkspaceTarget ws, string? serverId, int limit, CancellationToken cancellationToken = default) =>
        http.GetListAsync(ws, DownloadsPath, new Query().Add("server", serverId).Add("ordering", "-added_at"), limit, cancellationToken);

    /// <summary>
    /// Uploads <paramref name="length"/> bytes of <paramref name="source"/> to <c>target.Path</c> (§4.1): create the
    /// upload, PUT the bytes to its presigned URL, trigger the agent, and poll the status until it is done.
    /// </summary>
    public async Task<TransferResult> UploadAsync(WorkspaceTarget ws, TransferTarget target, Stream source, long length, bool allowOverwrite = true, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["name"] = RemotePath.Name(target.Path),
            ["path"] = RemotePath.Directory(target.Path),
            ["server"] = target.ServerId,
            ["allow_overwrite"] = allowOverwrite,
            ["allow_unzip"] = false,
        };
        AddAccount(body, target);
        // Never retried: the resilience handler sends a POST once, and a second upload object would be a second transfer.
        var upload = await http.PostAsync(ws, UploadsPath, body, cancellationToken).ConfigureAwait(false);
        var id = Text(upload?["id"]) ?? throw new AlpaconApiException("The API created the upload but returned no id.", HttpStatusCode.BadGateway);
        var command = Text(upload?["command"]);
        var url = Text(upload?["upload_url"]);
        if (string.IsNullOrEmpty(url))
            throw new WebftpException("This workspace returned no upload URL (it has no object storage), so the bytes cannot be sent through the API.", TransferFailure.NoStorage, id, command);

        TransferDigest digest;
        try
        {
            digest = await storage.PutAsync(Link(url, id, command), source, length, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (WebftpException e)
        {
            (e.TransferId, e.Command) = (id, command);
            throw;
        }
        await TriggerAsync(ws, id, command, target.Path, cancellationToken).ConfigureAwait(false);
        var status = await WaitForStatusAsync(ws, $"{UploadsPath}{id}/status/", options.UploadWait(length), "write", target.Path, id, command, cancellationToken).ConfigureAwait(false);
        return new TransferResult(id, command, target.Path, digest.Bytes, digest.Sha256, Text(status["message"]));
    }

    /// <summary>
    /// Asks the agent to fetch the stored object into place (§4.1 step 3). The trigger starts work although it is a GET,
    /// so it is sent exactly once: after a 5xx, a timeout or a broken connection the server may have passed it on all
    /// the same, and a second trigger could start a second transfer. The failure says whether the outcome is unknown.
    /// </summary>
    private async Task TriggerAsync(WorkspaceTarget ws, string id, string? command, string remotePath, CancellationToken cancellationToken)
    {
        try
        {
            await http.GetStartingWorkAsync(ws, $"{UploadsPath}{id}/upload/", cancellationToken).ConfigureAwait(false);
        }
        catch (AlpaconApiException e) when (e is not WebftpException)
        {
            var message = e.OutcomeUnknown
                ? $"The file is in object storage, but asking the agent to write it to {remotePath} failed, and whether the request reached the agent is unknown: {e.Message.TrimEnd('.')}. It was sent once and not retried, because a second request could start a second transfer."
                : $"The file is in object storage, but the API refused to have the agent write it to {remotePath}, so nothing was written: {e.Message}";
            throw new WebftpException(message, TransferFailure.Trigger, id, command, e.StatusCode, e.Code, e);
        }
    }

    /// <summary>
    /// Downloads <c>source.Path</c> (a file, or with <paramref name="folder"/> a directory as a zip) into
    /// <paramref name="destination"/> (§4.2): create the download, wait for the agent to put it into storage, then GET
    /// its presigned URL. More than <paramref name="maxBytes"/> bytes stop it with <see cref="TransferFailure.TooLarge"/>.
    /// </summary>
    public async Task<TransferResult> DownloadAsync(WorkspaceTarget ws, TransferTarget source, bool folder, Stream destination, long? maxBytes = null, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var name = RemotePath.Name(source.Path);
        var body = new JsonObject
        {
            ["path"] = source.Path,
            ["name"] = folder ? name + ".zip" : name,
            ["server"] = source.ServerId,
            ["resource_type"] = folder ? "folder" : "file",
        };
        AddAccount(body, source);
        var download = await http.PostAsync(ws, DownloadsPath, body, cancellationToken).ConfigureAwait(false);
        var id = Text(download?["id"]) ?? throw new AlpaconApiException("The API created the download but returned no id.", HttpStatusCode.BadGateway);
        var command = Text(download?["command"]);

        // §4.2: the agent's command puts the file into storage; its end says when the link can be read. A command that
        // cannot be followed (no id, or hidden from this token) says nothing about that, and the link is handed out
        // before the object exists (a GET then is 404 NoSuchKey): the transfer's status is waited for instead.
        // Some servers give the link only in the status; then the status is read first too.
        var followed = command is not null && await WaitForCommandAsync(ws, command, source.Path, id, cancellationToken).ConfigureAwait(false);
        JsonObject? status = null;
        var url = Text(download?["download_url"]);
        if (!followed || string.IsNullOrEmpty(url))
        {
            status = await WaitForStatusAsync(ws, $"{DownloadsPath}{id}/status/", options.DownloadWait, "read", source.Path, id, command, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(url))
                url = Text(status["download_url"]);
        }
        if (string.IsNullOrEmpty(url))
            throw new WebftpException("The agent finished, but the workspace returned no download URL (it has no object storage).", TransferFailure.NoStorage, id, command);
        try
        {
            var digest = await storage.GetAsync(Link(url, id, command), destination, maxBytes, progress, cancellationToken).ConfigureAwait(false);
            status ??= await WaitForStatusAsync(ws, $"{DownloadsPath}{id}/status/", options.DownloadWait, "read", source.Path, id, command, cancellationToken).ConfigureAwait(false);
            return new TransferResult(id, command, source.Path, digest.Bytes, digest.Sha256, Text(status["message"]));
        }
        catch (WebftpException e)
        {
            (e.TransferId, e.Command) = (id, command);
            throw;
        }
    }

    /// <summary>
    /// Polls a transfer's status: 422 (<c>webftp_transfer_in_progress</c>) or a null <c>success</c> means running.
    /// <c>success:false</c> is the agent's failure, with its reason.
    /// </summary>
    private Task<JsonObject> WaitForStatusAsync(WorkspaceTarget ws, string path, TimeSpan wait, string verb, string remotePath, string id, string? command, CancellationToken cancellationToken) =>
        PollAsync(wait, id, command, async ct =>
        {
            try
            {
                if (await http.GetAsync(ws, path, cancellationToken: ct).ConfigureAwait(false) is JsonObject status
                    && status["success"] is JsonValue success && success.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                {
                    if (success.GetValueKind() is JsonValueKind.True)
                        return status;
                    var reason = Text(status["message"]) is { Length: > 0 } m ? m : "no reason given";
                    throw new WebftpException($"The agent could not {verb} {remotePath}: {reason}", TransferFailure.Agent, id, command);
                }
            }
            catch (AlpaconApiException e) when (e.StatusCode == HttpStatusCode.UnprocessableEntity)
            {
                // webftp_transfer_in_progress
            }
            return null;
        }, cancellationToken);

    /// <summary>
    /// Polls the transfer's agent command until it ends (§4.2 step 2, §5.3): true once it succeeded. A command the token
    /// may not read (403/404) is not followed and gives false: the caller waits for the transfer's status instead.
    /// </summary>
    private async Task<bool> WaitForCommandAsync(WorkspaceTarget ws, string command, string remotePath, string id, CancellationToken cancellationToken)
    {
        var end = await PollAsync(options.DownloadWait, id, command, async ct =>
        {
            JsonObject state;
            try
            {
                if (await http.GetAsync(ws, $"/api/events/commands/{command}/", cancellationToken: ct).ConfigureAwait(false) is not JsonObject o)
                    return null;
                state = o;
            }
            catch (AlpaconApiException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
            {
                return new CommandEnd(Followed: false);
            }
            switch (CommandWaiter.Settled(state))
            {
                case CommandWaitEnd.Completed when state["success"] is JsonValue ok && ok.GetValueKind() is JsonValueKind.False:
                    var reason = Text(state["result"]) is { Length: > 0 } r ? r.Trim() : "no reason given";
                    throw new WebftpException($"The agent could not read {remotePath}: {reason}", TransferFailure.Agent, id, command);
                case CommandWaitEnd.Completed:
                    return new CommandEnd(Followed: true);
                case CommandWaitEnd.Failed:
                    throw new WebftpException($"The agent's command for {remotePath} ended '{CommandsClient.Status(state)}' without the file.", TransferFailure.Agent, id, command);
                default:
                    return null;
            }
        }, cancellationToken).ConfigureAwait(false);
        return end.Followed;
    }

    /// <summary>How following a transfer's command ended: it succeeded, or it could not be followed.</summary>
    private sealed record CommandEnd(bool Followed);

    /// <summary>Calls <paramref name="poll"/> until it returns a result, waiting 250 ms doubling to 2 s between calls, for up to <paramref name="wait"/>.</summary>
    private async Task<T> PollAsync<T>(TimeSpan wait, string id, string? command, Func<CancellationToken, Task<T?>> poll, CancellationToken cancellationToken)
        where T : class
    {
        var started = Stopwatch.GetTimestamp();
        var delay = options.FirstPollInterval;
        while (true)
        {
            if (await poll(cancellationToken).ConfigureAwait(false) is { } done)
                return done;
            if (Stopwatch.GetElapsedTime(started) >= wait)
                throw new WebftpException($"The agent had not finished after {wait.TotalSeconds:0} s; the transfer may still complete.", TransferFailure.Timeout, id, command);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxPollInterval.Ticks));
        }
    }

    /// <summary>A presigned URL from the API; the text is a credential, so a malformed one is reported without it.</summary>
    private static Uri Link(string url, string id, string? command) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri
            : throw new WebftpException("The API returned a transfer URL that is not a valid absolute URL.", TransferFailure.Storage, id, command);

    private static void AddAccount(JsonObject body, TransferTarget target)
    {
        if (target.Username is not null)
            body["username"] = target.Username;
        if (target.Groupname is not null)
            body["groupname"] = target.Groupname;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
