using System.Net;
using Alpacon.Api.Http;

namespace Alpacon.Api.Webftp;

/// <summary>Where a transfer failed; each calls for a different next step.</summary>
public enum TransferFailure
{
    /// <summary>Object storage refused the presigned PUT or GET (expired link, signature, size).</summary>
    Storage,

    /// <summary>The agent on the server reported failure (permissions, missing file, no space, ...).</summary>
    Agent,

    /// <summary>The agent did not finish within the wait; the transfer may still complete.</summary>
    Timeout,

    /// <summary>No bytes moved for too long while sending or receiving.</summary>
    Stalled,

    /// <summary>The content is larger than the caller allowed.</summary>
    TooLarge,

    /// <summary>The workspace handed out no presigned URL (no object storage configured).</summary>
    NoStorage,

    /// <summary>The local source changed while it was being sent.</summary>
    SourceChanged,

    /// <summary>
    /// Asking the agent to start the upload failed. It is never retried; after a 5xx, a timeout or a broken connection
    /// (<see cref="AlpaconApiException.OutcomeUnknown"/>) the agent may still write the file.
    /// </summary>
    Trigger,
}

/// <summary>
/// A WebFTP transfer failed after it was created. The message never contains a presigned URL (those are
/// credentials); it names the transfer and command ids so the caller can look the transfer up later.
/// <see cref="AlpaconApiException.StatusCode"/> and <see cref="AlpaconApiException.Code"/> are object storage's
/// (e.g. 403 <c>SignatureDoesNotMatch</c>) for a <see cref="TransferFailure.Storage"/> failure.
/// </summary>
public sealed class WebftpException(string message, TransferFailure failure, string? transferId = null, string? command = null, HttpStatusCode? statusCode = null, string? code = null, Exception? inner = null)
    : AlpaconApiException(message, statusCode, code, inner: inner)
{
    public TransferFailure Failure { get; } = failure;

    /// <summary>The upload's or download's id, when it was created.</summary>
    public string? TransferId { get; internal set; } = transferId;

    /// <summary>The id of the command the server issued to the agent for this transfer.</summary>
    public string? Command { get; internal set; } = command;

    /// <summary>The limit that stopped a <see cref="TransferFailure.TooLarge"/> transfer.</summary>
    public long? Limit { get; init; }
}
