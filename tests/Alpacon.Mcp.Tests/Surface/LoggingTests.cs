using Alpacon.Mcp.Hosting;
using Microsoft.Extensions.Logging;

namespace Alpacon.Mcp.Tests.Surface;

/// <summary>The file sink writes redacted lines (the redaction itself: Reliability/LogRedactionTests).</summary>
public sealed class LoggingTests
{
    [Fact]
    public void FileSink_AppendsRedactedLines_ToA0600File()
    {
        var dir = Directory.CreateTempSubdirectory("alpacon-log-").FullName;
        try
        {
            var path = Path.Combine(dir, "new", "mcp.log");
            using (var factory = LoggerFactory.Create(b => b.AddProvider(new FileLoggerProvider(path))))
            {
                var log = factory.CreateLogger("Test");
                log.LogWarning("token {Token} was refused", "alpat-LEAKCHECK-0123456789");
                log.LogError(new InvalidOperationException("boom at wss://h/ws/websh/1/"), "failed");
            }
            using (var factory = LoggerFactory.Create(b => b.AddProvider(new FileLoggerProvider(path))))
                factory.CreateLogger("Test").LogInformation("second run");

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var text = File.ReadAllText(path);
            Assert.Contains("warn Test: token alpat-…6789 was refused", text);
            Assert.Contains("fail Test: failed", text);
            Assert.Contains("InvalidOperationException: boom at wss://h/…(credential URL redacted)", text);
            Assert.Contains("info Test: second run", text);
            Assert.DoesNotContain("LEAKCHECK", text);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
