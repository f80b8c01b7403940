using System.Text;
using System.Text.RegularExpressions;
using Alpacon.Api.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Alpacon.Mcp.Hosting;

/// <summary>
/// Masks credentials in text bound for a log: API tokens (<c>alpat-…</c>, <c>alpst-…</c>), Authorization values,
/// presigned object-storage URLs and WebSocket URLs (both carry their credential in the URL). Applied at the sink,
/// so a careless log call anywhere (ours, the SDK's, the framework's) cannot leak one.
/// </summary>
public static partial class LogRedaction
{
    /// <summary>Tool arguments whose values are secrets or bulk data: never logged, never shown in a confirmation.</summary>
    public static readonly IReadOnlySet<string> SecretArguments = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "token", "env", "data", "file_data", "password", "secret", "auth_token",
    };

    // Query parameters that make a URL a bearer credential (S3/MinIO, GCS, Azure SAS, signed tokens).
    private static readonly string[] SignedQueryMarkers = ["x-amz-", "signature=", "x-goog-", "sig=", "token=", "key=", "session="];

    [GeneratedRegex(@"\b(?:https?|wss?)://[^\s""'<>]+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"\balp[as]t-[A-Za-z0-9_\-]+")]
    private static partial Regex ApiToken();

    [GeneratedRegex(@"\b(token|key)(\s*[=:]\s*""?)[A-Za-z0-9_.\-]{16,}", RegexOptions.IgnoreCase)]
    private static partial Regex CredentialPair();

    // Authorization headers, in Alpacon's form (token="…") and as Bearer, whatever the token's length.
    [GeneratedRegex(@"(Authorization:?\s*(?:token=""?|Bearer\s+))[^\s""]+", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorizationHeader();

    [GeneratedRegex(@"\bBearer\s+[A-Za-z0-9_.\-~+/=]{8,}", RegexOptions.IgnoreCase)]
    private static partial Regex BearerValue();

    [GeneratedRegex(@"\b(X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature)=[^&\s""'<>]+", RegexOptions.IgnoreCase)]
    private static partial Regex SignatureParameter();

    [GeneratedRegex(@"/ws/[A-Za-z0-9_\-]+/[^\s""'<>]+")]
    private static partial Regex WebSocketPath();

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text ?? "";
        var result = AuthorizationHeader().Replace(text, "$1…");
        result = Url().Replace(result, m => RedactUrl(m.Value));
        result = WebSocketPath().Replace(result, m => m.Value[..(m.Value.IndexOf('/', 4) + 1)] + "…");
        result = SignatureParameter().Replace(result, m => m.Groups[1].Value + "=…");
        result = ApiToken().Replace(result, m => Secrets.Mask(m.Value));
        result = BearerValue().Replace(result, "Bearer …");
        result = CredentialPair().Replace(result, m => m.Groups[1].Value + m.Groups[2].Value + "…");
        return result;
    }

    /// <summary>WebSocket and signed URLs keep only their scheme and host; other URLs are left as they are.</summary>
    private static string RedactUrl(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var pathStart = url.IndexOfAny(['/', '?', '#'], schemeEnd);
        if (pathStart < 0)
            return url;
        var isWebSocket = url.StartsWith("ws", StringComparison.OrdinalIgnoreCase);
        var query = url.IndexOf('?', pathStart) is var q and >= 0 ? url[q..] : "";
        var signed = SignedQueryMarkers.Any(marker => query.Contains(marker, StringComparison.OrdinalIgnoreCase));
        return isWebSocket || signed ? url[..pathStart] + "/…(credential URL redacted)" : url;
    }
}

/// <summary>
/// The console format of alpacon-mcp (one line per entry, on stderr), with every line passed through
/// <see cref="LogRedaction"/> first. Exceptions are written into the same redacted text: their messages
/// can quote URLs.
/// </summary>
public sealed class RedactingConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "alpacon-redacting";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
            return;
        var line = new StringBuilder()
            .Append(Level(logEntry.LogLevel)).Append(": ")
            .Append(logEntry.Category).Append('[').Append(logEntry.EventId.Id).Append("] ")
            .Append(message);
        if (logEntry.Exception is { } exception)
            line.AppendLine().Append("      ").Append(exception.ToString().ReplaceLineEndings(Environment.NewLine + "      "));
        textWriter.WriteLine(LogRedaction.Redact(line.ToString()));
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
