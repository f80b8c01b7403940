using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Alpacon.Api.Http;

namespace Alpacon.Api.Webftp;

/// <summary>
/// PUT and GET against presigned object-storage URLs. This client is registered apart from <see cref="AlpaconHttp"/>:
/// it sends no <c>Authorization</c> (the signature is in the URL; S3 answers 400 to a request carrying both) and no
/// <c>Content-Type</c> (not among the signed headers, so S3 answers SignatureDoesNotMatch), has no loggers (the URLs
/// are credentials) and no automatic decompression (bytes must arrive exactly as stored). Its resilience handler
/// retries only the GET, on 5xx/408/429 and network errors; a PUT is sent once.
/// </summary>
public sealed partial class PresignedStorage(HttpClient http, WebftpOptions options)
{
    [GeneratedRegex("<Code>([^<]*)</Code>")]
    private static partial Regex XmlCode();

    [GeneratedRegex("<Message>([^<]*)</Message>")]
    private static partial Regex XmlMessage();

    /// <summary>Sends <paramref name="length"/> bytes of <paramref name="source"/> with one PUT; returns their size and SHA-256.</summary>
    public async Task<TransferDigest> PutAsync(Uri url, Stream source, long length, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        Check(url);
        using var guard = new StallGuard(options.StallTimeout, cancellationToken);
        using var content = new HashingContent(source, length, guard, new ProgressThrottle(progress, "upload", length));
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, guard.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (guard.Stalled)
        {
            throw Stalled("sending the file to object storage", guard, e);
        }
        catch (Exception e) when (Find<WebftpException>(e) is { } inner)
        {
            throw inner; // the source failed (it changed under us), not the network
        }
        catch (AlpaconApiException e) when (e is not WebftpException)
        {
            throw new WebftpException($"Sending the file to object storage failed: {e.Message}", TransferFailure.Storage, inner: e);
        }
        using (response)
        {
            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.NoContent))
                throw await FailureAsync("PUT", response, cancellationToken).ConfigureAwait(false);
        }
        return content.Digest ?? new TransferDigest(0, Convert.ToHexStringLower(SHA256.HashData([])));
    }

    /// <summary>
    /// Streams the object at <paramref name="url"/> into <paramref name="destination"/>, hashing it; stops with
    /// <see cref="TransferFailure.TooLarge"/> as soon as more than <paramref name="maxBytes"/> arrive.
    /// </summary>
    public async Task<TransferDigest> GetAsync(Uri url, Stream destination, long? maxBytes, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        Check(url);
        using var guard = new StallGuard(options.StallTimeout, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(ResilienceHandler.StreamResponse, true);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, guard.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
                throw await FailureAsync("GET", response, cancellationToken).ConfigureAwait(false);
            var total = response.Content.Headers.ContentLength;
            if (maxBytes is { } max && total > max)
                throw TooLarge(total.Value, max);
            var throttle = new ProgressThrottle(progress, "download", total);
            throttle.Report(0, force: true);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var body = await response.Content.ReadAsStreamAsync(guard.Token).ConfigureAwait(false);
            var buffer = new byte[128 * 1024];
            long received = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, guard.Token).ConfigureAwait(false)) > 0)
            {
                received += read;
                if (maxBytes is { } limit && received > limit)
                    throw TooLarge(received, limit);
                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), guard.Token).ConfigureAwait(false);
                guard.Touch();
                throttle.Report(received);
            }
            if (total is { } expected && expected != received)
                throw new WebftpException($"Object storage announced {expected} bytes but sent {received}.", TransferFailure.Storage);
            throttle.Report(received, force: true);
            return new TransferDigest(received, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch (OperationCanceledException e) when (guard.Stalled)
        {
            throw Stalled("receiving the file from object storage", guard, e);
        }
        catch (AlpaconApiException e) when (e is not WebftpException)
        {
            throw new WebftpException($"Fetching the file from object storage failed: {e.Message}", TransferFailure.Storage, inner: e);
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebftpException($"The connection to object storage broke during the download: {e.Message}", TransferFailure.Storage, inner: e);
        }
    }

    private static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
                return found;
        }
        return null;
    }

    /// <summary>Only absolute http(s) URLs are followed; anything else in an API answer is a bug or an attack.</summary>
    private static void Check(Uri url)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http"))
            throw new WebftpException("The API returned a transfer URL that is not an http(s) URL.", TransferFailure.Storage);
    }

    private static WebftpException TooLarge(long size, long limit) =>
        new($"The content is larger than the limit of {Units.Bytes(limit)} ({(size > limit + 1 ? Units.Bytes(size) : "at least " + Units.Bytes(size))}).", TransferFailure.TooLarge) { Limit = limit };

    private static WebftpException Stalled(string what, StallGuard guard, Exception inner) =>
        new($"No bytes moved for {guard.Timeout.TotalSeconds:0} s while {what}; the transfer was abandoned.", TransferFailure.Stalled, inner: inner);

    /// <summary>An S3 error answer: XML with Code and Message. The URL is never part of the message.</summary>
    private static async Task<WebftpException> FailureAsync(string method, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            text = "";
        }
        var code = XmlCode().Match(text) is { Success: true } c ? WebUtility.HtmlDecode(c.Groups[1].Value) : null;
        var message = XmlMessage().Match(text) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;
        var status = (int)response.StatusCode;
        var detail = code is null ? "" : $": {code}" + (message is null ? "" : $" ({message})");
        return new WebftpException($"Object storage refused the {method}: {status} {response.ReasonPhrase}{detail}.", TransferFailure.Storage, statusCode: response.StatusCode, code: code);
    }
}

/// <summary>Human-readable sizes for messages and results.</summary>
public static class Units
{
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB",
    };
}
