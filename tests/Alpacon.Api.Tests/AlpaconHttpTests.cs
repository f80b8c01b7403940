using System.Net;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using Alpacon.Api.Servers;

namespace Alpacon.Api.Tests;

public class AlpaconHttpTests
{
    private static readonly WorkspaceTarget Target = new("ap1", "acme", new Uri("https://acme.ap1.alpacon.io"), "alpat-TESTTOKEN1234", TokenSource.File, false);

    private static (AlpaconHttp Http, StubHandler Stub) Create(AlpaconApiOptions? options = null)
    {
        var stub = new StubHandler();
        options ??= new AlpaconApiOptions { BaseBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(2) };
        var client = new HttpClient(new ResilienceHandler(options) { InnerHandler = stub }) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", options.UserAgent);
        return (new AlpaconHttp(client), stub);
    }

    [Fact]
    public async Task GetAsync_BuildsUrlFromBaseAndSendsTokenHeader()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """{"id":"x"}""");

        var body = await http.GetAsync(Target, "/api/servers/servers/abc/", new Query().Add("a", "b c"));

        Assert.Equal("x", body!["id"]!.GetValue<string>());
        var request = stub.Requests.Single().Request;
        Assert.Equal("https://acme.ap1.alpacon.io/api/servers/servers/abc/?a=b%20c", request.RequestUri!.AbsoluteUri);
        Assert.Equal("token=\"alpat-TESTTOKEN1234\"", request.Headers.GetValues("Authorization").Single());
        Assert.StartsWith("alpacon-mcp/", request.Headers.UserAgent.ToString());
        Assert.Contains("application/json", request.Headers.Accept.ToString());
    }

    [Fact]
    public async Task Authorize_JwtToken_UsesBearer()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, "{}");
        await http.GetAsync(Target with { Token = "aaa.bbb.ccc" }, "/api/status/");
        Assert.Equal("Bearer aaa.bbb.ccc", stub.Requests.Single().Request.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public async Task GetAllAsync_WalksEveryPage()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """{"count":5,"current":1,"next":2,"previous":null,"last":3,"results":[{"n":1},{"n":2}]}""")
            .Respond(HttpStatusCode.OK, """{"count":5,"current":2,"next":3,"previous":1,"last":3,"results":[{"n":3},{"n":4}]}""")
            .Respond(HttpStatusCode.OK, """{"count":5,"current":3,"next":null,"previous":2,"last":3,"results":[{"n":5}]}""");

        var items = await http.GetAllAsync(Target, "/api/servers/servers/", new Query().Add("ordering", "name"));

        Assert.Equal([1, 2, 3, 4, 5], items.Select(i => i!["n"]!.GetValue<int>()));
        Assert.Equal(
            ["?ordering=name&page=1&page_size=100", "?ordering=name&page=2&page_size=100", "?ordering=name&page=3&page_size=100"],
            stub.Requests.Select(r => r.Request.RequestUri!.Query));
    }

    [Fact]
    public async Task GetAllAsync_StopsAtLimit_AndAcceptsBareArray()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """[{"n":1},{"n":2},{"n":3}]""");
        var items = await http.GetAllAsync(Target, "/api/iam/memberships/", limit: 2);
        Assert.Equal(2, items.Count);
        Assert.Contains("page_size=2", stub.Requests.Single().Request.RequestUri!.Query);
    }

    [Fact]
    public async Task GetAllAsync_WithSelect_KeepsWhatSelectMakesOfEachItem()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """{"count":3,"next":2,"results":[{"n":1,"big":{"x":[1,2]}},{"n":2}]}""")
            .Respond(HttpStatusCode.OK, """{"count":3,"next":null,"results":[{"n":3}]}""");

        var items = await http.GetAllAsync(Target, "/api/servers/servers/", e => e.GetProperty("n").GetInt32() * 10);

        Assert.Equal([10, 20, 30], items.Select(i => i!.GetValue<int>()));
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task GetAsync_EmptyOrBlankBody_IsNull()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.NoContent).Respond(HttpStatusCode.OK, " \n");
        Assert.Null(await http.DeleteAsync(Target, "/api/servers/notes/n1/"));
        Assert.Null(await http.GetAsync(Target, "/api/status/"));
    }

    [Theory]
    [InlineData("""{"a":{"b":[1,"x",null]}}""")]
    [InlineData("""[1,2.50,-3,1e400,true,false,null,"s\u00e9"]""")]
    [InlineData("12345678901234567890")]
    public void ToNode_CopiesTheElementExactly(string json)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var node = AlpaconHttp.ToNode(doc.RootElement);
        doc.Dispose();
        Assert.Equal(JsonNode.Parse(json)!.ToJsonString(), node!.ToJsonString());
    }

    [Fact]
    public async Task PostAsync_SendsJsonBody()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.Created, """{"id":"n1"}""");
        var servers = new ServersClient(http);

        await servers.CreateNoteAsync(Target, "7e6cf167-0000-4000-8000-000000000001", "Patch", "Sunday 02:00");

        var (request, body) = stub.Requests.Single();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/api/servers/notes/", request.RequestUri!.AbsolutePath);
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        var json = JsonNode.Parse(body!)!.AsObject();
        Assert.Equal("**Patch**\n\nSunday 02:00", json["content"]!.GetValue<string>());
        Assert.False(json.ContainsKey("title"));
        Assert.Equal("7e6cf167-0000-4000-8000-000000000001", json["server"]!.GetValue<string>());
    }

    [Fact]
    public async Task Failure_KeepsCodeAndDetail()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.Forbidden, """{"code":"api_token_acl_not_allowed","detail":"Not allowed by ACL."}""");
        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => http.PostAsync(Target, "/api/events/commands/", new JsonObject()));
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
        Assert.Equal("api_token_acl_not_allowed", e.Code);
        Assert.Contains("Not allowed by ACL.", e.Message);
    }

    [Fact]
    public async Task Failure_JoinsFieldErrors()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.BadRequest, """{"content":["This field may not be blank."],"non_field_errors":["At most 3 pinned."]}""");
        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => http.PostAsync(Target, "/api/servers/notes/", new JsonObject()));
        Assert.Contains("content: This field may not be blank.", e.Message);
        Assert.Contains("At most 3 pinned.", e.Message);
        Assert.Null(e.Code);
    }

    [Fact]
    public async Task Failure_HtmlPage_SaysSo()
    {
        var (http, stub) = Create(new AlpaconApiOptions { MaxRetries = 0 });
        stub.Respond(HttpStatusCode.BadGateway, "<html><body>Bad gateway</body></html>", "text/html");
        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => http.GetAsync(Target, "/api/servers/servers/"));
        Assert.Contains("HTML page", e.Message);
        Assert.Equal(HttpStatusCode.BadGateway, e.StatusCode);
    }

    [Fact]
    public async Task Success_WithMalformedJson_IsAClearError()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.OK, "{not json");
        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => http.GetAsync(Target, "/api/servers/servers/"));
        Assert.Contains("not JSON", e.Message);
    }

    [Fact]
    public async Task Get_IsRetriedAfter503()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.ServiceUnavailable).Respond(HttpStatusCode.OK, """{"ok":true}""");
        var body = await http.GetAsync(Target, "/api/servers/servers/");
        Assert.True(body!["ok"]!.GetValue<bool>());
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task Get_HonoursRetryAfterOn429()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.TooManyRequests, """{"detail":"throttled"}""", configure: r => r.Headers.RetryAfter = new(TimeSpan.Zero))
            .Respond(HttpStatusCode.OK, "{}");
        await http.GetAsync(Target, "/api/servers/servers/");
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task Get_WithLongRetryAfter_ReturnsTheDelayInsteadOfWaiting()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.TooManyRequests, """{"detail":"Request was throttled. Expected available in 37 seconds."}""", configure: r => r.Headers.RetryAfter = new(TimeSpan.FromSeconds(37)));
        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => http.GetAsync(Target, "/api/servers/servers/"));
        Assert.Single(stub.Requests);
        Assert.Equal(TimeSpan.FromSeconds(37), e.RetryAfter);
    }

    [Fact]
    public async Task Get_GivesUpAfterMaxRetries()
    {
        var (http, stub) = Create(new AlpaconApiOptions { MaxRetries = 2, BaseBackoff = TimeSpan.FromMilliseconds(1) });
        stub.Respond(HttpStatusCode.InternalServerError, """{"detail":"boom"}""");
        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => http.GetAsync(Target, "/api/servers/servers/"));
        Assert.Equal(3, stub.Requests.Count);
        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
    }

    [Fact]
    public async Task Post_IsNeverRetried()
    {
        var (http, stub) = Create();
        stub.Respond(HttpStatusCode.ServiceUnavailable).Respond(HttpStatusCode.Created, "[]");
        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => http.PostAsync(Target, "/api/events/commands/", new JsonObject { ["line"] = "uptime" }));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.StatusCode);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Post_NetworkError_IsNotRetried()
    {
        var (http, stub) = Create();
        stub.Respond(_ => throw new HttpRequestException("connection reset"));
        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => http.PostAsync(Target, "/api/events/commands/", new JsonObject()));
        Assert.Single(stub.Requests);
        Assert.True(e.IsUnreachable);
    }

    [Fact]
    public async Task Get_TimesOutPerAttempt_AndRetries()
    {
        var options = new AlpaconApiOptions { RequestTimeout = TimeSpan.FromMilliseconds(100), MaxRetries = 1, BaseBackoff = TimeSpan.FromMilliseconds(1) };
        var hanging = new HangOnceHandler();
        using var client = new HttpClient(new ResilienceHandler(options) { InnerHandler = hanging });
        var http = new AlpaconHttp(client);

        var body = await http.GetAsync(Target, "/api/status/");

        Assert.Equal(2, hanging.Calls);
        Assert.Equal("Good", body!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_TimeoutIsAClearErrorWithoutRetry()
    {
        var options = new AlpaconApiOptions { RequestTimeout = TimeSpan.FromMilliseconds(100), MaxRetries = 3 };
        var hanging = new HangOnceHandler();
        using var client = new HttpClient(new ResilienceHandler(options) { InnerHandler = hanging });
        var http = new AlpaconHttp(client);

        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => http.PostAsync(Target, "/api/events/commands/", new JsonObject()));

        Assert.True(e.IsTimeout);
        Assert.Equal(1, hanging.Calls);
        Assert.DoesNotContain("/api/", e.Message);
    }

    /// <summary>Never answers the first request (until cancelled); answers the next ones at once.</summary>
    private sealed class HangOnceHandler : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
                await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"status":"Good"}""") };
        }
    }
}
