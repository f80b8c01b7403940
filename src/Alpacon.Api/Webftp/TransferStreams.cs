using System.Net;
using System.Security.Cryptography;

namespace Alpacon.Api.Webftp;

/// <summary>What moved: the byte count and the SHA-256 of exactly those bytes (lower-case hex).</summary>
public sealed record TransferDigest(long Bytes, string Sha256);

/// <summary>How far a transfer is: bytes moved so far out of <see cref="Total"/> when known.</summary>
public readonly record struct TransferProgress(string Phase, long Bytes, long? Total);

/// <summary>
/// Cancels a transfer when no bytes have moved for <see cref="Timeout"/>: a fixed deadline would be wrong both for
/// a 1 KB file (too long) and a 5 GB one (too short), a stall is what actually signals a dead transfer.
/// </summary>
internal sealed class StallGuard : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly CancellationToken _outer;

    public StallGuard(TimeSpan timeout, CancellationToken outer)
    {
        Timeout = timeout;
        _outer = outer;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        Touch();
    }

    public TimeSpan Timeout { get; }

    public CancellationToken Token => _cts.Token;

    /// <summary>True when the guard, not the caller, cancelled.</summary>
    public bool Stalled => _cts.IsCancellationRequested && !_outer.IsCancellationRequested;

    public void Touch()
    {
        try
        {
            _cts.CancelAfter(Timeout);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _cts.Dispose();
}

/// <summary>Reports byte progress at most once per step (and always at the end), each value larger than the last.</summary>
internal sealed class ProgressThrottle(IProgress<TransferProgress>? sink, string phase, long? total, long step = 1 << 20)
{
    private long _last = -1;

    public void Report(long bytes, bool force = false)
    {
        if (sink is null || bytes <= _last || (!force && _last >= 0 && bytes - _last < step && bytes != total))
            return;
        _last = bytes;
        sink.Report(new TransferProgress(phase, bytes, total));
    }
}

/// <summary>
/// A request body streamed from <paramref name="source"/>: exactly <paramref name="length"/> bytes (so
/// <c>Content-Length</c> is set, as presigned PUTs need), hashed with SHA-256 on the way, and with no
/// <c>Content-Type</c> header: a presigned URL signs the headers it was made with, and an extra one breaks it.
/// </summary>
internal sealed class HashingContent(Stream source, long length, StallGuard guard, ProgressThrottle progress) : HttpContent
{
    private const int ChunkSize = 128 * 1024;

    public TransferDigest? Digest { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, guard.Token);
        var buffer = new byte[ChunkSize];
        long sent = 0;
        progress.Report(0, force: true);
        while (sent < length)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - sent)), linked.Token).ConfigureAwait(false);
            if (read == 0)
                throw new WebftpException($"The local file ended after {sent} of {length} bytes: it changed while it was being sent.", TransferFailure.SourceChanged);
            hash.AppendData(buffer, 0, read);
            await stream.WriteAsync(buffer.AsMemory(0, read), linked.Token).ConfigureAwait(false);
            sent += read;
            guard.Touch();
            progress.Report(sent);
        }
        Digest = new TransferDigest(sent, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    protected override bool TryComputeLength(out long length1)
    {
        length1 = length;
        return true;
    }
}
