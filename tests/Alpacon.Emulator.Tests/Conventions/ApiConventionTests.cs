using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Alpacon.Emulator.Core;

namespace Alpacon.Emulator.Tests.Conventions;

/// <summary>The conventions of alpacon-api.md §1 that every endpoint shares: auth forms, 401 bodies, pagination, errors.</summary>
public sealed class ApiConventionTests : IAsyncLifetime
{
    private RunningEmulator _emulator = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorHost.StartAsync();
        _http = new HttpClient { BaseAddress = _emulator.BaseUrl };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body, string Text)> GetAsync(string path, string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", authorization ?? $"token=\"{Seed.AdminToken}\"");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
            body = JsonNode.Parse(text);
        return (response.StatusCode, body, text);
    }

    [Theory]
    [InlineData("token=\"" + Seed.AdminToken + "\"")]
    [InlineData("token=" + Seed.AdminToken)]
    [InlineData("token: " + Seed.AdminToken)]
    [InlineData("Bearer " + Seed.AdminToken)]
    public async Task Authorization_AcceptsEveryDocumentedForm(string header)
    {
        var (status, body, _) = await GetAsync("/api/status/", header);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Good", (string?)body!["status"]);
    }

    [Theory]
    [InlineData("", "Authentication credentials were not provided.")]
    [InlineData("token=\"alpat-unknown\"", "Invalid token.")]
    public async Task Authorization_MissingOrUnknown_Is401WithDetail(string header, string detail)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/servers/servers/");
        if (header.Length > 0)
            request.Headers.TryAddWithoutValidation("Authorization", header);
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(detail, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]);
    }

    [Fact]
    public async Task WrongVerb_Is405WithDrfDetail()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/servers/servers/");
        request.Headers.TryAddWithoutValidation("Authorization", $"token=\"{Seed.AdminToken}\"");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("Method \"PUT\" not allowed.", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]);
    }

    [Fact]
    public async Task Pagination_Defaults15_PageNumbersNotUrls()
    {
        var (_, first, _) = await GetAsync("/api/servers/servers/");
        Assert.Equal(24, (int)first!["count"]!);
        Assert.Equal(15, first["results"]!.AsArray().Count);
        Assert.Equal(1, (int)first["current"]!);
        Assert.Equal(2, (int)first["next"]!);
        Assert.Null(first["previous"]);
        Assert.Equal(2, (int)first["last"]!);

        var (_, second, _) = await GetAsync("/api/servers/servers/?page=2");
        Assert.Equal(9, second!["results"]!.AsArray().Count);
        Assert.Null(second["next"]);
        Assert.Equal(1, (int)second["previous"]!);
    }

    [Fact]
    public async Task Pagination_PageSizeIsClampedTo100()
    {
        var (_, body, _) = await GetAsync("/api/servers/servers/?page_size=500");
        Assert.Equal(24, body!["results"]!.AsArray().Count);
        Assert.Equal(1, (int)body["last"]!);
    }

    [Theory]
    [InlineData("/api/servers/servers/?page=3")]
    [InlineData("/api/servers/servers/?page=0")]
    public async Task Pagination_PageOutOfRange_Is404InvalidPage(string path)
    {
        var (status, body, _) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Invalid page.", (string?)body!["detail"]);
    }

    [Fact]
    public async Task UnknownQueryParameters_AreIgnored_LikeTheRealServer()
    {
        // The bug the Python server had: ?id= is not a filter, so the list comes back unfiltered.
        var (_, body, _) = await GetAsync($"/api/servers/servers/?id={Seed.ServerId("db-01")}");
        Assert.Equal(24, (int)body!["count"]!);
        Assert.Equal("api-01", (string?)body["results"]![0]!["name"]);
    }

    [Fact]
    public async Task Detail_UnknownId_Is404NotFound()
    {
        var (status, body, _) = await GetAsync("/api/servers/servers/00000000-0000-4000-8000-000000000000/");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Not found.", (string?)body!["detail"]);
    }

    [Fact]
    public async Task UnknownRoute_IsAnHtmlPage()
    {
        var (status, body, text) = await GetAsync("/api/servers/{id}/");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Null(body);
        Assert.StartsWith("<!doctype html>", text);
    }

    [Fact]
    public async Task ReadOnlyToken_Writes_Are403()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/servers/notes/")
        {
            Content = new StringContent($$"""{"server":"{{Seed.ServerId("web-01")}}","content":"x"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", $"token=\"{Seed.ViewerToken}\"");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("You do not have permission to perform this action.", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]);
    }

    [Fact]
    public async Task Validation_IsADrfFieldError()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/servers/notes/")
        {
            Content = new StringContent($$"""{"server":"{{Seed.ServerId("web-01")}}","content":"   ","title":"ignored"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", $"token=\"{Seed.AdminToken}\"");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("This field may not be blank.", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["content"]![0]);
    }

    [Fact]
    public async Task SeededIds_AreStableAcrossStarts()
    {
        Assert.Equal("0e617a7e-4126-521f-af4a-960418890596", Seed.ServerId("web-01"));
        var (_, body, _) = await GetAsync($"/api/servers/servers/{Seed.ServerId("web-01")}/");
        Assert.Equal("web-01", (string?)body!["name"]);
        Assert.Equal("Jane Kim", (string?)body["owner"]!["name"]);
    }

    [Fact]
    public async Task Journal_RecordsEveryRequest()
    {
        _emulator.Journal.Clear();
        await GetAsync("/api/servers/servers/?search=web");
        var entry = Assert.Single(_emulator.Journal.Entries);
        Assert.Equal("GET", entry.Method);
        Assert.Equal("web", entry.QueryValue("search"));
        Assert.Equal(200, entry.Status);
    }
}
