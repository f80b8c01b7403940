using System.Net;
using System.Security.Cryptography;
using System.Text;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using Alpacon.Api.Webftp;

namespace Alpacon.Api.Tests;

public class WebftpClientTests
{
    private const string UploadUrl = "https://s3.example/bucket/obj-1?X-Amz-Date=20260501T000000Z&X-Amz-Expires=86400&X-Amz-Signature=SECRETSIG";
    private const string DownloadUrl = "https://s3.example/bucket/obj-2?X-Amz-Signature=SECRETSIG2";
    private static readonly WorkspaceTarget Target = new("ap1", "acme", new Uri("https://acme.ap1.alpacon.io"), "alpat-TESTTOKEN1234", TokenSource.File, false);
    private static readonly TransferTarget File = new("0e617a7e-4126-521f-af4a-960418890596", "/etc/app/app.conf", "root", "root");

    private static (WebftpClient Client, StubHandler Stub) Create()
    {
        var stub = new StubHandler();
        var options = new AlpaconApiOptions { BaseBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(2) };
        var api = new HttpClient(new ResilienceHandler(options) { InnerHandler = stub }) { Timeout = Timeout.InfiniteTimeSpan };
        var storage = new HttpClient(new ResilienceHandler(options) { InnerHandler = stub }) { Timeout = Timeout.InfiniteTimeSpan };
        var webftp = new WebftpOptions { FirstPollInterval = TimeSpan.FromMilliseconds(1), MaxPollInterval = TimeSpan.FromMilliseconds(2) };
        return (new WebftpClient(new AlpaconHttp(api), new PresignedStorage(storage, webftp), webftp), stub);
    }

    private static string Upload(string? url = UploadUrl) =>
        $$"""{"id":"u1","name":"app.conf","path":"/etc/app/","command":"c1","upload_url":{{(url is null ? "null" : $"\"{url}\"")}}}""";

    private static HttpResponseMessage Bytes(byte[] body)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
        response.Content.Headers.ContentLength = body.Length;
        return response;
    }

    [Fact]
    public async Task UploadAsync_FollowsTheFlow_AndThePutCarriesNeitherTokenNorContentType()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, Upload())
            .Respond(HttpStatusCode.OK, "")
            .Respond(HttpStatusCode.OK, "{}")
            .Respond(HttpStatusCode.UnprocessableEntity, """{"code":"webftp_transfer_in_progress"}""")
            .Respond(HttpStatusCode.OK, """{"success":null}""")
            .Respond(HttpStatusCode.OK, """{"success":true,"message":"done"}""");
        var content = Encoding.UTF8.GetBytes("listen 80\n");

        var result = await client.UploadAsync(Target, File, new MemoryStream(content), content.Length);

        Assert.Equal(("u1", "c1", 10L, "done"), (result.Id, result.Command, result.Size, result.Message));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), result.Sha256);
        var requests = stub.Requests.Select(r => $"{r.Request.Method} {r.Request.RequestUri!.GetLeftPart(UriPartial.Path)}").ToList();
        Assert.Equal(
        [
            "POST https://acme.ap1.alpacon.io/api/webftp/uploads/",
            "PUT https://s3.example/bucket/obj-1",
            "GET https://acme.ap1.alpacon.io/api/webftp/uploads/u1/upload/",
            "GET https://acme.ap1.alpacon.io/api/webftp/uploads/u1/status/",
            "GET https://acme.ap1.alpacon.io/api/webftp/uploads/u1/status/",
            "GET https://acme.ap1.alpacon.io/api/webftp/uploads/u1/status/",
        ], requests);
        Assert.Contains("\"path\":\"/etc/app/\"", stub.Requests[0].Body);
        Assert.Contains("\"name\":\"app.conf\"", stub.Requests[0].Body);
        var put = stub.Requests[1].Request;
        Assert.Equal(UploadUrl, put.RequestUri!.OriginalString);
        Assert.False(put.Headers.Contains("Authorization"));
        Assert.Null(put.Content!.Headers.ContentType);
        Assert.Equal(content.Length, put.Content.Headers.ContentLength);
        Assert.Equal("listen 80\n", stub.Requests[1].Body);
    }

    [Fact]
    public async Task UploadAsync_AgentFails_ThrowsItsReasonWithTheIds()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, Upload()).Respond(HttpStatusCode.OK, "").Respond(HttpStatusCode.OK, "{}")
            .Respond(HttpStatusCode.OK, """{"success":false,"message":"/etc/app/app.conf: Permission denied"}""");

        var e = await Assert.ThrowsAsync<WebftpException>(() => client.UploadAsync(Target, File, new MemoryStream([1]), 1));

        Assert.Equal(TransferFailure.Agent, e.Failure);
        Assert.Contains("Permission denied", e.Message);
        Assert.Equal(("u1", "c1"), (e.TransferId, e.Command));
    }

    [Fact]
    public async Task UploadAsync_TriggerAnswers503_IsSentOnce_AndSaysTheOutcomeIsUnknown()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, Upload()).Respond(HttpStatusCode.OK, "")
            .Respond(HttpStatusCode.ServiceUnavailable, """{"detail":"Service temporarily unavailable."}""")
            .Respond(HttpStatusCode.OK, """{"success":true,"message":"done"}""");

        var e = await Assert.ThrowsAsync<WebftpException>(() => client.UploadAsync(Target, File, new MemoryStream([1]), 1));

        // A GET, yet never retried: the first attempt may have started the transfer.
        Assert.Single(stub.Requests, r => r.Request.RequestUri!.AbsolutePath == "/api/webftp/uploads/u1/upload/");
        Assert.DoesNotContain(stub.Requests, r => r.Request.RequestUri!.AbsolutePath.EndsWith("/status/", StringComparison.Ordinal));
        Assert.Equal((TransferFailure.Trigger, HttpStatusCode.ServiceUnavailable, "u1", "c1"), (e.Failure, e.StatusCode, e.TransferId, e.Command));
        Assert.True(e.OutcomeUnknown);
        Assert.Contains("503", e.Message);
        Assert.Contains("not retried", e.Message);
    }

    [Fact]
    public async Task UploadAsync_TriggerConnectionReset_IsSentOnce()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, Upload()).Respond(HttpStatusCode.OK, "")
            .Respond(_ => throw new HttpRequestException("Connection reset by peer"))
            .Respond(HttpStatusCode.OK, "{}");

        var e = await Assert.ThrowsAsync<WebftpException>(() => client.UploadAsync(Target, File, new MemoryStream([1]), 1));

        Assert.Single(stub.Requests, r => r.Request.RequestUri!.AbsolutePath == "/api/webftp/uploads/u1/upload/");
        Assert.Equal(TransferFailure.Trigger, e.Failure);
        Assert.Null(e.StatusCode);
        Assert.Contains("Connection reset", e.Message);
    }

    [Fact]
    public async Task UploadAsync_TriggerRefusedWith403_SaysNothingWasWritten()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, Upload()).Respond(HttpStatusCode.OK, "")
            .Respond(HttpStatusCode.Forbidden, """{"code":"api_token_acl_not_allowed"}""");

        var e = await Assert.ThrowsAsync<WebftpException>(() => client.UploadAsync(Target, File, new MemoryStream([1]), 1));

        Assert.Equal((TransferFailure.Trigger, HttpStatusCode.Forbidden, "api_token_acl_not_allowed"), (e.Failure, e.StatusCode, e.Code));
        Assert.False(e.OutcomeUnknown);
        Assert.Contains("nothing was written", e.Message);
    }

    [Fact]
    public async Task UploadAsync_NoUploadUrl_IsNoStorage_AndSendsNoBytes()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, Upload(url: null));
        var e = await Assert.ThrowsAsync<WebftpException>(() => client.UploadAsync(Target, File, new MemoryStream([1]), 1));
        Assert.Equal(TransferFailure.NoStorage, e.Failure);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task UploadAsync_StorageRefusesThePut_ReportsTheS3CodeOnceAndNeverTheUrl()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, Upload())
            .Respond(HttpStatusCode.Forbidden, "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error>", "application/xml");

        var e = await Assert.ThrowsAsync<WebftpException>(() => client.UploadAsync(Target, File, new MemoryStream([1, 2]), 2));

        Assert.Equal((TransferFailure.Storage, HttpStatusCode.Forbidden, "SignatureDoesNotMatch"), (e.Failure, e.StatusCode, e.Code));
        Assert.DoesNotContain("SECRETSIG", e.ToString());
        Assert.DoesNotContain("s3.example", e.Message);
        Assert.Single(stub.Requests, r => r.Request.Method == HttpMethod.Put); // a PUT is never retried
        Assert.Equal("u1", e.TransferId);
    }

    [Fact]
    public async Task UploadAsync_SourceShorterThanAnnounced_FailsAsSourceChanged()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, Upload()).Respond(HttpStatusCode.OK, "");
        var e = await Assert.ThrowsAsync<WebftpException>(() => client.UploadAsync(Target, File, new MemoryStream([1, 2]), 5));
        Assert.Equal(TransferFailure.SourceChanged, e.Failure);
    }

    [Fact]
    public async Task DownloadAsync_WaitsForTheAgentsCommand_RetriesATransientGet_ThenReadsTheStatus()
    {
        var (client, stub) = Create();
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        stub.Respond(HttpStatusCode.Created, $$"""{"id":"d1","command":"c2","download_url":"{{DownloadUrl}}"}""")
            .Respond(HttpStatusCode.OK, """{"id":"c2","status":"running","handled_at":null}""")
            .Respond(HttpStatusCode.OK, """{"id":"c2","status":"success","success":true,"handled_at":"2026-11-24T00:00:00Z"}""")
            .Respond(HttpStatusCode.ServiceUnavailable, "<Error><Code>SlowDown</Code></Error>", "application/xml")
            .Respond(_ => Bytes(bytes))
            .Respond(HttpStatusCode.UnprocessableEntity, """{"code":"webftp_transfer_in_progress"}""")
            .Respond(HttpStatusCode.OK, """{"success":true,"message":"ready"}""");
        var destination = new MemoryStream();

        var result = await client.DownloadAsync(Target, File with { Path = "/var/log/syslog" }, folder: false, destination);

        Assert.Equal(bytes, destination.ToArray());
        Assert.Equal((1000L, Convert.ToHexStringLower(SHA256.HashData(bytes)), "d1", "c2", "ready"), (result.Size, result.Sha256, result.Id, result.Command, result.Message));
        Assert.Contains("\"resource_type\":\"file\"", stub.Requests[0].Body);
        Assert.Contains("\"name\":\"syslog\"", stub.Requests[0].Body);
        Assert.Equal(["/api/webftp/downloads/", "/api/events/commands/c2/", "/api/events/commands/c2/", "/bucket/obj-2", "/bucket/obj-2", "/api/webftp/downloads/d1/status/", "/api/webftp/downloads/d1/status/"],
            stub.Requests.Select(r => r.Request.RequestUri!.AbsolutePath));
        var gets = stub.Requests.Where(r => r.Request.RequestUri!.Host == "s3.example").ToList();
        Assert.Equal(2, gets.Count);
        Assert.All(gets, g => Assert.False(g.Request.Headers.Contains("Authorization")));
    }

    [Fact]
    public async Task DownloadAsync_FailedCommand_FailsWithTheAgentsReason_WithoutFetching()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, $$"""{"id":"d1","command":"c2","download_url":"{{DownloadUrl}}"}""")
            .Respond(HttpStatusCode.OK, """{"id":"c2","status":"failed","success":false,"result":"/var/log/syslog: Permission denied\n","handled_at":"2026-11-24T00:00:00Z"}""");

        var e = await Assert.ThrowsAsync<WebftpException>(() => client.DownloadAsync(Target, File with { Path = "/var/log/syslog" }, false, new MemoryStream()));

        Assert.Equal(TransferFailure.Agent, e.Failure);
        Assert.Contains("Permission denied", e.Message);
        Assert.DoesNotContain(stub.Requests, r => r.Request.RequestUri!.Host == "s3.example");
    }

    [Fact]
    public async Task DownloadAsync_StuckCommand_Fails_NamingTheState()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, $$"""{"id":"d1","command":"c2","download_url":"{{DownloadUrl}}"}""")
            .Respond(HttpStatusCode.OK, """{"id":"c2","status":"stuck","handled_at":null}""");

        var e = await Assert.ThrowsAsync<WebftpException>(() => client.DownloadAsync(Target, File, false, new MemoryStream()));

        Assert.Equal(TransferFailure.Agent, e.Failure);
        Assert.Contains("'stuck'", e.Message);
    }

    [Fact]
    public async Task DownloadAsync_CommandTheTokenCannotRead_WaitsForTheStatus_BeforeFetching()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, $$"""{"id":"d1","command":"c2","download_url":"{{DownloadUrl}}"}""")
            .Respond(HttpStatusCode.NotFound, """{"detail":"Not found."}""")
            .Respond(HttpStatusCode.UnprocessableEntity, """{"code":"webftp_transfer_in_progress"}""")
            .Respond(HttpStatusCode.OK, """{"success":true,"message":"ready"}""")
            .Respond(_ => Bytes([1, 2, 3]));

        var result = await client.DownloadAsync(Target, File, false, new MemoryStream());

        Assert.Equal((3L, "ready"), (result.Size, result.Message));
        // The object may not be stored before the status says so: the link is read only after it, and the status only once.
        Assert.Equal(["/api/webftp/downloads/", "/api/events/commands/c2/", "/api/webftp/downloads/d1/status/", "/api/webftp/downloads/d1/status/", "/bucket/obj-2"],
            stub.Requests.Select(r => r.Request.RequestUri!.AbsolutePath));
    }

    [Fact]
    public async Task DownloadAsync_NoCommandId_WaitsForTheStatus_BeforeFetching()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, $$"""{"id":"d1","download_url":"{{DownloadUrl}}"}""")
            .Respond(HttpStatusCode.UnprocessableEntity, """{"code":"webftp_transfer_in_progress"}""")
            .Respond(HttpStatusCode.OK, """{"success":true,"message":"ready"}""")
            .Respond(_ => Bytes([7]));

        var result = await client.DownloadAsync(Target, File, false, new MemoryStream());

        Assert.Equal(1, result.Size);
        Assert.Equal(["/api/webftp/downloads/", "/api/webftp/downloads/d1/status/", "/api/webftp/downloads/d1/status/", "/bucket/obj-2"],
            stub.Requests.Select(r => r.Request.RequestUri!.AbsolutePath));
    }

    [Fact]
    public async Task DownloadAsync_UnfollowedCommand_AgentFailure_FailsWithoutFetching()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, $$"""{"id":"d1","command":"c2","download_url":"{{DownloadUrl}}"}""")
            .Respond(HttpStatusCode.Forbidden, """{"detail":"You do not have permission to perform this action."}""")
            .Respond(HttpStatusCode.OK, """{"success":false,"message":"/var/log/syslog: Permission denied"}""");

        var e = await Assert.ThrowsAsync<WebftpException>(() => client.DownloadAsync(Target, File with { Path = "/var/log/syslog" }, false, new MemoryStream()));

        Assert.Equal(TransferFailure.Agent, e.Failure);
        Assert.Contains("Permission denied", e.Message);
        Assert.DoesNotContain(stub.Requests, r => r.Request.RequestUri!.Host == "s3.example");
    }

    [Fact]
    public async Task DownloadAsync_ForbiddenGet_IsNotRetried()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, $$"""{"id":"d1","download_url":"{{DownloadUrl}}"}""")
            .Respond(HttpStatusCode.OK, """{"success":true,"message":"ready"}""")
            .Respond(HttpStatusCode.Forbidden, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", "application/xml");

        var e = await Assert.ThrowsAsync<WebftpException>(() => client.DownloadAsync(Target, File, false, new MemoryStream()));

        Assert.Equal(("AccessDenied", TransferFailure.Storage), (e.Code, e.Failure));
        Assert.Contains("expired", e.Message);
        Assert.Single(stub.Requests, r => r.Request.RequestUri!.Host == "s3.example");
    }

    [Fact]
    public async Task DownloadAsync_MoreThanTheLimit_StopsAsTooLarge()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.Created, $$"""{"id":"d1","download_url":"{{DownloadUrl}}"}""")
            .Respond(HttpStatusCode.OK, """{"success":true,"message":"ready"}""")
            .Respond(_ => Bytes(new byte[100]));
        var e = await Assert.ThrowsAsync<WebftpException>(() => client.DownloadAsync(Target, File, false, new MemoryStream(), maxBytes: 10));
        Assert.Equal(TransferFailure.TooLarge, e.Failure);
    }

    [Fact]
    public async Task GetSessionAsync_WithoutADetailRoute_FindsTheSessionInTheList()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.NotFound, "<html>Not Found</html>", "text/html")
            .Respond(HttpStatusCode.OK, """{"count":2,"next":null,"results":[{"id":"s0","server":{"id":"x"}},{"id":"s1","server":{"id":"srv","name":"web-01"},"username":"jane","groupname":"alpacon"}]}""");

        var session = await client.GetSessionAsync(Target, "s1");

        Assert.Equal(new WebftpSession("s1", "srv", "web-01", "jane", "alpacon"), session);
        Assert.Equal("/api/webftp/sessions/s1/", stub.Requests[0].Request.RequestUri!.AbsolutePath);
        Assert.Equal("/api/webftp/sessions/", stub.Requests[1].Request.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task GetSessionAsync_UnknownSession_Is404()
    {
        var (client, stub) = Create();
        stub.Respond(HttpStatusCode.NotFound, """{"detail":"Not found."}""").Respond(HttpStatusCode.OK, """{"count":0,"next":null,"results":[]}""");
        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => client.GetSessionAsync(Target, "nope"));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
    }

    [Theory]
    [InlineData("/etc//app/./app.conf", "/etc/app/app.conf")]
    [InlineData("/tmp/x/", "/tmp/x")]
    [InlineData("/", "/")]
    public void RemotePath_Normalizes(string path, string expected)
    {
        Assert.True(RemotePath.TryNormalize(path, out var normalized, out _));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("/tmp/../etc/passwd", "..")]
    [InlineData("etc/passwd", "not absolute")]
    [InlineData("/tmp/a\0b", "NUL")]
    [InlineData("/tmp/a\nb", "control")]
    [InlineData("", "empty")]
    public void RemotePath_Refuses(string path, string reason)
    {
        Assert.False(RemotePath.TryNormalize(path, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void RemotePath_SplitsDirectoryAndName()
    {
        Assert.Equal(("/etc/app/", "app.conf"), (RemotePath.Directory("/etc/app/app.conf"), RemotePath.Name("/etc/app/app.conf")));
        Assert.Equal(("/", "x"), (RemotePath.Directory("/x"), RemotePath.Name("/x")));
    }
}
