using System.Text.Json.Nodes;
using Alpacon.Mcp.Tools;

namespace Alpacon.Mcp.Tests.Reliability;

/// <summary>
/// What an error quotes is made safe where every error passes (<see cref="ToolError"/>), and the argument rules that
/// keep hostile values from being sent at all.
/// </summary>
public sealed class EchoedValueTests
{
    [Fact]
    public void ToolError_EscapesControlAndBidi_KeepsLineBreaks_AndBoundsTheMessageAndHint()
    {
        var error = new ToolError("user \u202egnp.exe\u202c \u001b[2J\nnext line", Hint: "try \u0007" + new string('h', 5000));

        Assert.Equal("user \\u202egnp.exe\\u202c \\u001b[2J\nnext line", error.Message);
        Assert.StartsWith("try \\u0007hhh", error.Hint);
        Assert.InRange(error.Hint!.Length, ToolError.MaxMessageLength, ToolError.MaxMessageLength + 40);
        Assert.EndsWith("(5005 characters, cut)", error.Hint);

        var changed = error with { Message = "2 MB: " + new string('a', 2 << 20) };
        Assert.InRange(changed.Message.Length, ToolError.MaxMessageLength, ToolError.MaxMessageLength + 40);
    }

    [Fact]
    public void ToolError_CutsLongStringsInTheDetails_AndLeavesTheOriginalAlone()
    {
        var body = new JsonObject { ["username"] = new JsonArray($"The user {new string('a', 2 << 20)} does not exist."), ["code"] = "invalid" };
        var error = new ToolError("400", body);

        var cut = (string)error.Details!["username"]![0]!;
        Assert.InRange(cut.Length, ToolError.MaxDetailLength, ToolError.MaxDetailLength + 40);
        Assert.Equal("invalid", (string?)error.Details["code"]);
        Assert.True(((string)body["username"]![0]!).Length > 2 << 20);

        var small = new JsonObject { ["detail"] = "short" };
        Assert.Same(small, new ToolError("404", small).Details);
    }

    [Theory]
    [InlineData("root", true)]
    [InlineData("jane.doe", true)]
    [InlineData("svc_web-01", true)]
    [InlineData("build$", true)]
    [InlineData("-rf", false)]
    [InlineData("12345", false)]
    [InlineData("..", false)]
    [InlineData("a b", false)]
    [InlineData("x;reboot", false)]
    [InlineData("\u202eroot", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", false)]
    public void AccountName_FollowsUseraddRules(string name, bool valid)
    {
        if (valid)
        {
            Assert.Equal(name, Args.AccountName(name, "username"));
            return;
        }
        var e = Assert.Throws<ToolInputException>(() => Args.AccountName(name, "username"));
        Assert.StartsWith("'username' must be a Linux account name", e.Message);
    }

    [Fact]
    public void OptionalUuid_NullIsAbsent_AnExplicitEmptyStringIsRefused()
    {
        Assert.Null(Args.OptionalUuid(null, "server_id"));
        var e = Assert.Throws<ToolInputException>(() => Args.OptionalUuid("", "server_id"));
        Assert.Contains("'server_id' is empty", e.Message);
        Assert.Equal("0e617a7e-4126-521f-af4a-960418890596", Args.OptionalUuid(" 0E617A7E-4126-521F-AF4A-960418890596 ", "server_id"));
    }
}
