using Alpacon.Emulator.Commands;
using Alpacon.Emulator.Core;
using Alpacon.Emulator.Shell;

namespace Alpacon.Emulator.Webftp;

/// <summary>
/// The simulated agent's side of WebFTP: moves bytes between the object store and the server's virtual filesystem,
/// as the transfer's account, so an uploaded file is what <c>cat</c> shows in a command or Websh session.
/// As on the real server, the work runs as an agent command whose id is the transfer's <c>command</c>, so clients
/// follow it at <c>/api/events/commands/{command}/</c> (alpacon-api.md §4.2); its outcome also lands on the
/// transfer for the status endpoints.
/// </summary>
public sealed class TransferAgent(World world, ObjectStore store, WebftpState state, CommandStore commands)
{
    private readonly Lock _holdGate = new();
    private TaskCompletionSource? _hold;

    /// <summary>Issues the agent's command for <paramref name="transfer"/>; its outcome lands on the transfer.</summary>
    public void Start(Transfer transfer)
    {
        lock (state.Gate)
        {
            if (transfer.Started)
                return;
            transfer.Started = true;
        }
        var verb = transfer.Kind == TransferKind.Upload ? "upload" : "download";
        var command = commands.SubmitInternal(transfer.Server, transfer.User, $"webftp {verb} {transfer.FullPath}", async ct =>
        {
            await Held().WaitAsync(ct).ConfigureAwait(false);
            TransferOutcome outcome;
            try
            {
                outcome = Run(transfer);
            }
            catch (Exception e)
            {
                outcome = new TransferOutcome(false, $"The agent failed: {e.Message}");
            }
            Settle(transfer, outcome);
            return (outcome.Message, outcome.Success ? 0 : 1);
        }, transfer.Command);
        // An offline server's agent never receives the command (it turns stuck later); the status says so at once.
        bool connected;
        lock (world.Gate)
            connected = transfer.Server.IsConnected;
        if (!connected)
            Settle(transfer, new TransferOutcome(false, $"The agent of {transfer.Server.Name} is not connected; the transfer was not delivered."));
        // A command that ends without running its work (cancelled, stuck, timed out) ends the transfer too.
        _ = commands.WhenFinalAsync(command).ContinueWith(
            _ => Settle(transfer, new TransferOutcome(false, $"The agent's command {command.Id} ended before the transfer finished.")),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The first outcome wins: the work's own, or the reason it never ran.</summary>
    private void Settle(Transfer transfer, TransferOutcome outcome)
    {
        lock (state.Gate)
            transfer.Outcome ??= outcome;
    }

    /// <summary>
    /// Keeps every transfer "in progress" until the returned handle is disposed, as a slow agent would; tests use it
    /// to see the status endpoint answer 422.
    /// </summary>
    public IDisposable Hold()
    {
        lock (_holdGate)
            _hold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return new Release(this);
    }

    /// <summary>
    /// Carries out one transfer on the server's host (only a connected agent receives the command): never throws for
    /// a failure the agent would report.
    /// </summary>
    private TransferOutcome Run(Transfer transfer)
    {
        var host = world.Hosts.Get(transfer.Server);
        if (host.FindAccount(transfer.Username) is not { } account)
            return new TransferOutcome(false, $"user '{transfer.Username}' does not exist on {host.Hostname}");
        try
        {
            return transfer.Kind == TransferKind.Upload ? Upload(host, account, transfer) : Download(host, account, transfer);
        }
        catch (VfsException e)
        {
            return new TransferOutcome(false, $"{e.Path}: {e.Reason}");
        }
        catch (InvalidDataException e)
        {
            return new TransferOutcome(false, $"{transfer.Name} is not a valid zip archive: {e.Message}");
        }
    }

    private TransferOutcome Upload(SimulatedHost host, Account account, Transfer transfer)
    {
        if (store.Get(transfer.ObjectId) is not { } bytes)
            return new TransferOutcome(false, $"{transfer.Name} is not in object storage: PUT the file to upload_url before triggering the upload.");
        var fs = host.FileSystem;
        var directory = VfsPath.Parent(transfer.FullPath);
        if (transfer.AllowUnzip && transfer.Name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            var files = fs.Unzip(bytes, directory, account);
            store.Delete(transfer.ObjectId);
            return new TransferOutcome(true, $"Extracted {files.Count} file(s) from {transfer.Name} into {directory}.", bytes.Length);
        }
        if (!transfer.AllowOverwrite && fs.Stat(transfer.FullPath, account) is not null)
            return new TransferOutcome(false, $"{transfer.FullPath}: File exists (allow_overwrite is false)");
        fs.WriteFile(transfer.FullPath, bytes, account);
        store.Delete(transfer.ObjectId); // the agent has fetched it; the store keeps only what is still to be read
        return new TransferOutcome(true, $"Uploaded {transfer.Name} to {directory} ({bytes.Length} bytes).", bytes.Length);
    }

    private TransferOutcome Download(SimulatedHost host, Account account, Transfer transfer)
    {
        var entry = host.FileSystem.GetEntry(transfer.FullPath, account);
        if (transfer.Folder && !entry.IsDirectory)
            return new TransferOutcome(false, $"{transfer.FullPath}: Not a directory (download it as a file)");
        if (!transfer.Folder && entry.IsDirectory)
            return new TransferOutcome(false, $"{transfer.FullPath}: Is a directory (download it as a folder)");
        var bytes = transfer.Folder ? host.FileSystem.ZipFolder(transfer.FullPath, account) : host.FileSystem.ReadFile(transfer.FullPath, account);
        store.Put(transfer.ObjectId, bytes);
        return new TransferOutcome(true, $"{transfer.FullPath} is ready to download ({bytes.Length} bytes{(transfer.Folder ? ", zip" : "")}).", bytes.Length);
    }

    private Task Held()
    {
        lock (_holdGate)
            return _hold?.Task ?? Task.CompletedTask;
    }

    private sealed class Release(TransferAgent agent) : IDisposable
    {
        public void Dispose()
        {
            lock (agent._holdGate)
            {
                agent._hold?.TrySetResult();
                agent._hold = null;
            }
        }
    }
}
