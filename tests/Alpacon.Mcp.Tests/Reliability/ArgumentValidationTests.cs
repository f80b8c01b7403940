using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Alpacon.Mcp.Tests.Infrastructure;
using Alpacon.Mcp.Tools;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using static Alpacon.Mcp.Tests.Infrastructure.McpHarness;

namespace Alpacon.Mcp.Tests.Reliability;

/// <summary>The argument check in front of every tool, and that it agrees with what the SDK's binder accepts.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ArgumentValidationTests(EmulatorFixture emulator)
{
    private Task<Connection> ConnectAsync() => McpHarness.ConnectAsync(emulator, extend: m => m.WithTools<ProbeTools>());

    [Fact]
    public async Task NumbersWrittenAsStrings_PassTheCheck_AndTheBinder()
    {
        await using var c = await ConnectAsync();
        var body = Success(await c.CallAsync("probe_echo", new() { ["name"] = "n", ["count"] = "5", ["ratio"] = "0.25" }));
        Assert.Equal("n 5 0.25 False 0", (string?)body["data"]);
    }

    [Fact]
    public async Task NullForAnOptionalArgument_MeansItsDefault()
    {
        await using var c = await ConnectAsync();
        var body = Success(await c.CallAsync("probe_echo", new() { ["name"] = "n", ["count"] = null, ["flag"] = null, ["tags"] = null }));
        Assert.Equal("n 1 0.5 False 0", (string?)body["data"]);
    }

    [Theory]
    [InlineData("count", "\"five\"", "'count' must be a whole number; got the string \"five\"")]
    [InlineData("count", "2147483648", "'count' must be a whole number; got the number 2147483648")]
    [InlineData("count", "1.5", "'count' must be a whole number")]
    [InlineData("flag", "\"yes\"", "'flag' must be true or false; got the string \"yes\"")]
    [InlineData("ratio", "true", "'ratio' must be a number; got the boolean true")]
    [InlineData("tags", "\"solo\"", "'tags' must be an array of strings or null")]
    [InlineData("tags", "[\"a\", 2]", "'tags[1]' must be a string")]
    [InlineData("name", "{}", "'name' must be a string; got an object")]
    [InlineData("nmae", "\"typo\"", "'nmae' is not an argument of probe_echo")]
    public async Task WrongArguments_AreRefused_NamingTheArgumentAndTheShape(string name, string json, string expected)
    {
        await using var c = await ConnectAsync();
        var args = new Dictionary<string, object?> { ["name"] = "n", [name] = JsonElement.Parse(json) };
        var body = Error(await c.CallAsync("probe_echo", args));
        Assert.True(((string?)body["message"])!.Contains(expected, StringComparison.Ordinal), (string?)body["message"]);
        Assert.Equal("The arguments were refused before any request was sent.", (string?)body["details"]);
        Assert.StartsWith("Call probe_echo with (name: a string, required; count: a whole number = 1;", (string?)body["hint"]);
    }

    [Fact]
    public async Task SeveralProblems_AreReportedTogether()
    {
        await using var c = await ConnectAsync();
        var body = Error(await c.CallAsync("probe_echo", new() { ["flag"] = "maybe" }));
        Assert.Contains("'flag' must be true or false", (string?)body["message"]);
        Assert.Contains("'name' is required (a string)", (string?)body["message"]);
    }

    [Fact]
    public async Task AFailureTheToolDidNotCatch_GetsTheEnvelopeAndAHint()
    {
        await using var c = await ConnectAsync();
        var body = Error(await c.CallAsync("probe_throw"));
        Assert.Equal("The call to 'probe_throw' failed: An error occurred invoking 'probe_throw' (InvalidOperationException).", (string?)body["message"]);
        Assert.DoesNotContain("boom", body.ToJsonString()); // the exception's own text may carry anything
        Assert.Equal("probe_throw takes no arguments.", (string?)body["hint"]);
    }

    [Fact]
    public void SchemaKeywords_EnumBoundsAndLength_AreChecked()
    {
        var tool = new Tool
        {
            Name = "t",
            InputSchema = JsonElement.Parse("""
                {"type":"object","required":["mode"],"properties":{
                  "mode":{"type":"string","enum":["fast","safe"]},
                  "limit":{"type":"integer","minimum":1,"maximum":100},
                  "label":{"type":"string","maxLength":3}}}
                """),
        };
        string? Problem(string json) => ArgumentValidation.Check(tool, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json))?.Message;

        Assert.Null(Problem("""{"mode":"fast","limit":100,"label":"abc"}"""));
        Assert.Contains("'mode' must be one of \"fast\", \"safe\"; got the string \"slow\"", Problem("""{"mode":"slow"}"""));
        Assert.Contains("'limit' must be at least 1; got 0", Problem("""{"mode":"fast","limit":0}"""));
        Assert.Contains("'limit' must be at most 100; got 101", Problem("""{"mode":"fast","limit":101}"""));
        Assert.Contains("'label' may be at most 3 characters; got 4", Problem("""{"mode":"fast","label":"abcd"}"""));
        Assert.Contains("'mode' is required (one of \"fast\", \"safe\")", Problem("{}"));
    }

    [McpServerToolType]
    public sealed class ProbeTools
    {
        [McpServerTool(Name = "probe_echo", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
        [Description("Echoes its arguments (test only).")]
        public static CallToolResult Echo(string name, int count = 1, double ratio = 0.5, bool flag = false, string[]? tags = null) =>
            ToolResult.Success(string.Create(CultureInfo.InvariantCulture, $"{name} {count} {ratio} {flag} {tags?.Length ?? 0}"), null, null);

        [McpServerTool(Name = "probe_throw", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
        [Description("Fails without catching (test only).")]
        public static CallToolResult Throw() => throw new InvalidOperationException("boom");
    }
}
