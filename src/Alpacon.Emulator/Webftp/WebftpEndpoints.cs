using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Shell;

namespace Alpacon.Emulator.Webftp;

/// <summary>
/// <c>/api/webftp/</c>: sessions, uploads, downloads and their status (alpacon-api.md §2.8, §4). Creating a
/// transfer checks the token's file ACL and hands out presigned URLs on the emulator's own object store; the agent
/// (<see cref="TransferAgent"/>) moves the bytes, and <c>…/status/</c> answers 422 until it is done.
/// </summary>
public static class WebftpEndpoints
{
    public static IServiceCollection AddWebftp(this IServiceCollection services) =>
        services.AddSingleton<WebftpState>().AddSingleton<ObjectStore>().AddSingleton<TransferAgent>();

    public static RouteGroupBuilder MapWebftp(this RouteGroupBuilder api)
    {
        api.MapPost("/webftp/sessions/", CreateSession);
        api.MapGet("/webftp/sessions/", ListSessions);
        api.MapGet("/webftp/sessions/{id}/", GetSession);
        api.MapPost("/webftp/uploads/", CreateUpload);
        api.MapGet("/webftp/uploads/", ListUploads);
        api.MapGet("/webftp/uploads/{id}/", GetUpload);
        api.MapGet("/webftp/uploads/{id}/upload/", TriggerUpload);
        api.MapGet("/webftp/uploads/{id}/status/", UploadStatus);
        api.MapPost("/webftp/downloads/", CreateDownload);
        api.MapGet("/webftp/downloads/", ListDownloads);
        api.MapGet("/webftp/downloads/{id}/", GetDownload);
        api.MapGet("/webftp/downloads/{id}/status/", DownloadStatus);
        return api;
    }

    // ---- sessions ----

    private static async Task CreateSession(HttpContext ctx)
    {
        if (await Api.ReadObject(ctx) is not { } body || await Caller(ctx) is not { } user)
            return;
        var world = ctx.RequestServices.GetRequiredService<World>();
        var state = ctx.RequestServices.GetRequiredService<WebftpState>();
        if (await ServerOf(ctx, world, body) is not { } server || await AccountOf(ctx, world, user, server, body) is not { } account)
            return;
        var session = new FtpSession { Id = Ids.New(), Server = server, User = user, Username = account.Username, Groupname = account.Groupname, AddedAt = world.Now };
        lock (state.Gate)
            state.Sessions.Add(session);
        await Api.Created(ctx, session.ToJson());
    }

    private static Task ListSessions(HttpContext ctx)
    {
        var state = ctx.RequestServices.GetRequiredService<WebftpState>();
        var user = Principals.Of(ctx).User;
        var server = Api.Query(ctx, "server");
        List<JsonNode> items;
        lock (state.Gate)
        {
            items = [.. state.Sessions
                .Where(s => Visible(user, s.User) && (server is null || s.Server.Id == server))
                .OrderByDescending(s => s.AddedAt)
                .Select(s => (JsonNode)s.ToJson())];
        }
        return Api.Page(ctx, items);
    }

    private static Task GetSession(HttpContext ctx)
    {
        var state = ctx.RequestServices.GetRequiredService<WebftpState>();
        var user = Principals.Of(ctx).User;
        lock (state.Gate)
            return state.Sessions.Find(s => s.Id == Api.RouteId(ctx) && Visible(user, s.User)) is { } session ? Api.Json(ctx, session.ToJson()) : Api.NotFound(ctx);
    }

    // ---- uploads ----

    private static async Task CreateUpload(HttpContext ctx)
    {
        if (await Api.ReadObject(ctx) is not { } body || await Caller(ctx) is not { } user)
            return;
        var world = ctx.RequestServices.GetRequiredService<World>();
        var name = Api.String(body, "name");
        var path = Api.String(body, "path");
        if (string.IsNullOrEmpty(name) || name is "." or ".." || name.Contains('/') || name.Contains('\0'))
        {
            await Api.FieldError(ctx, "name", string.IsNullOrEmpty(name) ? "This field is required." : "Enter a file name without '/'.");
            return;
        }
        if (await AbsolutePath(ctx, path) is not { } given || await ServerOf(ctx, world, body) is not { } server)
            return;
        var full = UploadTarget(given, name);
        if (!await AclAllows(ctx, "upload", full) || await AccountOf(ctx, world, user, server, body) is not { } account)
            return;
        var transfer = NewTransfer(ctx, TransferKind.Upload, name, given, full, server, user, account, body);
        await Api.Created(ctx, transfer.ToJson());
    }

    /// <summary>
    /// §4.1: <c>path</c> is the target directory and <c>name</c> the file. A path ending in <c>/</c> is joined with
    /// the name; one whose last segment is the name is taken as the full path (what older clients send); any other is a directory.
    /// </summary>
    internal static string UploadTarget(string path, string name)
    {
        if (path.EndsWith('/'))
            return VfsPath.Normalize(VfsPath.Combine(path, name));
        var normalized = VfsPath.Normalize(path);
        return VfsPath.Name(normalized) == name ? normalized : VfsPath.Normalize(VfsPath.Combine(normalized, name));
    }

    private static Task ListUploads(HttpContext ctx) => ListTransfers(ctx, TransferKind.Upload);

    private static Task GetUpload(HttpContext ctx) => GetTransfer(ctx, TransferKind.Upload);

    /// <summary>Asks the agent to fetch the object into place; a second trigger does not start a second transfer.</summary>
    private static Task TriggerUpload(HttpContext ctx)
    {
        if (Visible(ctx, TransferKind.Upload) is not { } transfer)
            return Api.NotFound(ctx);
        ctx.RequestServices.GetRequiredService<TransferAgent>().Start(transfer);
        return Api.Json(ctx, new JsonObject { ["id"] = transfer.Id, ["command"] = transfer.Command });
    }

    private static Task UploadStatus(HttpContext ctx) => Status(ctx, TransferKind.Upload);

    // ---- downloads ----

    private static async Task CreateDownload(HttpContext ctx)
    {
        if (await Api.ReadObject(ctx) is not { } body || await Caller(ctx) is not { } user)
            return;
        var world = ctx.RequestServices.GetRequiredService<World>();
        var resourceType = Api.String(body, "resource_type") ?? "file";
        if (resourceType is not ("file" or "folder"))
        {
            await Api.FieldError(ctx, "resource_type", $"\"{resourceType}\" is not a valid choice.");
            return;
        }
        if (await AbsolutePath(ctx, Api.String(body, "path")) is not { } given || await ServerOf(ctx, world, body) is not { } server)
            return;
        var full = VfsPath.Normalize(given);
        var folder = resourceType == "folder";
        var name = Api.String(body, "name") is { Length: > 0 } n ? n : VfsPath.Name(full) + (folder ? ".zip" : "");
        if (!await AclAllows(ctx, "download", full) || await AccountOf(ctx, world, user, server, body) is not { } account)
            return;
        var transfer = NewTransfer(ctx, TransferKind.Download, name, given, full, server, user, account, body, folder);
        // The server issues the agent's command at once: the agent reads the file and PUTs it to storage.
        ctx.RequestServices.GetRequiredService<TransferAgent>().Start(transfer);
        await Api.Created(ctx, transfer.ToJson());
    }

    private static Task ListDownloads(HttpContext ctx) => ListTransfers(ctx, TransferKind.Download);

    private static Task GetDownload(HttpContext ctx) => GetTransfer(ctx, TransferKind.Download);

    private static Task DownloadStatus(HttpContext ctx) => Status(ctx, TransferKind.Download);

    // ---- shared ----

    private static Transfer NewTransfer(HttpContext ctx, TransferKind kind, string name, string path, string full, Server server, User user, (string Username, string Groupname) account, JsonObject body, bool folder = false)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        var store = ctx.RequestServices.GetRequiredService<ObjectStore>();
        var state = ctx.RequestServices.GetRequiredService<WebftpState>();
        var objectId = Ids.New();
        var baseUrl = Api.BaseUrl(ctx);
        var transfer = new Transfer
        {
            Id = Ids.New(),
            Kind = kind,
            Name = name,
            Path = path,
            FullPath = full,
            Server = server,
            User = user,
            Username = account.Username,
            Groupname = account.Groupname,
            Folder = folder,
            AllowOverwrite = Api.Bool(body, "allow_overwrite") ?? false,
            AllowUnzip = Api.Bool(body, "allow_unzip") ?? false,
            ObjectId = objectId,
            Command = Ids.New(),
            AddedAt = world.Now,
            ExpiresAt = world.Now + ObjectStore.LinkLifetime,
            // An upload's link is the client's to write; a download's upload_url is the agent's, its download_url the client's.
            UploadUrl = store.Presign(baseUrl, "PUT", objectId),
            DownloadUrl = kind == TransferKind.Download ? store.Presign(baseUrl, "GET", objectId) : null,
        };
        lock (state.Gate)
            state.Transfers.Add(transfer);
        return transfer;
    }

    private static Task ListTransfers(HttpContext ctx, TransferKind kind)
    {
        var world = ctx.RequestServices.GetRequiredService<World>();
        var state = ctx.RequestServices.GetRequiredService<WebftpState>();
        var caller = Principals.Of(ctx).User;
        var (server, user, username, groupname) = (Api.Query(ctx, "server"), Api.Query(ctx, "user"), Api.Query(ctx, "username"), Api.Query(ctx, "groupname"));
        var now = world.Now;
        List<JsonNode> items;
        lock (state.Gate)
        {
            items = [.. state.Transfers
                .Where(t => t.Kind == kind && t.ExpiresAt > now && Visible(caller, t.User)
                    && (server is null || t.Server.Id == server) && (user is null || t.User.Id == user)
                    && (username is null || t.Username == username) && (groupname is null || t.Groupname == groupname))
                .OrderByDescending(t => t.AddedAt)
                .Select(t => (JsonNode)t.ToJson())];
        }
        return Api.Page(ctx, items);
    }

    private static Task GetTransfer(HttpContext ctx, TransferKind kind)
    {
        var state = ctx.RequestServices.GetRequiredService<WebftpState>();
        if (Visible(ctx, kind) is not { } transfer)
            return Api.NotFound(ctx);
        lock (state.Gate)
            return Api.Json(ctx, transfer.ToJson());
    }

    /// <summary>422 <c>webftp_transfer_in_progress</c> until the agent is done, then <c>{success, message[, download_url]}</c>.</summary>
    private static Task Status(HttpContext ctx, TransferKind kind)
    {
        var state = ctx.RequestServices.GetRequiredService<WebftpState>();
        if (Visible(ctx, kind) is not { } transfer)
            return Api.NotFound(ctx);
        TransferOutcome? outcome;
        lock (state.Gate)
            outcome = transfer.Outcome;
        if (outcome is null)
            return Api.Coded(ctx, StatusCodes.Status422UnprocessableEntity, "webftp_transfer_in_progress", "The transfer is in progress.");
        var body = new JsonObject { ["success"] = outcome.Success, ["message"] = outcome.Message };
        if (kind == TransferKind.Download && outcome.Success)
            body["download_url"] = transfer.DownloadUrl;
        return Api.Json(ctx, body);
    }

    private static Transfer? Visible(HttpContext ctx, TransferKind kind) =>
        ctx.RequestServices.GetRequiredService<WebftpState>().Find(kind, Api.RouteId(ctx)) is { } t && Visible(Principals.Of(ctx).User, t.User) ? t : null;

    /// <summary>Staff see every transfer and session; others their own.</summary>
    private static bool Visible(User? caller, User owner) => caller is not null && (caller.IsStaff || caller.IsSuperuser || caller == owner);

    /// <summary>WebFTP acts for a user; a simulated agent's credentials cannot start transfers.</summary>
    private static async Task<User?> Caller(HttpContext ctx)
    {
        if (Principals.Of(ctx).User is { } user)
            return user;
        await Api.Forbidden(ctx);
        return null;
    }

    private static async Task<string?> AbsolutePath(HttpContext ctx, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            await Api.FieldError(ctx, "path", "This field is required.");
            return null;
        }
        if (!path.StartsWith('/') || path.Contains('\0'))
        {
            await Api.FieldError(ctx, "path", "Enter an absolute path.");
            return null;
        }
        return path;
    }

    private static async Task<Server?> ServerOf(HttpContext ctx, World world, JsonObject body)
    {
        var id = Api.String(body, "server");
        if (string.IsNullOrEmpty(id))
        {
            await Api.FieldError(ctx, "server", "This field is required.");
            return null;
        }
        Server? server;
        lock (world.Gate)
            server = world.FindServer(id);
        if (server is null)
            await Api.FieldError(ctx, "server", $"Invalid pk \"{id}\" - object does not exist.");
        return server;
    }

    /// <summary>
    /// The Linux account a transfer acts as: <c>username</c> (default: the caller's own), which only staff may set to
    /// another user's account or root; <c>groupname</c> defaults to the account's primary group.
    /// </summary>
    private static async Task<(string Username, string Groupname)?> AccountOf(HttpContext ctx, World world, User user, Server server, JsonObject body)
    {
        var username = Api.String(body, "username") is { Length: > 0 } u ? u : user.Username;
        if (username != user.Username && !user.IsStaff && !user.IsSuperuser)
        {
            await Api.Detail(ctx, StatusCodes.Status403Forbidden, $"You may act only as your own account '{user.Username}' on this server, not as '{username}'.");
            return null;
        }
        var groupname = Api.String(body, "groupname") is { Length: > 0 } g ? g : world.Hosts.Get(server).FindAccount(username)?.Group ?? username;
        return (username, groupname);
    }

    private static async Task<bool> AclAllows(HttpContext ctx, string action, string normalizedPath)
    {
        if (FileAcl.Allows(Principals.Of(ctx).Grant, action, normalizedPath))
            return true;
        await Api.Coded(ctx, StatusCodes.Status403Forbidden, "api_token_acl_not_allowed", $"The token's file ACL does not allow {action} of {normalizedPath}.", "webftp");
        return false;
    }
}
