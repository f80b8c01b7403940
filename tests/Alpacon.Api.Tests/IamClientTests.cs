using System.Net;
using System.Text.Json.Nodes;
using Alpacon.Api.Configuration;
using Alpacon.Api.Http;
using Alpacon.Api.Iam;

namespace Alpacon.Api.Tests;

public class IamClientTests
{
    private static readonly WorkspaceTarget Target = new("ap1", "acme", new Uri("https://acme.ap1.alpacon.io"), "alpat-TESTTOKEN1234", TokenSource.File, false);

    private static (IamClient Client, StubHandler Stub) Create()
    {
        var stub = new StubHandler();
        var options = new AlpaconApiOptions { BaseBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(2) };
        var http = new HttpClient(new ResilienceHandler(options) { InnerHandler = stub }) { Timeout = Timeout.InfiniteTimeSpan };
        return (new IamClient(new AlpaconHttp(http)), stub);
    }

    [Fact]
    public async Task FindGroupByNameAsync_MatchesTheNameEvenWhenTheFilterIsIgnored()
    {
        var (iam, stub) = Create();
        // An API that ignored ?name= would answer with the first groups of the list.
        stub.Respond(HttpStatusCode.OK, """{"count":2,"next":null,"results":[{"id":"g1","name":"alpacon"},{"id":"g2","name":"ops"}]}""");

        var ops = await iam.FindGroupByNameAsync(Target, "ops");
        var missing = await iam.FindGroupByNameAsync(Target, "dba");

        Assert.Equal("g2", (string?)ops!["id"]);
        Assert.Null(missing);
        Assert.Equal("?name=ops", stub.Requests[0].Request.RequestUri!.Query);
    }

    [Fact]
    public async Task ListMembershipsAsync_AcceptsAnUnpaginatedArray()
    {
        var (iam, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """[{"id":"m1","group":"g1","role":"member"},{"id":"m2","group":"g2","role":"owner"}]""");

        var memberships = await iam.ListMembershipsAsync(Target, userId: "u1");

        Assert.Equal(["m1", "m2"], memberships.Select(m => (string?)m!["id"]));
        Assert.Equal("?user=u1&page=1&page_size=100", Assert.Single(stub.Requests).Request.RequestUri!.Query);
    }

    [Fact]
    public async Task CreateUserAsync_IsNeverRetried()
    {
        var (iam, stub) = Create();
        stub.Respond(HttpStatusCode.BadGateway, "{}");

        var e = await Assert.ThrowsAsync<AlpaconApiException>(() => iam.CreateUserAsync(Target, new JsonObject { ["username"] = "x" }));

        Assert.Equal(HttpStatusCode.BadGateway, e.StatusCode);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task SetMembershipRoleAsync_PatchesOnlyTheRole()
    {
        var (iam, stub) = Create();
        stub.Respond(HttpStatusCode.OK, """{"id":"m1","role":"manager"}""");

        await iam.SetMembershipRoleAsync(Target, "m1", "manager");

        var (request, body) = Assert.Single(stub.Requests);
        Assert.Equal(HttpMethod.Patch, request.Method);
        Assert.Equal("/api/iam/memberships/m1/", request.RequestUri!.AbsolutePath);
        Assert.Equal("""{"role":"manager"}""", body);
    }
}
