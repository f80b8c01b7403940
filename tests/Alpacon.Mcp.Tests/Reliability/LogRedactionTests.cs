using Alpacon.Mcp.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Alpacon.Mcp.Tests.Reliability;

/// <summary>The redaction every log line passes through before it reaches stderr.</summary>
public sealed class LogRedactionTests
{
    [Theory]
    [InlineData("token alpat-TESTSECRET-0123456789abcdef refused", "token alpat-…cdef refused")]
    [InlineData("service alpst-SERVICE-0123456789abcdef", "service alpst-…cdef")]
    [InlineData("Authorization: token=\"0123456789abcdef0123\"", "Authorization: token=\"…\"")]
    [InlineData("Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl", "Authorization: Bearer …")]
    [InlineData("GET https://s3.example.com/bucket/a.txt?X-Amz-Algorithm=AWS4&X-Amz-Signature=abc123 done", "GET https://s3.example.com/…(credential URL redacted) done")]
    [InlineData("opened wss://acme.ap1.alpacon.io/ws/websh/8f1e/?token=abc", "opened wss://acme.ap1.alpacon.io/…(credential URL redacted)")]
    [InlineData("relative /ws/websh/8f1e2d/channel?session=1 kept", "relative /ws/websh/… kept")]
    [InlineData("query X-Amz-Signature=deadbeef&x=1", "query X-Amz-Signature=…&x=1")]
    [InlineData("GET https://acme.ap1.alpacon.io/api/servers/servers/?page=2 200", "GET https://acme.ap1.alpacon.io/api/servers/servers/?page=2 200")]
    [InlineData("'token' is required", "'token' is required")]
    public void Redact_MasksCredentials_AndLeavesTheRest(string line, string expected) =>
        Assert.Equal(expected, LogRedaction.Redact(line));

    [Fact]
    public void Formatter_RedactsMessageAndException_OnOneEntry()
    {
        var formatter = new RedactingConsoleFormatter();
        using var writer = new StringWriter();
        var exception = new InvalidOperationException("connect to wss://h.example/ws/websh/1/?token=s3cr3t failed");
        var entry = new LogEntry<string>(LogLevel.Warning, "Alpacon.Test", new EventId(7), "using alpat-TESTSECRET-0123456789abcdef", exception, (s, _) => s);

        formatter.Write(entry, null, writer);

        var text = writer.ToString();
        Assert.StartsWith("warn: Alpacon.Test[7] using alpat-…cdef", text);
        Assert.Contains("InvalidOperationException", text);
        Assert.DoesNotContain("TESTSECRET", text);
        Assert.DoesNotContain("s3cr3t", text);
        Assert.DoesNotContain("/ws/websh/1", text);
    }
}
