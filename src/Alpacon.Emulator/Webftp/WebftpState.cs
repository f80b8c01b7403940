using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Webftp;

/// <summary>A WebFTP session (the browser file manager's): a server and the account it acts as.</summary>
public sealed class FtpSession
{
    public required string Id { get; init; }
    public required Server Server { get; init; }
    public required User User { get; init; }
    public required string Username { get; init; }
    public required string Groupname { get; init; }
    public DateTimeOffset AddedAt { get; init; }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["server"] = Server.Summary(),
        ["user"] = User.Summary(),
        ["username"] = Username,
        ["groupname"] = Groupname,
        ["added_at"] = Api.Iso(AddedAt),
        ["closed_at"] = null,
    };
}

public enum TransferKind
{
    Upload,
    Download,
}

/// <summary>How the agent's part of a transfer ended; <see cref="Size"/> is the bytes it moved.</summary>
public sealed record TransferOutcome(bool Success, string Message, long Size = 0);

/// <summary>
/// An upload or download. The bytes live in the <see cref="ObjectStore"/> under <see cref="ObjectId"/>; the agent
/// moves them between there and the host's filesystem (<see cref="TransferAgent"/>), under the command <see cref="Command"/>.
/// </summary>
public sealed class Transfer
{
    public required string Id { get; init; }
    public required TransferKind Kind { get; init; }
    public required string Name { get; init; }

    /// <summary>The <c>path</c> as the client sent it (an upload's directory, or a full path).</summary>
    public required string Path { get; init; }

    /// <summary>The normalised file or folder the agent reads or writes.</summary>
    public required string FullPath { get; init; }

    public required Server Server { get; init; }
    public required User User { get; init; }
    public required string Username { get; init; }
    public required string Groupname { get; init; }
    public bool Folder { get; init; }
    public bool AllowOverwrite { get; init; }
    public bool AllowUnzip { get; init; }
    public required string ObjectId { get; init; }
    public required string Command { get; init; }
    public DateTimeOffset AddedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public string? UploadUrl { get; init; }
    public string? DownloadUrl { get; init; }

    /// <summary>Set once the agent was asked to act (an upload's trigger; a download at creation).</summary>
    public bool Started { get; set; }

    /// <summary>Null while the agent works.</summary>
    public TransferOutcome? Outcome { get; set; }

    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["id"] = Id,
            ["name"] = Name,
            ["path"] = Kind == TransferKind.Upload ? Path : FullPath,
            ["size"] = Outcome?.Size ?? 0,
            ["server"] = Server.Summary(),
            ["user"] = User.Id,
            ["username"] = Username,
            ["groupname"] = Groupname,
            ["added_at"] = Api.Iso(AddedAt),
            ["expires_at"] = Api.Iso(ExpiresAt),
            ["upload_url"] = UploadUrl,
            ["download_url"] = DownloadUrl,
            ["command"] = Command,
        };
        if (Kind == TransferKind.Upload)
        {
            o["allow_overwrite"] = AllowOverwrite;
            o["allow_unzip"] = AllowUnzip;
        }
        else
        {
            o["resource_type"] = Folder ? "folder" : "file";
        }
        return o;
    }
}

/// <summary>WebFTP sessions and transfers of the emulated workspace, under one lock.</summary>
public sealed class WebftpState
{
    public Lock Gate { get; } = new();

    public List<FtpSession> Sessions { get; } = [];

    public List<Transfer> Transfers { get; } = [];

    public Transfer? Find(TransferKind kind, string id)
    {
        lock (Gate)
            return Transfers.Find(t => t.Kind == kind && t.Id == id);
    }
}
