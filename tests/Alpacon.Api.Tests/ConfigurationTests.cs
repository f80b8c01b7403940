using Alpacon.Api.Configuration;

namespace Alpacon.Api.Tests;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("alpacon-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Parse_ReadsBothForms()
    {
        var entries = TokenFile.Parse("""{"ap1":{"acme":"alpat-a","beta":{"token":"alpat-b","url":"https://beta.example.com"}},"us1":{"gamma":"alpat-c"}}""", "t.json");
        Assert.Equal(3, entries.Count);
        Assert.Contains(new TokenEntry("ap1", "acme", "alpat-a", null), entries);
        Assert.Contains(new TokenEntry("ap1", "beta", "alpat-b", "https://beta.example.com"), entries);
    }

    [Theory]
    [InlineData("{\"ap1\": {", "not valid JSON (line 1")]
    [InlineData("[1,2]", "must hold a JSON object of regions")]
    [InlineData("{\"ap1\": \"alpat-x\"}", "region 'ap1' must map workspace names")]
    [InlineData("{\"ap1\": {\"acme\": 42}}", "'ap1/acme' must be a token string")]
    public void Parse_MalformedFile_NamesFileAndProblem(string json, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => TokenFile.Parse(json, "/home/u/.alpacon-mcp/token.json"));
        Assert.Contains("/home/u/.alpacon-mcp/token.json", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void FileTokenStore_WritesMode0600_AndKeepsOtherEntries()
    {
        var path = PathOf("sub/token.json");
        Directory.CreateDirectory(PathOf("sub"));
        File.WriteAllText(path, """{"ap1":{"keep":{"token":"alpat-keep","url":"https://keep.example.com"}},"us1":{"other":"alpat-o"}}""");

        var store = new FileTokenStore(path);
        store.Set("ap1", "acme", "alpat-new", null);

        var entries = store.Load();
        Assert.Contains(new TokenEntry("ap1", "keep", "alpat-keep", "https://keep.example.com"), entries);
        Assert.Contains(new TokenEntry("us1", "other", "alpat-o", null), entries);
        Assert.Contains(new TokenEntry("ap1", "acme", "alpat-new", null), entries);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Empty(Directory.GetFiles(PathOf("sub"), "*.tmp"));
    }

    [Fact]
    public void NewTokenWithoutUrl_KeepsThePinnedUrl_InFileAndMemory()
    {
        var path = PathOf("token.json");
        File.WriteAllText(path, """{"ap1":{"lab":{"token":"alpat-old","url":"https://alpacon.lab.example"}}}""");
        var file = new FileTokenStore(path);
        file.Set("ap1", "lab", "alpat-new", null);
        Assert.Equal([new TokenEntry("ap1", "lab", "alpat-new", "https://alpacon.lab.example")], file.Load());
        file.Set("ap1", "lab", "alpat-newer", "https://moved.example");
        Assert.Equal([new TokenEntry("ap1", "lab", "alpat-newer", "https://moved.example")], file.Load());

        var memory = new MemoryTokenStore([new TokenEntry("ap1", "lab", "alpat-old", "https://alpacon.lab.example")]);
        memory.Set("ap1", "lab", "alpat-new", null);
        Assert.Equal([new TokenEntry("ap1", "lab", "alpat-new", "https://alpacon.lab.example")], memory.Load());
    }

    [Fact]
    public void LayeredStore_KeepsItsOwnWorkspacesInMemory_AndWritesTheOthersThrough()
    {
        var path = PathOf("token.json");
        var store = new LayeredTokenStore(new MemoryTokenStore([new TokenEntry("ap1", "sandbox", "alpat-sandbox", "http://127.0.0.1:1")]), new FileTokenStore(path));
        store.Set("ap1", "acme", "alpat-acme", null);
        store.Set("ap1", "sandbox", "alpat-sandbox-2", null);

        Assert.Equal(path, store.FilePath);
        Assert.Equal("""{"ap1":{"acme":"alpat-acme"}}""", File.ReadAllText(path).ReplaceLineEndings("").Replace(" ", ""));
        var all = new WorkspaceDirectory(store, new Dictionary<string, string>()).All();
        Assert.Equal([("acme", TokenSource.File), ("sandbox", TokenSource.Sandbox)], all.Select(t => (t.Workspace, t.Source)));
        Assert.Equal("http://127.0.0.1:1/", all.Single(t => t.Workspace == "sandbox").BaseUrl.AbsoluteUri);
        Assert.True(store.Remove("ap1", "acme"));
        Assert.False(File.ReadAllText(path).Contains("acme", StringComparison.Ordinal));
    }

    [Fact]
    public void FileTokenStore_CreatesDirectoryPrivately()
    {
        var path = PathOf("new/.alpacon-mcp/token.json");
        new FileTokenStore(path).Set("ap1", "acme", "alpat-1", "https://acme.example.com");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Contains("\"url\": \"https://acme.example.com\"", File.ReadAllText(path));
    }

    [Fact]
    public void FileTokenStore_ReplacesAtomically_NewInode()
    {
        var path = PathOf("token.json");
        var store = new FileTokenStore(path);
        store.Set("ap1", "a", "alpat-1", null);
        using var before = new FileStream(path, FileMode.Open, FileAccess.Read);
        store.Set("ap1", "b", "alpat-2", null);
        // The open handle still reads the old, complete file: the new one was renamed over it.
        using var reader = new StreamReader(before);
        Assert.DoesNotContain("alpat-2", reader.ReadToEnd());
        Assert.Contains("alpat-2", File.ReadAllText(path));
    }

    [Fact]
    public void FileTokenStore_RefusesToRewriteMalformedFile()
    {
        var path = PathOf("token.json");
        File.WriteAllText(path, "{broken");
        var e = Assert.Throws<ConfigurationException>(() => new FileTokenStore(path).Set("ap1", "acme", "alpat-1", null));
        Assert.Contains(path, e.Message);
        Assert.Equal("{broken", File.ReadAllText(path));
    }

    [Fact]
    public async Task FileTokenStore_ConcurrentWriters_LoseNothing()
    {
        var path = PathOf("token.json");
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var store = new FileTokenStore(path); // a store each, as separate processes would have
            for (var i = 0; i < 15; i++)
                store.Set("ap1", $"ws-{w}-{i}", $"alpat-{w}-{i}", null);
        }));
        await Task.WhenAll(writers);
        Assert.Equal(60, new FileTokenStore(path).Load().Count);
    }

    [Fact]
    public void FileTokenStore_Remove_DropsEmptyRegion()
    {
        var path = PathOf("token.json");
        var store = new FileTokenStore(path);
        store.Set("us1", "only", "alpat-1", null);
        Assert.True(store.Remove("us1", "only"));
        Assert.False(store.Remove("us1", "only"));
        Assert.Equal("{}", File.ReadAllText(path).Trim());
    }

    [Fact]
    public void Discovery_FollowsPythonOrder()
    {
        var home = PathOf("home");
        var cwd = PathOf("cwd");
        Directory.CreateDirectory(Path.Combine(cwd, "config"));
        File.WriteAllText(Path.Combine(cwd, "config", "token.json"), "{}");

        var none = new ConfigDiscovery(null, new Dictionary<string, string>(), home, cwd);
        Assert.Equal(Path.Combine(cwd, "config", "token.json"), none.InUse.Path); // the only one that exists
        Assert.Equal(["home", "local"], none.Candidates.Select(c => c.Origin));

        var env = new ConfigDiscovery(null, new Dictionary<string, string> { ["ALPACON_MCP_CONFIG_FILE"] = PathOf("env.json") }, home, cwd);
        Assert.Equal(PathOf("env.json"), env.InUse.Path);

        var flag = new ConfigDiscovery(PathOf("flag.json"), new Dictionary<string, string> { ["ALPACON_MCP_CONFIG_FILE"] = PathOf("env.json") }, home, cwd);
        Assert.Equal(PathOf("flag.json"), flag.InUse.Path);
        Assert.Equal(["--config-file", "ALPACON_MCP_CONFIG_FILE", "home", "local"], flag.Candidates.Select(c => c.Origin));

        Directory.CreateDirectory(Path.Combine(home, ".alpacon-mcp"));
        File.WriteAllText(Path.Combine(home, ".alpacon-mcp", "token.json"), "{}");
        Assert.Equal(Path.Combine(home, ".alpacon-mcp", "token.json"), new ConfigDiscovery(null, new Dictionary<string, string>(), home, cwd).InUse.Path);
    }

    [Fact]
    public void Directory_EnvironmentWinsOverFile_AndPinsUrl()
    {
        var store = new MemoryTokenStore([new TokenEntry("ap1", "my-ws", "alpat-file", null), new TokenEntry("ap1", "other", "alpat-o", "alpacon.example.com/")]);
        var env = new Dictionary<string, string>
        {
            ["ALPACON_MCP_AP1_MY_WS_TOKEN"] = "alpat-env",
            ["ALPACON_MCP_AP1_MY_WS_URL"] = "http://127.0.0.1:9000/",
            ["ALPACON_MCP_US1_SOLO_TOKEN"] = "alpat-solo",
            ["ALPACON_MCP_CONFIG_FILE"] = "/x",
            ["ALPACON_MCP_TOOLSETS"] = "servers",
        };
        var directory = new WorkspaceDirectory(store, env);

        var all = directory.All();
        Assert.Equal(["ap1/my-ws", "ap1/other", "us1/solo"], all.Select(t => $"{t.Region}/{t.Workspace}"));
        var mine = directory.Resolve("ap1", "my-ws");
        Assert.Equal("alpat-env", mine.Token);
        Assert.Equal(TokenSource.Environment, mine.Source);
        Assert.Equal("http://127.0.0.1:9000/", mine.BaseUrl.AbsoluteUri);
        Assert.Equal("https://alpacon.example.com/", directory.Resolve("ap1", "other").BaseUrl.AbsoluteUri);
        Assert.Equal("https://solo.us1.alpacon.io/", directory.Resolve("us1", null).BaseUrl.AbsoluteUri); // the only one in us1
        Assert.Throws<ConfigurationException>(() => directory.Resolve("ap1", null)); // two in ap1
        Assert.Throws<WorkspaceNotConfiguredException>(() => directory.Resolve("eu1", "acme"));
        Assert.Throws<ConfigurationException>(() => directory.Resolve("AP 1", "acme"));
    }

    [Fact]
    public void Directory_EnvironmentTokenAlone_StillGoesToTheUrlPinnedInTheFile()
    {
        var store = new MemoryTokenStore([new TokenEntry("ap1", "lab", "alpat-file", "https://alpacon.lab.example")]);
        var target = new WorkspaceDirectory(store, new Dictionary<string, string> { ["ALPACON_MCP_AP1_LAB_TOKEN"] = "alpat-env" }).Resolve("ap1", "lab");
        Assert.Equal(("alpat-env", TokenSource.Environment, "https://alpacon.lab.example/"), (target.Token, target.Source, target.BaseUrl.AbsoluteUri));
        Assert.True(target.UrlPinned);
    }

    [Theory]
    [InlineData("alpat-abcdefghijklmnop", "alpat-…mnop")]
    [InlineData("short", "…rt")]
    [InlineData("", "")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.payload.signature", "…ture")]
    public void Mask_NeverShowsTheWholeToken(string token, string expected) => Assert.Equal(expected, Secrets.Mask(token));
}
